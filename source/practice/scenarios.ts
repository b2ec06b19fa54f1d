/**
 * The practice scenarios (issue 16, item 2): each breaks a healthy cluster the way it breaks in real
 * life, tells the student only what a user would notice, and names the doctor finding it must cause.
 * Data and small shell builders only: no SSH here, so the catalog is tested without nodes.
 *
 * Every script runs as root on one node (`sh -c`), is bounded (timeouts, sizes) and reversible: what
 * it replaces is kept under `backupDir` on that node, and `undo` puts it back.
 */
import type {ClusterConfig, NodeConfig} from '../core/cluster.ts';
import type {Text} from '../core/text.ts';
import {t} from '../core/text.ts';
import {haproxyConfigPath} from '../../templates/haproxy-cfg.ts';
import {patroniConfigPath} from '../../templates/patroni-yml.ts';

/** Which node a scenario breaks, resolved from Patroni's view just before the break. */
export type Target = 'leader' | 'replica' | 'haproxy' | 'last';


export interface ScenarioContext {
	readonly cluster: ClusterConfig;
	/** The node the scenario breaks. */
	readonly node: NodeConfig;
	/** The leader when the scenario started (the pg_hba scenario also restarts a replica). */
	readonly leader: NodeConfig;
	readonly replica: NodeConfig;
}

export interface Scenario {
	readonly name: string;
	readonly difficulty: 1 | 2 | 3;
	readonly target: Target;
	/** One line for `--list`. */
	readonly description: Text;
	/** All the student is told at the start. */
	readonly symptom: Text;
	/** In increasing detail; the last one nearly gives the fix away. */
	readonly hints: readonly [Text, Text, Text];
	/** The doctor finding that names the cause while broken; undefined node = the whole cluster. */
	readonly finding: string;
	readonly findingOnCluster?: boolean;
	/** Root shell on the target node: the break. */
	readonly breaks: (context: ScenarioContext) => string;
	/** Root shell on the target node: back to how it was, from the backup. */
	readonly undo: (context: ScenarioContext) => string;
	/** Root shell on the target node: exit 0 when the cause itself is gone (not just the symptom). */
	readonly causeGone: (context: ScenarioContext) => string;
	/** Root shell on the target node: the fix a student would type (for the lab test), not the undo. */
	readonly fix: (context: ScenarioContext) => string;
	/** Extra commands on other nodes after the break (the replica restarted after pg_hba changed). */
	readonly alsoOn?: (context: ScenarioContext) => ReadonlyArray<{readonly node: NodeConfig; readonly script: string}>;
}

/** Where breaks keep what they replaced, on the node (root only). */
export const backupDir = '/root/pgha-practice';

const path = 'export PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin';
const patronictl = `cd / && runuser -u postgres -- "$(command -v patronictl || echo /opt/patroni-venv/bin/patronictl)" -c ${patroniConfigPath}`;
const dataDir = `"$(awk '/^ *data_dir:/ {print $2; exit}' ${patroniConfigPath} | tr -d "\\"'")"`;
const hbaFile = `${dataDir}/pg_hba.conf`;
const reloadPg = 'cd / && runuser -u postgres -- psql -XAtqc "select pg_reload_conf()" >/dev/null';
// Always the file as it is now: doctor found the cluster healthy just before the break.
const keep = (file: string, name: string) => `mkdir -p -m 700 ${backupDir} && cp -p ${file} ${backupDir}/${name}`;
const restore = (file: string, name: string) => `if [ -f ${backupDir}/${name} ]; then cp -p ${backupDir}/${name} ${file} && rm -f ${backupDir}/${name}; fi`;
/** Patroni's REST API on the node: it listens on the node's address, not on loopback. */
const api = ({cluster, node}: ScenarioContext, route: string) => `http://${node.ip}:${cluster.ports.patroniApi}/${route}`;
/** Patroni restarted and, unless it is meant to fail, waited for (bounded) until PostgreSQL runs. */
// A Patroni that crash-looped (the etcd: section, say) hits systemd's start limit, which then refuses
// even a manual restart until the failure is reset.
const restartPatroni = (context: ScenarioContext, wait = true) => `systemctl reset-failed patroni 2>/dev/null; systemctl restart patroni${wait ? ` && for i in $(seq 1 30); do curl -s -o /dev/null -f --max-time 2 ${api(context, 'health')} && break; sleep 2; done; true` : ''}`;
const squatter = 'pgha-practice-squatter';

/** Checks moved out of the write section's listen into a frontend, servers into a backend without checks. */
const toFrontend = [
	'split(s[1], h, /[ \\t]+/); name = h[2];',
	'print "frontend " name;',
	'for (i = 2; i <= n; i++) if (s[i] ~ /^[ \\t]*(bind|option httpchk|http-check|mode)/) print s[i];',
	'print "    default_backend " name "_servers"; print "";',
	'print "backend " name "_servers";',
	'for (i = 2; i <= n; i++) if (s[i] !~ /^[ \\t]*(bind|option httpchk|http-check)/) print s[i];',
].join(' ');

/** The write section without its /primary check: every server that answers TCP is UP. */
const withoutCheck = 'for (i = 1; i <= n; i++) if (s[i] !~ /^[ \\t]*(option httpchk|http-check)/) print s[i];';

/** The read section's servers checked on a port nobody listens on: every one of them DOWN. */
const wrongCheckPort = 'for (i = 1; i <= n; i++) { if (s[i] ~ /^[ \\t]*server[ \\t]/) sub(" port " api, " port " wrong, s[i]); print s[i] }';

/** Which section a HAProxy break edits and how: the write one (check moved or dropped), or the read one. */
export type HaproxyBreak = 'frontend' | 'no-check' | 'read-check-port';

/**
 * An awk filter (haproxy.cfg in, haproxy.cfg out) that changes only the section bound to the write
 * port: each section is buffered whole, then printed as it was or transformed.
 */
export function haproxyBreakAwk(cluster: ClusterConfig, kind: HaproxyBreak): string {
	const transform = kind === 'frontend' ? toFrontend : kind === 'no-check' ? withoutCheck : wrongCheckPort;
	const port = kind === 'read-check-port' ? cluster.ports.haproxyRead : cluster.ports.haproxyWrite;
	return [
		`awk -v port=${port} -v api=${cluster.ports.patroniApi} -v wrong=${wrongApiPort(cluster)} '`,
		'function flush() { if (n == 0) return; if (w) { ' + transform + ' } else for (i = 1; i <= n; i++) print s[i]; n = 0; w = 0 }',
		'/^[^ \\t#]/ { flush() }',
		'{ s[++n] = $0; if ($0 ~ ("^[ \\t]*bind[ \\t].*:" port "([ \\t]|$)")) w = 1 }',
		"END { flush() }'",
	].join('\n');
}

/** The port the read section's checks are sent to by the break: nothing listens there. */
const wrongApiPort = (cluster: ClusterConfig) => cluster.ports.patroniApi + 1;

/**
 * Exit 0 when every server behind the read port is checked on Patroni's REST port.
 * haproxy.cfg on stdin or as an argument.
 */
export function readCheckPortAwk(cluster: ClusterConfig): string {
	return [
		`awk -v port=${cluster.ports.haproxyRead} -v api=${cluster.ports.patroniApi} '`,
		'/^[^ \\t#]/ { r = 0 }',
		'$0 ~ ("^[ \\t]*bind[ \\t].*:" port "([ \\t]|$)") { r = 1 }',
		'r && /^[ \\t]*server[ \\t]/ { n++; if ($0 !~ (" port " api "([ \\t]|$)")) bad++ }',
		"END { exit !(n > 0 && bad == 0) }'",
	].join('\n');
}

function writeSection(cluster: ClusterConfig, kind: HaproxyBreak): string {
	return `${haproxyBreakAwk(cluster, kind)} ${backupDir}/haproxy.cfg > ${haproxyConfigPath}`;
}

/** An awk filter for a Patroni file: the first password after a `replication:` key replaced by a wrong one. */
export const wrongPasswordAwk = `awk '/^ *replication: *$/ {r = 1} r && /^ *password:/ {sub(/password:.*/, "password: practice-wrong-password"); r = 0} {print}'`;

/**
 * Exit 0 when the servers behind the write port are checked on /primary: a listen holding the check,
 * or a frontend whose default_backend holds it (a fix the student may choose). haproxy.cfg on stdin or as an argument.
 */
export function writeCheckedAwk(cluster: ClusterConfig): string {
	return [
		`awk -v port=${cluster.ports.haproxyWrite} '`,
		'/^[^ \\t#]/ { sec = $1 " " $2 }',
		'$0 ~ ("^[ \\t]*bind[ \\t].*:" port "([ \\t]|$)") { w = sec }',
		'/^[ \\t]*default_backend[ \\t]/ { db[sec] = "backend " $2 }',
		'/^[ \\t]*option[ \\t]+httpchk/ { hc[sec] = 1 }',
		'/uri \\/primary/ { p[sec] = 1 }',
		'END { t = (w ~ /^frontend /) ? db[w] : w; exit !(t ~ /^(listen|backend) / && p[t] && hc[t]) }\'',
	].join('\n');
}

const reloadHaproxy = `haproxy -c -q -f ${haproxyConfigPath} && systemctl reload haproxy`;
const writeChecked = (cluster: ClusterConfig) => `${writeCheckedAwk(cluster)} ${haproxyConfigPath}`;

export const scenarios: readonly Scenario[] = [
	{
		name: 'paused', difficulty: 1, target: 'leader', finding: 'patroni-paused', findingOnCluster: true,
		description: t('Patroni поставлен на паузу и забыт', 'Patroni was paused and forgotten'),
		symptom: t('Плановое переключение (patronictl switchover) отказывается работать.', 'A planned switchover (patronictl switchover) is refused.'),
		hints: [
			t('Посмотрите на последнюю строку patronictl list.', 'Look at the last line of patronictl list.'),
			t('Кластер в режиме обслуживания: Patroni ничего не решает сам.', 'The cluster is in maintenance mode: Patroni decides nothing.'),
			t('patronictl ... resume снимает паузу для всего кластера.', 'patronictl ... resume lifts the pause for the whole cluster.'),
		],
		breaks: () => `${patronictl} pause --wait`,
		undo: () => `${patronictl} resume --wait`,
		causeGone: context => `c=$(curl -s -f --max-time 3 ${api(context, 'cluster')}) && ! printf '%s' "$c" | grep -q '"pause": *true'`,
		fix: () => `${patronictl} resume --wait`,
	},
	{
		name: 'etcd-stopped', difficulty: 1, target: 'last', finding: 'etcd-down',
		description: t('etcd остановлен на одном узле', 'etcd stopped on one node'),
		symptom: t('etcdctl endpoint health называет один узел нездоровым.', 'etcdctl endpoint health calls one endpoint unhealthy.'),
		hints: [
			t('Кластер ещё работает: etcd жив, пока есть большинство.', 'The cluster still works: etcd lives while a majority does.'),
			t('Сравните systemctl status etcd на всех трёх узлах.', 'Compare systemctl status etcd on all three nodes.'),
			t('Служба etcd на одном узле остановлена: запустите её.', 'The etcd service is stopped on one node: start it.'),
		],
		breaks: () => 'systemctl stop etcd',
		undo: () => 'systemctl start etcd',
		causeGone: () => 'systemctl is-active --quiet etcd',
		fix: () => 'systemctl start etcd',
	},
	{
		name: 'pg-hba-replication', difficulty: 2, target: 'leader', finding: 'replica-pg-hba',
		description: t('Из pg_hba лидера удалена строка репликации', 'The replication line removed from the leader\'s pg_hba'),
		symptom: t('В кластере стало на одну реплику меньше: она не получает WAL.', 'The cluster has one replica fewer: it receives no WAL.'),
		hints: [
			t('Журнал реплики (journalctl -u patroni) говорит, кто её не пускает.', 'The replica\'s journal (journalctl -u patroni) says who refuses it.'),
			t('Лидер отвергает подключение репликации: смотрите его pg_hba.conf.', 'The leader refuses the replication connection: read its pg_hba.conf.'),
			t('Верните host replication replicator <подсеть> scram-sha-256 и reload.', 'Put back host replication replicator <subnet> scram-sha-256 and reload.'),
		],
		breaks: ({cluster}) => `f=${hbaFile}; ${keep('"$f"', 'pg_hba.conf')} && grep -v -E '^host +replication +replicator +${cluster.subnet.replace(/\./g, '\\.')} ' ${backupDir}/pg_hba.conf > "$f" && ${reloadPg}`,
		alsoOn: context => [{node: context.replica, script: restartPatroni({...context, node: context.replica})}],
		undo: () => `f=${hbaFile}; ${restore('"$f"', 'pg_hba.conf')}; ${reloadPg}`,
		causeGone: ({cluster}) => `grep -q -E '^host +replication +replicator +${cluster.subnet.replace(/\./g, '\\.')} ' ${hbaFile}`,
		fix: ({cluster}) => `echo 'host replication replicator ${cluster.subnet} scram-sha-256' >> ${hbaFile} && ${reloadPg}`,
	},
	{
		name: 'etcd-v2', difficulty: 2, target: 'replica', finding: 'patroni-etcd-v2',
		description: t('В файле Patroni etcd: вместо etcd3:', 'etcd: instead of etcd3: in a Patroni file'),
		symptom: t('После перезапуска реплика выпала из кластера, хотя etcd здоров.', 'After a restart a replica dropped out, although etcd is healthy.'),
		hints: [
			t('Patroni на этом узле не может поговорить с etcd: почему, если etcd жив?', 'Patroni on that node cannot talk to etcd: why, if etcd is alive?'),
			t('Сравните раздел DCS в config.yml этого узла и соседнего.', 'Compare the DCS section of config.yml on this node and a neighbour.'),
			t('etcd: — это API v2 (в etcd 3.5 выключен); нужен etcd3:, затем reset-failed.', 'etcd: is API v2 (off in etcd 3.5); make it etcd3:, then reset-failed.'),
		],
		breaks: context => `${keep(patroniConfigPath, 'config.yml')} && sed -i 's/^etcd3:/etcd:/' ${patroniConfigPath} && ${restartPatroni(context, false)}`,
		undo: context => `${restore(patroniConfigPath, 'config.yml')}; ${restartPatroni(context)}`,
		causeGone: () => `grep -q '^etcd3:' ${patroniConfigPath} && ! grep -q '^etcd:' ${patroniConfigPath} && systemctl is-active --quiet patroni`,
		fix: context => `sed -i 's/^etcd:/etcd3:/' ${patroniConfigPath} && ${restartPatroni(context)}`,
	},
	{
		name: 'replication-password', difficulty: 2, target: 'replica', finding: 'replica-password',
		description: t('Неверный пароль репликации в файле одной реплики', 'A wrong replication password in one replica\'s file'),
		symptom: t('Одна реплика после перезапуска не догоняет лидера.', 'After a restart one replica does not catch up with the leader.'),
		hints: [
			t('Лидер отвергает реплику; журнал реплики говорит почему.', 'The leader turns the replica away; its journal says why.'),
			t('Ищите «password authentication failed» и сравните файлы Patroni.', 'Look for "password authentication failed" and compare Patroni files.'),
			t('authentication.replication.password реплики должен совпадать с лидером.', 'The replica\'s authentication.replication.password must match the leader\'s.'),
		],
		breaks: context => `${keep(patroniConfigPath, 'config.yml')} && ${wrongPasswordAwk} ${backupDir}/config.yml > ${patroniConfigPath} && ${restartPatroni(context, false)}`,
		undo: context => `${restore(patroniConfigPath, 'config.yml')}; ${restartPatroni(context)}`,
		// The right password arrives on stdin (never on a command line): the file must hold it again.
		causeGone: () => `IFS= read -r pw; grep -q -F -- "$pw" ${patroniConfigPath} && ! grep -q practice-wrong-password ${patroniConfigPath}`,
		fix: context => `IFS= read -r pw; sed -i "s/practice-wrong-password/$pw/" ${patroniConfigPath} && ${restartPatroni(context)}`,
	},
	{
		name: 'check-in-frontend', difficulty: 3, target: 'haproxy', finding: 'haproxy-check-ignored',
		description: t('Проверка HAProxy перенесена во frontend', 'The HAProxy check moved into a frontend'),
		symptom: t('Часть записей через 5000 падает: «read-only transaction».', 'Some writes through 5000 fail: "read-only transaction".'),
		hints: [
			t('Запись попадает не только на лидера: кто решает, куда её слать?', 'Writes reach more than the leader: who decides where they go?'),
			t('Откройте haproxy.cfg и статистику на 8404: сколько серверов UP?', 'Open haproxy.cfg and the stats on 8404: how many servers are UP?'),
			t('option httpchk во frontend игнорируется: верните её к серверам.', 'option httpchk in a frontend is ignored: put it back with the servers.'),
		],
		breaks: ({cluster}) => `${keep(haproxyConfigPath, 'haproxy.cfg')} && ${writeSection(cluster, 'frontend')} && ${reloadHaproxy}`,
		undo: () => `${restore(haproxyConfigPath, 'haproxy.cfg')}; ${reloadHaproxy}`,
		causeGone: ({cluster}) => writeChecked(cluster),
		fix: () => `cp ${backupDir}/haproxy.cfg ${haproxyConfigPath} && ${reloadHaproxy}`,
	},
	{
		name: 'no-primary-check', difficulty: 2, target: 'haproxy', finding: 'haproxy-two-writers',
		description: t('Из раздела 5000 HAProxy удалена проверка /primary', 'The /primary check gone from HAProxy\'s 5000 section'),
		symptom: t('Каждая вторая запись через 5000 падает: «read-only transaction».', 'Every other write through 5000 fails: "read-only transaction".'),
		hints: [
			t('HAProxy считает живыми слишком много серверов для записи.', 'HAProxy counts too many servers as fit for writes.'),
			t('Сравните раздел порта 5000 с разделом 5001 в haproxy.cfg.', 'Compare the port 5000 section with the 5001 one in haproxy.cfg.'),
			t('Нужны option httpchk и http-check send ... uri /primary.', 'It needs option httpchk and http-check send ... uri /primary.'),
		],
		breaks: ({cluster}) => `${keep(haproxyConfigPath, 'haproxy.cfg')} && ${writeSection(cluster, 'no-check')} && ${reloadHaproxy}`,
		undo: () => `${restore(haproxyConfigPath, 'haproxy.cfg')}; ${reloadHaproxy}`,
		causeGone: ({cluster}) => writeChecked(cluster),
		fix: () => `cp ${backupDir}/haproxy.cfg ${haproxyConfigPath} && ${reloadHaproxy}`,
	},
	{
		name: 'read-check-port', difficulty: 2, target: 'haproxy', finding: 'haproxy-all-down',
		description: t('Проверки раздела 5001 HAProxy спрашивают не тот порт', 'HAProxy checks the 5001 servers on the wrong port'),
		symptom: t('Чтение через 5001 сразу обрывается; запись через 5000 работает.', 'Reads through 5001 are cut off at once; writes through 5000 work.'),
		hints: [
			t('Реплики живы и принимают запросы напрямую: кто их не пускает?', 'The replicas are alive and answer directly: who keeps them out?'),
			t('Статистика HAProxy на 8404: почему все серверы replicas DOWN?', 'HAProxy\'s stats on 8404: why is every replicas server DOWN?'),
			t('Порт после check port должен быть портом REST API Patroni (8008).', 'The port after check port must be Patroni\'s REST API port (8008).'),
		],
		breaks: ({cluster}) => `${keep(haproxyConfigPath, 'haproxy.cfg')} && ${writeSection(cluster, 'read-check-port')} && ${reloadHaproxy}`,
		undo: () => `${restore(haproxyConfigPath, 'haproxy.cfg')}; ${reloadHaproxy}`,
		causeGone: ({cluster}) => `${readCheckPortAwk(cluster)} ${haproxyConfigPath}`,
		fix: ({cluster}) => `sed -i 's/ port ${wrongApiPort(cluster)}$/ port ${cluster.ports.patroniApi}/' ${haproxyConfigPath} && ${reloadHaproxy}`,
	},
	{
		name: 'wrong-etcd-hosts', difficulty: 3, target: 'replica', finding: 'patroni-etcd-hosts',
		description: t('В файле Patroni у etcd3.hosts не тот порт', 'etcd3.hosts in a Patroni file has the wrong port'),
		symptom: t('Реплик стало меньше: одна пропала из patronictl list.', 'There are fewer replicas: one is gone from patronictl list.'),
		hints: [
			t('Узел и etcd на нём живы: журнал Patroni скажет, с кем нет связи.', 'The node and its etcd are alive: Patroni\'s journal says whom it cannot reach.'),
			t('Сравните раздел etcd3: в config.yml этого узла и соседнего.', 'Compare the etcd3: section of config.yml on this node and a neighbour.'),
			t('Клиентский порт etcd — 2379 (2380 — для участников между собой).', 'etcd\'s client port is 2379 (2380 is for members among themselves).'),
		],
		// 2380 is a real etcd port, the peer one: the mistake a student makes copying the wrong list.
		breaks: context => `${keep(patroniConfigPath, 'config.yml')} && sed -i 's/:${context.cluster.ports.etcdClient}\\b/:${context.cluster.ports.etcdPeer}/g' ${patroniConfigPath} && ${restartPatroni(context, false)}`,
		undo: context => `${restore(patroniConfigPath, 'config.yml')}; ${restartPatroni(context)}`,
		causeGone: ({cluster}) => `! grep -q ':${cluster.ports.etcdPeer}\\b' ${patroniConfigPath} && grep -q ':${cluster.ports.etcdClient}\\b' ${patroniConfigPath}`,
		fix: context => `sed -i 's/:${context.cluster.ports.etcdPeer}\\b/:${context.cluster.ports.etcdClient}/g' ${patroniConfigPath} && ${restartPatroni(context)}`,
	},
	{
		name: 'cloned-hostname', difficulty: 1, target: 'last', finding: 'duplicate-hostname',
		description: t('Два узла с одним именем хоста (клон ВМ)', 'Two nodes with one hostname (a cloned VM)'),
		symptom: t('Приглашение на двух узлах одинаковое; журналы путают узлы.', 'Two nodes show the same prompt; the logs mix them up.'),
		hints: [
			t('Запустите hostname на каждом узле.', 'Run hostname on every node.'),
			t('Клонированная ВМ сохранила имя оригинала.', 'A cloned VM kept the original\'s name.'),
			t('hostnamectl set-hostname <имя из pgha.yaml> на клоне.', 'hostnamectl set-hostname <name from pgha.yaml> on the clone.'),
		],
		breaks: ({cluster}) => `hostnamectl set-hostname ${cluster.nodes[0]!.name} 2>/dev/null || hostname ${cluster.nodes[0]!.name}`,
		undo: ({node}) => `hostnamectl set-hostname ${node.name} 2>/dev/null || hostname ${node.name}`,
		causeGone: ({node}) => `[ "$(hostname)" = ${node.name} ]`,
		fix: ({node}) => `hostnamectl set-hostname ${node.name} 2>/dev/null || hostname ${node.name}`,
	},
	{
		name: 'port-taken', difficulty: 3, target: 'replica', finding: 'port-foreign',
		description: t('Порт 5432 занят чужой программой', 'Port 5432 taken by another program'),
		symptom: t('PostgreSQL на одной реплике не запускается; реплик стало меньше.', 'PostgreSQL does not start on one replica; there are fewer replicas.'),
		hints: [
			t('Patroni не может поднять PostgreSQL: что мешает ему слушать?', 'Patroni cannot bring PostgreSQL up: what keeps it from listening?'),
			t('ss -ltnp | grep 5432 покажет, кто держит порт.', 'ss -ltnp | grep 5432 shows who holds the port.'),
			t('Остановите чужую службу (systemctl stop ...) и запустите patroni.', 'Stop the foreign service (systemctl stop ...) and start patroni.'),
		],
		// A test web server someone left on the port while PostgreSQL was down: a transient unit, gone on undo.
		breaks: ({cluster}) => `systemctl stop patroni && systemd-run --quiet --unit=${squatter} python3 -m http.server ${cluster.ports.postgres} && for i in 1 2 3 4 5; do ss -ltnH "sport = :${cluster.ports.postgres}" | grep -q . && break; sleep 1; done`,
		undo: () => `systemctl stop ${squatter} 2>/dev/null; systemctl reset-failed ${squatter} 2>/dev/null; systemctl start patroni`,
		causeGone: ({cluster}) => `! systemctl is-active --quiet ${squatter} && ss -ltnpH "sport = :${cluster.ports.postgres}" | grep -q '"postgres"' && systemctl is-active --quiet patroni`,
		fix: ({cluster}) => `systemctl stop ${squatter} && systemctl start patroni && for i in $(seq 1 30); do ss -ltnpH "sport = :${cluster.ports.postgres}" | grep -q '"postgres"' && break; sleep 2; done`,
	},
];

/** Every script is given PATH first: sudo's secure_path may lack /usr/local/bin (etcdctl, patronictl). */
export function rootScript(script: string): string {
	return `${path}\n${script}`;
}

export function scenarioNames(): string[] {
	return scenarios.map(scenario => scenario.name);
}

export function findScenario(name: string): Scenario | undefined {
	return scenarios.find(scenario => scenario.name === name);
}

/** The findings doctor must name while the scenario is broken, as rule@node (cluster for cluster-wide). */
export function expectedFindings(scenario: Scenario, node: string): string[] {
	const at = scenario.findingOnCluster ? 'cluster' : node;
	return [`${scenario.finding}@${at}`];
}
