/**
 * Stage 8, HAProxy on its node: haproxy.cfg from the template, checked with `haproxy -c` before it
 * replaces the old one, a restart only when the file changed; then a bounded wait until the stats
 * page shows one server UP for writes and N-1 for reads, and psql through both ports lands right.
 */
import type {ClusterConfig, NodeConfig} from '../source/core/cluster.ts';
import {
	haproxyConfigPath, haproxyMarker, haproxyPrimaryProxy, haproxyReplicasProxy, haproxyStatsUri, haproxyStatsUser, renderHaproxyCfg,
} from '../templates/haproxy-cfg.ts';
import {patroniRoles} from '../templates/patroni-yml.ts';
import {fetchStats} from '../source/cluster/patroni-api.ts';
import type {Action, HealthProbe, PlanContext, Stage, Step, StepContext} from './types.ts';
import {
	fileMatches, journalTail, nodeError, parseKeyValues, probe, readFileStates, runActions, runAction, sh, shq,
	text, waitFor, writeAction,
} from './commands.ts';
import {haproxyInput} from './render.ts';
import {haproxySection} from './haproxy-section.ts';
import {haproxyNodes} from '../source/cluster/front-door.ts';

/** Written beside the live file and checked there first, so a bad file never replaces a good one. */
export const haproxyCandidatePath = `${haproxyConfigPath}.pgha-candidate`;

function configWrite(ctx: PlanContext): Extract<Action, {kind: 'write'}> {
	// 0600: the stats password is inside; HAProxy reads its configuration as root.
	return writeAction(haproxyConfigPath, renderHaproxyCfg(haproxyInput(ctx.cluster, ctx.secrets)), 0o600);
}

export function configPlan(ctx: PlanContext): Action[] {
	const live = configWrite(ctx);
	return [
		runAction(sh(`[ ! -e ${haproxyConfigPath} ] || [ -e ${haproxyConfigPath}.orig ] || cp -p ${haproxyConfigPath} ${haproxyConfigPath}.orig`)),
		{...live, path: haproxyCandidatePath},
		runAction(`haproxy -c -f ${haproxyCandidatePath}`),
		runAction(`mv -f ${haproxyCandidatePath} ${haproxyConfigPath}`),
		runAction('systemctl enable haproxy'),
		runAction('systemctl restart haproxy'),
	];
}

const serviceStateCommand = sh([
	'echo "active=$(systemctl is-active haproxy 2>/dev/null)"',
	'echo "enabled=$(systemctl is-enabled haproxy 2>/dev/null)"',
	`echo "ours=$(head -n 1 ${haproxyConfigPath} 2>/dev/null | grep -c '^${haproxyMarker}')"`,
].join('\n'));

/** Only pgha's own HAProxy is stopped on a node that no longer runs one in the cluster file. */
const disableCommand = sh(`if head -n 1 ${haproxyConfigPath} 2>/dev/null | grep -q '^${haproxyMarker}'; then systemctl disable --now haproxy; fi; true`);

export function runsHaproxy(cluster: ClusterConfig, node: NodeConfig): boolean {
	return haproxyNodes(cluster).some(candidate => candidate.name === node.name);
}

async function haproxyState(ctx: StepContext): Promise<{fileOk: boolean; active: boolean; enabled: boolean; ours: boolean}> {
	const live = configWrite(ctx);
	const states = await readFileStates(ctx, [live.path]);
	const values = parseKeyValues((await probe(ctx, serviceStateCommand, {sudo: true})).stdout);
	return {
		fileOk: fileMatches(states.get(live.path), live),
		active: values.get('active') === 'active',
		enabled: values.get('enabled') === 'enabled',
		ours: values.get('ours') === '1',
	};
}

const configStep: Step = {
	id: 'haproxy.config',
	title: text('Конфигурация HAProxy', 'HAProxy configuration'),
	explain: text(
		'haproxy.cfg: порт 5000 ведёт только на узел, где Patroni отвечает 200 на /primary (лидер), порт 5001 — по очереди на узлы с 200 на /replica. Проверки стоят в секциях с серверами (в frontend, как в методичке, option httpchk не работает). Страница статистики на 8404 закрыта сгенерированным паролем. Новый файл сначала проверяется haproxy -c, HAProxy перезапускается, только если файл изменился; оригинал сохраняется как haproxy.cfg.orig.',
		'haproxy.cfg: port 5000 goes only to the node whose Patroni answers 200 on /primary (the leader), port 5001 in turn to the nodes answering 200 on /replica. The checks sit in the sections that hold the servers (in a frontend, as in the guide, option httpchk does nothing). The stats page on 8404 is protected by a generated password. The new file is checked with haproxy -c first, HAProxy restarts only when the file changed; the original is kept as haproxy.cfg.orig.'),
	scope: 'each-node',
	async check(ctx) {
		const state = await haproxyState(ctx);
		if (!runsHaproxy(ctx.cluster, ctx.node)) return !(state.ours && (state.active || state.enabled));
		return state.fileOk && state.active && state.enabled;
	},
	plan: ctx => runsHaproxy(ctx.cluster, ctx.node) ? configPlan(ctx) : [runAction(disableCommand)],
	async apply(ctx) {
		if (!runsHaproxy(ctx.cluster, ctx.node)) {
			await runActions(ctx, [runAction(disableCommand)]);
			return;
		}

		const state = await haproxyState(ctx);
		if (!state.fileOk) {
			const [backup, candidate, , install] = configPlan(ctx);
			await runActions(ctx, [backup!, candidate!]);
			const checked = await probe(ctx, `haproxy -c -f ${haproxyCandidatePath}`, {sudo: true});
			if (checked.code !== 0) {
				const output = `${checked.stdout}\n${checked.stderr}`.split('\n').filter(line => /ALERT|error/i.test(line)).join(' ').trim();
				throw nodeError(ctx.node.name,
					text(`haproxy -c отклонил новую конфигурацию: ${output}`, `haproxy -c rejected the new configuration: ${output}`),
					text('Старый haproxy.cfg не тронут. Проверьте порты и тайминги HAProxy в pgha.yaml.', 'The old haproxy.cfg is untouched. Check HAProxy\'s ports and timing in pgha.yaml.'));
			}

			await runActions(ctx, [install!, runAction('systemctl enable haproxy'), runAction('systemctl restart haproxy')]);
			return;
		}

		if (!state.enabled) await runActions(ctx, [runAction('systemctl enable haproxy')]);
		if (!state.active) await runActions(ctx, [runAction('systemctl start haproxy')]);
	},
	async verify(ctx) {
		const state = await haproxyState(ctx);
		if (!runsHaproxy(ctx.cluster, ctx.node)) {
			if (state.ours && state.active) throw nodeError(ctx.node.name, text('HAProxy от pgha всё ещё работает.', 'pgha\'s HAProxy still runs.'));
			return;
		}

		if (!state.fileOk || !state.active || !state.enabled) {
			const journal = await journalTail(ctx, 'haproxy', 10);
			throw nodeError(ctx.node.name,
				text('HAProxy не запущен с конфигурацией pgha.', 'HAProxy is not running with pgha\'s configuration.'),
				text(`Журнал (journalctl -u haproxy): ${journal}`, `Journal (journalctl -u haproxy): ${journal}`));
		}
	},
};

/** curl reads the credentials from its config on stdin: nothing secret on the command line. */
export function statsCommand(cluster: ClusterConfig): string {
	return `curl -fsS --max-time 5 --config - ${shq(`http://127.0.0.1:${cluster.ports.haproxyStats}${haproxyStatsUri};csv`)}`;
}

export function curlCredentials(password: string): string {
	return `user = "${`${haproxyStatsUser}:${password}`.replace(/[\\"]/g, match => `\\${match}`)}"\n`;
}

export interface ProxyCounts {
	readonly up: number;
	readonly servers: number;
}

/** UP servers per proxy from HAProxy's stats CSV (FRONTEND/BACKEND rows excluded). */
export function parseStatsCsv(csv: string): Map<string, ProxyCounts> {
	const lines = csv.split('\n').filter(line => line.trim() !== '');
	const header = lines[0]?.replace(/^#\s*/, '').split(',') ?? [];
	const px = header.indexOf('pxname');
	const sv = header.indexOf('svname');
	const status = header.indexOf('status');
	const counts = new Map<string, ProxyCounts>();
	if (px < 0 || sv < 0 || status < 0) return counts;
	for (const line of lines.slice(1)) {
		const fields = line.split(',');
		const proxy = fields[px] ?? '';
		const server = fields[sv] ?? '';
		if (server === 'FRONTEND' || server === 'BACKEND') continue;
		const previous = counts.get(proxy) ?? {up: 0, servers: 0};
		counts.set(proxy, {up: previous.up + (fields[status] === 'UP' ? 1 : 0), servers: previous.servers + 1});
	}

	return counts;
}

export function routingSettled(cluster: ClusterConfig, counts: ReadonlyMap<string, ProxyCounts>): boolean {
	return counts.get(haproxyPrimaryProxy)?.up === 1 && counts.get(haproxyReplicasProxy)?.up === cluster.nodes.length - 1;
}

/** psql through HAProxy; the password arrives on stdin and only lives in the shell's environment. */
export function recoveryQueryCommand(port: number, host = '127.0.0.1'): string {
	const conninfo = `host=${host} port=${port} user=${patroniRoles.superuser} dbname=postgres connect_timeout=5`;
	return sh(`IFS= read -r PGPASSWORD; export PGPASSWORD; psql ${shq(conninfo)} -XAtqc 'select pg_is_in_recovery()'`);
}

async function readStats(ctx: StepContext): Promise<Map<string, ProxyCounts> | undefined> {
	const result = await probe(ctx, statsCommand(ctx.cluster), {stdin: curlCredentials(ctx.secrets.haproxyStatsPassword), timeoutMs: 15_000});
	return result.code === 0 ? parseStatsCsv(result.stdout) : undefined;
}

async function inRecovery(ctx: StepContext, port: number): Promise<string | undefined> {
	const result = await probe(ctx, recoveryQueryCommand(port), {stdin: `${ctx.secrets.superuserPassword}\n`, timeoutMs: 20_000});
	return result.code === 0 ? result.stdout.trim() : undefined;
}

async function routingOk(ctx: StepContext): Promise<boolean> {
	const counts = await readStats(ctx);
	if (!counts || !routingSettled(ctx.cluster, counts)) return false;
	return await inRecovery(ctx, ctx.cluster.ports.haproxyWrite) === 'f' && await inRecovery(ctx, ctx.cluster.ports.haproxyRead) === 't';
}

function describe(counts: ReadonlyMap<string, ProxyCounts> | undefined): string {
	if (!counts) return 'stats page gave no answer';
	return [haproxyPrimaryProxy, haproxyReplicasProxy].map(proxy => `${proxy}: ${counts.get(proxy)?.up ?? 0}/${counts.get(proxy)?.servers ?? 0} UP`).join(', ');
}

const routingStep: Step = {
	id: 'haproxy.routing',
	title: text('Маршрутизация через HAProxy', 'Routing through HAProxy'),
	explain: text(
		'Ждёт (до 2 минут), пока страница статистики покажет ровно 1 сервер UP на 5000 и все реплики UP на 5001, затем подключается psql через 5000 (pg_is_in_recovery() = f, это лидер) и через 5001 (t, это реплика).',
		'Waits (up to 2 minutes) until the stats page shows exactly 1 server UP behind 5000 and every replica UP behind 5001, then connects with psql through 5000 (pg_is_in_recovery() = f: the leader) and 5001 (t: a replica).'),
	scope: 'one-node',
	targets: cluster => haproxyNodes(cluster).map(node => node.name),
	check: routingOk,
	plan: () => [],
	async apply() {
		// Nothing to change; verify waits for HAProxy's health checks to settle.
	},
	async verify(ctx) {
		let counts: Map<string, ProxyCounts> | undefined;
		const settled = await waitFor(async () => {
			counts = await readStats(ctx);
			return counts && routingSettled(ctx.cluster, counts) ? true : undefined;
		}, {attempts: 240, intervalMs: 500, signal: ctx.signal});
		if (!settled) {
			throw nodeError(ctx.node.name,
				text(`HAProxy не видит нужных серверов: ${describe(counts)} (нужно 1 и ${ctx.cluster.nodes.length - 1}).`,
					`HAProxy does not see the right servers: ${describe(counts)} (1 and ${ctx.cluster.nodes.length - 1} expected).`),
				text('Проверьте, что порт 8008 (REST API Patroni) узлов доступен с этого узла: curl -i http://<ip>:8008/primary.',
					'Check that port 8008 (Patroni\'s REST API) of the nodes is reachable from this node: curl -i http://<ip>:8008/primary.'));
		}

		const write = await waitFor(async () => (await inRecovery(ctx, ctx.cluster.ports.haproxyWrite)) === 'f' ? true : undefined, {attempts: 10, intervalMs: 1000, signal: ctx.signal});
		const read = await waitFor(async () => (await inRecovery(ctx, ctx.cluster.ports.haproxyRead)) === 't' ? true : undefined, {attempts: 10, intervalMs: 1000, signal: ctx.signal});
		if (!write || !read) {
			const which = !write ? ctx.cluster.ports.haproxyWrite : ctx.cluster.ports.haproxyRead;
			throw nodeError(ctx.node.name,
				text(`подключение через порт ${which} попало не туда (или не прошло).`, `a connection through port ${which} landed on the wrong server (or failed).`),
				text('Проверьте pg_hba (подсеть кластера в pgha.yaml) и пароль postgres в файле секретов.', 'Check pg_hba (the cluster subnet in pgha.yaml) and the postgres password in the secrets file.'));
		}

	},
};

/** For `pgha status` and the summary: per HAProxy node, whether its stats answer and route right. */
export const haproxyHealth: HealthProbe = async ({cluster, secrets, remotes}, health) => {
	const several = haproxyNodes(cluster).length > 1;
	for (const node of haproxyNodes(cluster)) {
		const proxy = remotes.get(node.name);
		if (!proxy) continue;
		const where = several ? ` on ${node.name}` : '';
		let haproxyUp = false;
		try {
			const servers = await fetchStats(proxy, cluster.ports.haproxyStats, secrets.haproxyStatsPassword);
			haproxyUp = true;
			if (health.backends.length === 0) health.backends = servers;
			const up = (name: string) => servers.filter(server => server.proxy === name && server.status === 'UP').length;
			if (up(haproxyPrimaryProxy) !== 1) health.problems.push(`HAProxy${where}: ${up(haproxyPrimaryProxy)} servers UP for writes (${cluster.ports.haproxyWrite}) instead of 1`);
			if (up(haproxyReplicasProxy) !== cluster.nodes.length - 1) health.problems.push(`HAProxy${where}: ${up(haproxyReplicasProxy)} servers UP for reads (${cluster.ports.haproxyRead}) instead of ${cluster.nodes.length - 1}`);
		} catch {
			health.problems.push(`HAProxy stats did not answer on ${node.name}`);
		}

		health.entries.push({node: node.name, haproxyUp});
	}
};

export const haproxyStage: Stage = {
	id: 'haproxy',
	title: text('Балансировщик HAProxy', 'HAProxy load balancer'),
	explain: text(
		'HAProxy — единая точка входа для приложений: 5000 для записи (всегда текущий лидер), 5001 для чтения (реплики). Кто лидер, он узнаёт у REST API Patroni на порту 8008.',
		'HAProxy is the single entry point for applications: 5000 for writes (always the current leader), 5001 for reads (the replicas). It learns who the leader is from Patroni\'s REST API on port 8008.'),
	differsFromGuide: text(
		'Проверки здоровья стоят в секциях с серверами и спрашивают /primary и /replica (а не /master во frontend), а пароль статистики сгенерирован.',
		'The health checks sit in the sections holding the servers and ask /primary and /replica (not /master in a frontend), and the stats password is generated.'),
	steps: [configStep, routingStep],
	needs: {
		packages: (cluster, node) => runsHaproxy(cluster, node) ? ['haproxy'] : [],
		allPackages: () => ['haproxy'],
		ports: (cluster, node) => runsHaproxy(cluster, node)
			? [cluster.ports.haproxyWrite, cluster.ports.haproxyRead, cluster.ports.haproxyStats].map(port => ({port, owners: ['haproxy'], role: 'HAProxy'}))
			: [],
		section: {
			keys: ['haproxy.node', 'haproxy.nodes', 'haproxy.inter', 'haproxy.fall', 'haproxy.rise', 'ports.haproxy_write', 'ports.haproxy_read', 'ports.haproxy_stats'],
			doc: text(
				'haproxy.node — один HAProxy, как в методичке; haproxy.nodes — HAProxy на нескольких узлах с одинаковой конфигурацией; inter/fall/rise — частота и строгость проверок.',
				'haproxy.node is one HAProxy, as in the guide; haproxy.nodes runs HAProxy with the same configuration on several nodes; inter/fall/rise set how often and how strictly it checks.'),
			read: haproxySection,
		},
		secrets: ['haproxyStatsPassword'],
		health: haproxyHealth,
	},
};
