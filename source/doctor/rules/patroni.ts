/**
 * Patroni rules: its file speaking etcd's v2 API or naming the wrong etcd hosts, Patroni not
 * answering, the cluster paused or without a leader, a replica that does not stream (with the cause
 * its logs and the leader's pg_hba.conf show) and lag beyond maximum_lag_on_failover.
 */
import {t} from '../../core/text.ts';
import {defaultMaximumLagOnFailover, patroniRoles} from '../../../templates/patroni-yml.ts';
import {finding, type Finding, type FindingDefinition} from '../finding.ts';
import type {ClusterFacts, ClusterMemberJson} from '../facts.ts';
import {configInUse, hbaAllowsReplication, nodeOfMember, parseConfig, patronictlFor, plannedEtcdHosts, reachedNodes, sectionLines, type Reached} from './common.ts';

export const patroniEtcdV2: FindingDefinition = {
	id: 'patroni-etcd-v2', severity: 'error',
	title: t('Patroni говорит с etcd по старому API v2', 'Patroni speaks etcd\'s old v2 API'),
	symptom: t('Patroni не стартует или бесконечно пишет, что не может достучаться до etcd, хотя etcd здоров.', 'Patroni does not start, or keeps saying it cannot reach etcd although etcd is healthy.'),
	remedy: t('Раздел etcd: — это протокол v2, выключенный в etcd 3.4+. Нужен раздел etcd3: с hosts:, затем перезапуск Patroni.',
		'An etcd: section means the v2 protocol, off in etcd 3.4 and later. It must be etcd3: with hosts:, then Patroni restarted.'),
	runbook: {stage: 'patroni', step: 'patroni.config'},
};

export const patroniEtcdHosts: FindingDefinition = {
	id: 'patroni-etcd-hosts', severity: 'error',
	title: t('Patroni смотрит не на те узлы etcd', 'Patroni points at the wrong etcd hosts'),
	symptom: t('Patroni теряет DCS, когда падает один узел etcd, или не находит его вовсе.', 'Patroni loses its DCS when one etcd node goes down, or never finds it.'),
	remedy: t('В etcd3.hosts должны быть клиентские адреса (порт 2379) всех участников etcd.', 'etcd3.hosts must list the client addresses (port 2379) of every etcd member.'),
	runbook: {stage: 'patroni', step: 'patroni.config'},
};

export const patroniDown: FindingDefinition = {
	id: 'patroni-down', severity: 'error',
	title: t('Patroni не отвечает', 'Patroni does not answer'),
	symptom: t('REST API на порту 8008 молчит; HAProxy помечает узел как DOWN.', 'The REST API on port 8008 is silent; HAProxy marks the node DOWN.'),
	remedy: t('Patroni остановлен или упал; причина — в journalctl -u patroni.', 'Patroni is stopped or crashed; journalctl -u patroni says why.'),
	runbook: {stage: 'patroni', step: 'patroni.cluster'},
};

export const patroniPaused: FindingDefinition = {
	id: 'patroni-paused', severity: 'error',
	title: t('Patroni на паузе (режим обслуживания)', 'Patroni is paused (maintenance mode)'),
	symptom: t('patronictl list пишет «Maintenance mode: on»; при падении лидера переключения не будет.', 'patronictl list says "Maintenance mode: on"; if the leader fails, nothing fails over.'),
	remedy: t('Кто-то выполнил patronictl pause. Закончив обслуживание, снимите паузу: patronictl resume.', 'Someone ran patronictl pause. When the maintenance is over, lift it: patronictl resume.'),
	runbook: {stage: 'patroni', step: 'patroni.cluster'},
};

export const patroniNoLeader: FindingDefinition = {
	id: 'patroni-no-leader', severity: 'error',
	title: t('В кластере нет лидера', 'The cluster has no leader'),
	symptom: t('Запись через порт 5000 не проходит.', 'Writes through port 5000 fail.'),
	remedy: t('Patroni не может выбрать лидера: чаще всего недоступен etcd или все узлы помечены nofailover.', 'Patroni cannot elect a leader: most often etcd is unavailable, or every node is tagged nofailover.'),
	runbook: {stage: 'patroni', step: 'patroni.leader'},
};

export const replicaPgHba: FindingDefinition = {
	id: 'replica-pg-hba', severity: 'error',
	title: t('Реплика не может подключиться: нет строки replication в pg_hba', 'A replica cannot connect: pg_hba has no replication line'),
	symptom: t('Реплика в состоянии starting/stopped, в журнале «no pg_hba.conf entry for replication connection».', 'The replica stays starting/stopped; the log says "no pg_hba.conf entry for replication connection".'),
	remedy: t('Строка host replication replicator <подсеть> нужна в pg_hba лидера (в Patroni — в postgresql.pg_hba на каждом узле).', 'A host replication replicator <subnet> line is needed in the leader\'s pg_hba (with Patroni: in postgresql.pg_hba on every node).'),
	runbook: {stage: 'patroni', step: 'patroni.replicas'},
};

export const replicaPassword: FindingDefinition = {
	id: 'replica-password', severity: 'error',
	title: t('Реплика подключается с неверным паролем репликации', 'A replica uses a wrong replication password'),
	symptom: t('В журнале «password authentication failed for user "replicator"».', 'The log says \'password authentication failed for user "replicator"\'.'),
	remedy: t('Пароль postgresql.authentication.replication в файле Patroni реплики не совпадает с паролем роли replicator на лидере.', 'The replica\'s postgresql.authentication.replication password differs from the replicator role\'s on the leader.'),
	runbook: {stage: 'patroni', step: 'patroni.config'},
};

export const replicaDiverged: FindingDefinition = {
	id: 'replica-diverged', severity: 'error',
	title: t('Реплика разошлась с лидером, нужен reinit', 'A replica diverged from the leader and needs reinit'),
	symptom: t('В журнале «requested timeline ... is not a child of this server\'s history».', 'The log says "requested timeline ... is not a child of this server\'s history".'),
	remedy: t('После переключения бывший лидер записал то, чего нет у нового, а pg_rewind не помог. patronictl reinit пересоздаёт реплику с лидера.',
		'After a failover the old leader holds writes the new one lacks, and pg_rewind did not help. patronictl reinit rebuilds the replica from the leader.'),
	runbook: {stage: 'patroni', step: 'patroni.replicas'},
};

export const replicaNotStreaming: FindingDefinition = {
	id: 'replica-not-streaming', severity: 'error',
	title: t('Реплика не получает WAL', 'A replica does not stream'),
	symptom: t('patronictl list показывает реплику не в состоянии streaming.', 'patronictl list shows the replica in a state other than streaming.'),
	remedy: t('Причину пишет журнал реплики (journalctl -u patroni); частые — сеть до лидера на 5432, pg_hba, пароль, расхождение линий времени.',
		'The replica\'s journal says why (journalctl -u patroni); the usual causes are the network to the leader on 5432, pg_hba, the password, diverged timelines.'),
	runbook: {stage: 'patroni', step: 'patroni.replicas'},
};

export const replicaLag: FindingDefinition = {
	id: 'replica-lag', severity: 'warning',
	title: t('Реплика отстаёт больше maximum_lag_on_failover', 'A replica lags beyond maximum_lag_on_failover'),
	symptom: t('При падении лидера эту реплику не повысят: она слишком отстала.', 'If the leader fails, this replica will not be promoted: it is too far behind.'),
	remedy: t('Отставание растёт от медленного диска или сети реплики или от нагрузки на лидере; посмотрите pg_stat_replication на лидере.',
		'Lag grows from the replica\'s slow disk or network or from load on the leader; look at pg_stat_replication on the leader.'),
	runbook: {stage: 'patroni', step: 'patroni.cluster'},
};

export const patroniDefinitions = [patroniEtcdV2, patroniEtcdHosts, patroniDown, patroniPaused, patroniNoLeader, replicaPgHba, replicaPassword, replicaDiverged, replicaNotStreaming, replicaLag];

function hostsOf(value: unknown): string[] | undefined {
	const section = value && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
	if (!section) return undefined;
	const raw = section['hosts'] ?? section['host'] ?? section['urls'] ?? section['url'];
	const list = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw.map(String) : [];
	return list.map(host => host.trim().replace(/^https?:\/\//, '').replace(/\/+$/, '')).filter(Boolean);
}

/**
 * Restarting Patroni the way it was started: pgha's unit, or the guide's terminal. A Patroni that
 * crash-looped has hit systemd's start limit, which refuses a plain restart until it is reset.
 */
function restartPatroni(item: Reached): string {
	return item.facts.patroni.unit === 'active' || item.facts.patroni.processes.length === 0
		? 'sudo systemctl reset-failed patroni; sudo systemctl restart patroni'
		: '# stop the patroni started by hand (Ctrl+C in its terminal), then start it again / остановите Patroni, запущенный вручную, и запустите снова';
}

export function patroniConfigRule(facts: ClusterFacts): Finding[] {
	const planned = plannedEtcdHosts(facts.cluster);
	return reachedNodes(facts).flatMap(item => {
		const file = configInUse(item.facts);
		const config = file ? parseConfig(file) : undefined;
		if (!file || !config) return [];
		if (config['etcd'] !== undefined && config['etcd3'] === undefined) {
			return [finding(patroniEtcdV2, item.node.name,
				t(`файл Patroni на ${item.node.name} (${file.path}) задаёт etcd: — это API v2, которого etcd 3.4+ по умолчанию не даёт.`, `the Patroni file on ${item.node.name} (${file.path}) says etcd:, the v2 API, which etcd 3.4 and later do not serve by default.`),
				sectionLines(file, /^etcd:/),
				[`sudo sed -i 's/^etcd:/etcd3:/' ${file.path}`, restartPatroni(item)])];
		}

		if (config['etcd3'] === undefined) return [];
		const hosts = hostsOf(config['etcd3']);
		const evidence = sectionLines(file, /^etcd3:/);
		if (!hosts || hosts.length === 0) {
			return [finding(patroniEtcdHosts, item.node.name,
				t(`в файле Patroni на ${item.node.name} (${file.path}) раздел etcd3: — не словарь с hosts:, Patroni не найдёт etcd.`, `in the Patroni file on ${item.node.name} (${file.path}) the etcd3: section is not a mapping with hosts:, so Patroni cannot find etcd.`),
				evidence, [`# ${file.path}: etcd3:\\n  hosts: [${planned.join(', ')}]`, restartPatroni(item)])];
		}

		const unknown = hosts.filter(host => !planned.includes(host));
		const missing = planned.filter(host => !hosts.includes(host));
		if (unknown.length === 0 && missing.length === 0) return [];
		const ru = [unknown.length > 0 ? `лишние ${unknown.join(', ')}` : '', missing.length > 0 ? `нет ${missing.join(', ')}` : ''].filter(Boolean).join('; ');
		const en = [unknown.length > 0 ? `not members: ${unknown.join(', ')}` : '', missing.length > 0 ? `missing: ${missing.join(', ')}` : ''].filter(Boolean).join('; ');
		return [finding(patroniEtcdHosts, item.node.name,
			t(`Patroni на ${item.node.name} смотрит не на те узлы etcd (${ru}).`, `Patroni on ${item.node.name} points at the wrong etcd hosts (${en}).`),
			evidence, [`# ${file.path}: etcd3.hosts: [${planned.join(', ')}]`, restartPatroni(item)])];
	});
}

/** The cluster as the first answering Patroni lists it. */
function clusterView(facts: ClusterFacts): {members: readonly ClusterMemberJson[]; pause: boolean; from: string} | undefined {
	for (const item of reachedNodes(facts)) {
		const view = item.facts.patroni.cluster;
		if (view) return {...view, from: item.node.name};
	}

	return undefined;
}

export function patroniDownRule(facts: ClusterFacts): Finding[] {
	return reachedNodes(facts).flatMap(item => {
		if (item.facts.patroni.self || item.facts.patroni.cluster) return [];
		const {patroni} = item.facts;
		// Nothing of Patroni on this node at all: not a Patroni node (or not built yet); nothing to say.
		if (patroni.configs.length === 0 && patroni.processes.length === 0 && patroni.unit !== 'failed' && patroni.unit !== 'active') return [];
		const api = `http://${item.node.ip}:${facts.cluster.ports.patroniApi}/patroni`;
		return [finding(patroniDown, item.node.name,
			patroni.processes.length > 0
				? t(`Patroni на ${item.node.name} запущен, но его REST API (${api}) не отвечает.`, `Patroni on ${item.node.name} runs but its REST API (${api}) does not answer.`)
				: t(`Patroni на ${item.node.name} не запущен.`, `Patroni on ${item.node.name} is not running.`),
			[`systemctl is-active patroni: ${patroni.unit}`, `curl ${api}: no answer`, ...item.facts.pgLog.slice(-1)],
			['sudo systemctl start patroni', 'sudo journalctl -u patroni -n 50 --no-pager'])];
	});
}

export function pauseRule(facts: ClusterFacts): Finding[] {
	const paused = reachedNodes(facts).find(item => item.facts.patroni.cluster?.pause || item.facts.patroni.self?.pause);
	if (!paused) return [];
	const file = configInUse(paused.facts);
	return [finding(patroniPaused, undefined,
		t('Patroni на паузе (режим обслуживания): при отказе лидера автоматического переключения не будет.', 'Patroni is paused (maintenance mode): if the leader fails, nothing fails over automatically.'),
		[`GET http://${paused.node.ip}:${facts.cluster.ports.patroniApi}/cluster: "pause": true`],
		[`${patronictlFor(facts.cluster, file)} resume`])];
}

export function leaderRule(facts: ClusterFacts): Finding[] {
	const view = clusterView(facts);
	if (!view || view.members.some(member => member.role === 'leader' || member.role === 'standby_leader')) return [];
	return [finding(patroniNoLeader, undefined,
		t('в кластере Patroni нет лидера: запись невозможна.', 'the Patroni cluster has no leader: nothing can be written.'),
		[`GET /cluster on ${view.from}: ${view.members.map(member => `${member.name} ${member.role} ${member.state}`).join('; ')}`],
		['sudo journalctl -u patroni -n 50 --no-pager', `${patronictlFor(facts.cluster, undefined)} list`])];
}

const divergence = /is not a child of this server|is not in this server.s history|forked off current database system timeline/;

/**
 * For each replica that does not stream: the cause from its own log, the leader's log lines that
 * name its address, and the leader's pg_hba.conf. A missing pg_hba line is reported on the leader
 * (that is where the fix goes); a wrong password and a divergence on the replica.
 */
export function replicaRule(facts: ClusterFacts): Finding[] {
	const view = clusterView(facts);
	if (!view) return [];
	const reached = reachedNodes(facts);
	const leaderMember = view.members.find(member => member.role === 'leader' || member.role === 'standby_leader');
	const leaderNode = leaderMember ? nodeOfMember(facts.cluster, leaderMember) : undefined;
	const leader = reached.find(item => item.node.name === leaderNode?.name);
	const out: Finding[] = [];
	const hbaReplicas: Array<{member: ClusterMemberJson; lines: string[]}> = [];
	for (const member of view.members) {
		if (member === leaderMember) continue;
		const node = nodeOfMember(facts.cluster, member);
		const replica = reached.find(item => item.node.name === node?.name);
		if (!node || !replica) continue;
		// The leader's own list of who streams from it decides; Patroni 3.0 reports a streaming replica as
		// "running", later releases say "streaming", and both say "running" for one that only replays.
		const senders = leader?.facts.patroni.self?.replication;
		const selfState = replica.facts.patroni.self?.replicationState;
		const streaming = senders
			? senders.some(row => (row.address === node.ip || row.name === member.name) && row.state === 'streaming')
			: (member.state === 'streaming' || member.state === 'running') && (selfState === undefined || selfState === 'streaming');
		if (streaming) continue;
		const ownLog = replica.facts.pgLog;
		const leaderLog = (leader?.facts.pgLog ?? []).filter(line => line.includes(`"${node.ip}"`) || line.includes(` ${node.ip} `));
		const state = `GET /cluster: ${member.name} ${member.role} ${member.state}${member.lag === undefined ? '' : `, lag ${member.lag}`}`;
		const hbaLog = [...ownLog, ...leaderLog].filter(line => line.includes('no pg_hba.conf entry for replication'));
		const leaderHba = leader?.facts.hba.find(file => file.lines !== undefined);
		const hbaMissing = leaderHba?.lines !== undefined && !hbaAllowsReplication(leaderHba.lines, patroniRoles.replication, node.ip);
		if (hbaLog.length > 0 || hbaMissing) {
			hbaReplicas.push({member, lines: [state, ...hbaLog.slice(-1)]});
			continue;
		}

		const password = ownLog.filter(line => /password authentication failed for user "?replicator/.test(line));
		if (password.length > 0) {
			const file = configInUse(replica.facts);
			out.push(finding(replicaPassword, node.name,
				t(`${node.name} не получает WAL: лидер отвергает пароль репликации из файла Patroni этой реплики.`, `${node.name} does not stream: the leader rejects the replication password in this replica's Patroni file.`),
				[state, password.at(-1)!],
				[`# ${file?.path ?? 'patroni.yml'}: postgresql.authentication.replication.password = the leader's / как на лидере`, restartPatroni(replica), '# pgha: pgha apply --only patroni']));
			continue;
		}

		const diverged = ownLog.filter(line => divergence.test(line));
		if (diverged.length > 0) {
			out.push(finding(replicaDiverged, node.name,
				t(`${node.name} разошлась с лидером (другая линия времени) и не может продолжить репликацию: нужен reinit.`, `${node.name} has diverged from the leader (another timeline) and cannot resume replication: it needs a reinit.`),
				[state, diverged.at(-1)!],
				[`${patronictlFor(facts.cluster, configInUse(replica.facts))} reinit ${facts.cluster.name} ${member.name} --force`]));
			continue;
		}

		out.push(finding(replicaNotStreaming, node.name,
			t(`${node.name} — реплика, но WAL не получает (состояние ${member.state}).`, `${node.name} is a replica but does not stream (state ${member.state}).`),
			[state, ...ownLog.slice(-1)],
			['sudo journalctl -u patroni -n 50 --no-pager', `nc -zv ${leaderNode?.ip ?? '<leader>'} ${facts.cluster.ports.postgres}`]));
	}

	if (hbaReplicas.length > 0 && leaderNode) {
		const names = hbaReplicas.map(entry => entry.member.name).join(', ');
		const hbaFile = leader?.facts.hba.find(file => file.lines !== undefined);
		const replicationLines = hbaFile?.lines?.filter(line => /\breplication\b/.test(line)) ?? [];
		const path = `${hbaFile?.dataDir ?? '$PGDATA'}/pg_hba.conf`;
		out.unshift(finding(replicaPgHba, leaderNode.name,
			t(`pg_hba.conf лидера ${leaderNode.name} не пускает репликацию с ${names}: эти реплики не получают WAL.`, `the leader ${leaderNode.name}'s pg_hba.conf lets no replication in from ${names}: those replicas do not stream.`),
			[...hbaReplicas.flatMap(entry => entry.lines), `${path}: ${replicationLines.length > 0 ? replicationLines.join(' | ') : 'no "host replication" line'}`],
			[`echo 'host replication ${patroniRoles.replication} ${facts.cluster.subnet} scram-sha-256' | sudo tee -a ${path}`,
				'sudo -u postgres psql -c "select pg_reload_conf()"',
				'# Patroni rewrites pg_hba.conf from postgresql.pg_hba: keep the line there too / строка должна быть и в postgresql.pg_hba']));
	}

	return out;
}

export function lagRule(facts: ClusterFacts): Finding[] {
	const view = clusterView(facts);
	if (!view) return [];
	const limit = reachedNodes(facts).map(item => item.facts.patroni.maximumLagOnFailover).find(value => value !== undefined) ?? defaultMaximumLagOnFailover;
	return view.members.flatMap(member => {
		if (member.lag === undefined || member.lag <= limit || member.role === 'leader') return [];
		const node = nodeOfMember(facts.cluster, member);
		if (!node) return [];
		const mb = (member.lag / 1_048_576).toFixed(1);
		return [finding(replicaLag, node.name,
			t(`${node.name} отстаёт на ${mb} МБ при пределе maximum_lag_on_failover ${limit} байт: при отказе лидера её не повысят.`, `${node.name} lags ${mb} MB behind while maximum_lag_on_failover is ${limit} bytes: it would not be promoted if the leader failed.`),
			[`GET /cluster: ${member.name} lag ${member.lag}`, `GET /config: maximum_lag_on_failover ${limit}`],
			['# on the leader / на лидере:', 'sudo -u postgres psql -xc "select application_name, state, write_lag, replay_lag from pg_stat_replication"'])];
	});
}

