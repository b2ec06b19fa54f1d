/**
 * HAProxy rules: health checks written where HAProxy ignores them (a `frontend`, as in the guide),
 * a backend with no server UP, the write backend with more than one server UP, and HAProxy not
 * running on a node that should run it.
 */
import {t} from '../../core/text.ts';
import {haproxyConfigPath} from '../../../templates/haproxy-cfg.ts';
import {finding, type Finding, type FindingDefinition} from '../finding.ts';
import type {ClusterFacts} from '../facts.ts';
import {reachedNodes} from './common.ts';

export const haproxyCheckIgnored: FindingDefinition = {
	id: 'haproxy-check-ignored', severity: 'warning',
	title: t('Проверки HAProxy стоят там, где он их не выполняет', 'HAProxy checks sit where HAProxy ignores them'),
	symptom: t('haproxy -c предупреждает «option httpchk ... ignored for frontend»; без проверок в backend запись может уйти на реплику.', 'haproxy -c warns "option httpchk ... ignored for frontend"; with no checks in the backend, writes may reach a replica.'),
	remedy: t('option httpchk и http-check действуют только в backend или listen — там, где серверы. Перенесите их туда.', 'option httpchk and http-check only work in a backend or listen section, where the servers are. Move them there.'),
	runbook: {stage: 'haproxy', step: 'haproxy.config'},
};

export const haproxyAllDown: FindingDefinition = {
	id: 'haproxy-all-down', severity: 'error',
	title: t('У HAProxy нет ни одного живого сервера в backend', 'An HAProxy backend has no server UP'),
	symptom: t('Подключения через 5000 или 5001 сразу обрываются.', 'Connections through 5000 or 5001 are closed at once.'),
	remedy: t('Проверки не проходят ни на одном узле: Patroni не отвечает на 8008, URI проверки не тот, или порт 8008 закрыт с узла HAProxy.',
		'The checks fail on every node: Patroni does not answer on 8008, the check\'s URI is wrong, or port 8008 is closed from the HAProxy node.'),
	runbook: {stage: 'haproxy', step: 'haproxy.routing'},
};

export const haproxyTwoWriters: FindingDefinition = {
	id: 'haproxy-two-writers', severity: 'error',
	title: t('Запись через HAProxy уходит на несколько серверов', 'HAProxy sends writes to more than one server'),
	symptom: t('Часть записей через 5000 падает с «cannot execute ... in a read-only transaction».', 'Some writes through 5000 fail with "cannot execute ... in a read-only transaction".'),
	remedy: t('В backend записи должен быть UP ровно один сервер — лидер. Несколько UP значит, что проверка не спрашивает Patroni /primary.',
		'Exactly one server, the leader, may be UP behind the write port. Several UP means the check does not ask Patroni\'s /primary.'),
	runbook: {stage: 'haproxy', step: 'haproxy.config'},
};

export const haproxyDown: FindingDefinition = {
	id: 'haproxy-down', severity: 'error',
	title: t('HAProxy не работает', 'HAProxy is not running'),
	symptom: t('Порты 5000 и 5001 закрыты.', 'Ports 5000 and 5001 are closed.'),
	remedy: t('Запустите HAProxy; если он не стартует, haproxy -c -f /etc/haproxy/haproxy.cfg покажет ошибку в файле.', 'Start HAProxy; if it will not start, haproxy -c -f /etc/haproxy/haproxy.cfg shows the error in its file.'),
	runbook: {stage: 'haproxy', step: 'haproxy.config'},
};

export const haproxyDefinitions = [haproxyCheckIgnored, haproxyAllDown, haproxyTwoWriters, haproxyDown];

export interface ProxySection {
	readonly kind: 'frontend' | 'backend' | 'listen' | 'other';
	readonly name: string;
	/** 1-based line of the section's header. */
	readonly line: number;
	readonly binds: readonly number[];
	readonly defaultBackend?: string;
	/** option httpchk / http-check lines with their line numbers. */
	readonly checks: ReadonlyArray<{readonly line: number; readonly text: string}>;
	readonly servers: readonly string[];
}

export function parseHaproxySections(config: string): ProxySection[] {
	const sections: Array<{kind: ProxySection['kind']; name: string; line: number; binds: number[]; defaultBackend?: string; checks: Array<{line: number; text: string}>; servers: string[]}> = [];
	config.split('\n').forEach((raw, index) => {
		const line = raw.replace(/#.*$/, '').trim();
		if (!line) return;
		const header = /^(frontend|backend|listen|global|defaults|resolvers|peers|userlist|program|cache|ring|http-errors)\b\s*(\S*)/.exec(line);
		if (header && /^\S/.test(raw)) {
			const kind = ['frontend', 'backend', 'listen'].includes(header[1]!) ? header[1] as ProxySection['kind'] : 'other';
			sections.push({kind, name: header[2] ?? '', line: index + 1, binds: [], checks: [], servers: []});
			return;
		}

		const current = sections.at(-1);
		if (!current) return;
		const bind = /^bind\s+\S*:(\d+)/.exec(line);
		if (bind) current.binds.push(Number(bind[1]));
		const backend = /^(default_backend|use_backend)\s+(\S+)/.exec(line);
		if (backend && !current.defaultBackend) current.defaultBackend = backend[2];
		if (/^(option\s+httpchk|http-check\s)/.test(line)) current.checks.push({line: index + 1, text: line});
		const server = /^server\s+(\S+)/.exec(line);
		if (server) current.servers.push(server[1]!);
	});
	return sections;
}

export interface StatsRow {
	readonly proxy: string;
	readonly server: string;
	readonly status: string;
	readonly check: string;
}

/** HAProxy's `;csv` stats, servers only (no FRONTEND/BACKEND summary rows). */
export function parseStatsRows(csv: string): StatsRow[] {
	const lines = csv.split('\n').filter(line => line.trim() !== '');
	const header = lines[0]?.replace(/^# ?/, '').split(',') ?? [];
	const at = (name: string) => header.indexOf(name);
	return lines.slice(1).map(line => line.split(',')).filter(fields => !['FRONTEND', 'BACKEND'].includes(fields[at('svname')] ?? ''))
		.map(fields => ({proxy: fields[at('pxname')] ?? '', server: fields[at('svname')] ?? '', status: fields[at('status')] ?? '', check: fields[at('check_status')] ?? ''}));
}

/** The section that holds the servers for a client port: a listen binding it, or the backend its frontend uses. */
export function proxyForPort(sections: readonly ProxySection[], port: number): ProxySection | undefined {
	const direct = sections.find(section => section.kind === 'listen' && section.binds.includes(port));
	if (direct) return direct;
	const frontend = sections.find(section => section.kind === 'frontend' && section.binds.includes(port));
	return frontend?.defaultBackend ? sections.find(section => section.kind === 'backend' && section.name === frontend.defaultBackend) : undefined;
}

const up = (row: StatsRow): boolean => row.status.startsWith('UP') || row.status === 'no check';

export function haproxyRule(facts: ClusterFacts): Finding[] {
	const {cluster} = facts;
	return reachedNodes(facts).flatMap(item => {
		const {haproxy} = item.facts;
		const planned = cluster.haproxy.nodes.includes(item.node.name);
		if (haproxy.config === undefined) return [];
		const out: Finding[] = [];
		const sections = parseHaproxySections(haproxy.config);
		const write = proxyForPort(sections, cluster.ports.haproxyWrite);
		const listening = item.facts.listeners.some(listener => listener.port === cluster.ports.haproxyWrite && listener.processes.includes('haproxy'));
		if (planned && haproxy.unit !== 'active' && !listening) {
			return [finding(haproxyDown, item.node.name,
				t(`HAProxy на ${item.node.name} не работает: порт ${cluster.ports.haproxyWrite} никто не слушает.`, `HAProxy on ${item.node.name} is not running: nothing listens on port ${cluster.ports.haproxyWrite}.`),
				[`systemctl is-active haproxy: ${haproxy.unit}`],
				[`sudo haproxy -c -f ${haproxyConfigPath}`, 'sudo systemctl start haproxy', 'sudo journalctl -u haproxy -n 30 --no-pager'])];
		}

		const rows = haproxy.statsCsv === undefined ? [] : parseStatsRows(haproxy.statsCsv);
		const upIn = (proxy: string) => rows.filter(row => row.proxy === proxy && up(row));
		// Writers let through because the only checks sit in a frontend: that is this cause, said once with both kinds of evidence.
		const explained = new Set<string>();
		for (const frontend of sections.filter(section => section.kind === 'frontend' && section.checks.length > 0)) {
			const backend = frontend.defaultBackend ? sections.find(section => section.name === frontend.defaultBackend && section.kind === 'backend') : undefined;
			const backendChecks = backend && backend.checks.length > 0;
			const writers = !backendChecks && backend && write?.name === backend.name ? upIn(backend.name) : [];
			if (writers.length > 1) explained.add(backend!.name);
			out.push(finding(writers.length > 1 ? {...haproxyCheckIgnored, severity: 'error'} : haproxyCheckIgnored, item.node.name,
				backendChecks
					? t(`в ${haproxyConfigPath} на ${item.node.name} проверки стоят и во frontend ${frontend.name}, где HAProxy их игнорирует; работают только те, что в backend ${backend!.name}.`,
						`in ${haproxyConfigPath} on ${item.node.name} checks also sit in frontend ${frontend.name}, where HAProxy ignores them; only those in backend ${backend!.name} work.`)
					: t(`в ${haproxyConfigPath} на ${item.node.name} проверки стоят во frontend ${frontend.name}, где HAProxy их игнорирует: серверы ${frontend.defaultBackend ?? ''} не проверяются через Patroni.`,
						`in ${haproxyConfigPath} on ${item.node.name} the checks sit in frontend ${frontend.name}, where HAProxy ignores them: the servers of ${frontend.defaultBackend ?? 'its backend'} are not checked through Patroni.`),
				[
					...frontend.checks.map(check => `${haproxyConfigPath}:${check.line}: frontend ${frontend.name}: ${check.text}`),
					...(writers.length > 1 ? writers.map(row => `stats: ${row.proxy}/${row.server} ${row.status}${row.check ? ` (${row.check})` : ''}: ${writers.length} servers take writes`) : []),
				],
				[`# move the option httpchk / http-check lines into ${backend ? `backend ${backend.name}` : 'the backend'} / перенесите строки в backend`, `sudo haproxy -c -f ${haproxyConfigPath}`, 'sudo systemctl reload haproxy']));
		}

		if (haproxy.statsCsv === undefined) return out;
		const proxies = [...new Set(rows.map(row => row.proxy))].filter(proxy => proxy !== 'stats');
		for (const proxy of proxies) {
			const servers = rows.filter(row => row.proxy === proxy);
			const evidence = servers.map(row => `stats: ${row.proxy}/${row.server} ${row.status}${row.check ? ` (${row.check})` : ''}`);
			const port = proxyForPort(sections, cluster.ports.haproxyWrite)?.name === proxy ? cluster.ports.haproxyWrite
				: proxyForPort(sections, cluster.ports.haproxyRead)?.name === proxy ? cluster.ports.haproxyRead : undefined;
			const where = port ? ` (${port})` : '';
			if (servers.length > 0 && !servers.some(up)) {
				out.push(finding(haproxyAllDown, item.node.name,
					t(`у HAProxy на ${item.node.name} в ${proxy}${where} нет ни одного сервера UP: подключения туда не проходят.`, `HAProxy on ${item.node.name} has no server UP in ${proxy}${where}: connections there fail.`),
					evidence,
					[`curl -s -o /dev/null -w '%{http_code}\\n' http://${cluster.nodes[0]!.ip}:${cluster.ports.patroniApi}/primary`, `sudo haproxy -c -f ${haproxyConfigPath}`]));
			} else if (write?.name === proxy && servers.filter(up).length > 1 && !explained.has(proxy)) {
				const checked = write.checks.length > 0;
				out.push(finding(haproxyTwoWriters, item.node.name,
					checked
						? t(`у HAProxy на ${item.node.name} в ${proxy}${where} UP сразу ${servers.filter(up).length} сервера: запись уходит не только на лидера.`, `HAProxy on ${item.node.name} has ${servers.filter(up).length} servers UP in ${proxy}${where}: writes go to more than the leader.`)
						: t(`у HAProxy на ${item.node.name} в ${proxy}${where} UP сразу ${servers.filter(up).length} сервера: в этом разделе нет проверки /primary, поэтому запись идёт и на реплики.`,
							`HAProxy on ${item.node.name} has ${servers.filter(up).length} servers UP in ${proxy}${where}: that section has no /primary check, so writes also reach replicas.`),
					evidence,
					checked
						? [`${'curl -s -o /dev/null -w "%{http_code} "'} http://<node>:${cluster.ports.patroniApi}/primary   # 200 on one node only / 200 только на одном узле`]
						: [`# ${haproxyConfigPath}, section ${proxy}: option httpchk + http-check send meth OPTIONS uri /primary + http-check expect status 200`, `sudo haproxy -c -f ${haproxyConfigPath}`, 'sudo systemctl reload haproxy']));
			}
		}

		return out;
	});
}
