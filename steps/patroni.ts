/**
 * Stage 7, Patroni: patroni.yml and a systemd unit per node (running as the postgres OS user),
 * validated with `patroni --validate-config`; the leader's node first, then the replicas; then a
 * bounded wait for one leader, N-1 replicas and every replica streaming in pg_stat_replication.
 */
import {parse} from 'yaml';
import type {ClusterConfig} from '../source/core/cluster.ts';
import type {Remote} from '../source/core/remote.ts';
import {
	defaultMaximumLagOnFailover, patroniConfigPath, patroniOsUser, postgresHome, renderPatroniYml,
} from '../templates/patroni-yml.ts';
import {patroniUnitPath, renderPatroniUnit} from '../templates/systemd-units.ts';
import {secretValues} from '../source/config/secrets.ts';
import {fetchMembers, type Member} from '../source/cluster/patroni-api.ts';
import type {Action, HealthProbe, PlanContext, Stage, Step, StepContext, Text} from './types.ts';
import {
	fileMatches, journalTail, nodeError, parseKeyValues, probe, readFileStates, runActions, runAction,
	sh, shq, text, waitFor, warn, writeAction,
} from './commands.ts';
import {ensurePgMajor, plannedMajor} from './facts.ts';
import {patroniBinDir, patronictl} from './layout.ts';
import {firstNode, patroniInput} from './render.ts';
import {timingSection} from './patroni-section.ts';

type WriteAction = Extract<Action, {kind: 'write'}>;

function patroniFiles(ctx: PlanContext, major: string): {config: WriteAction; unit: WriteAction} {
	return {
		config: writeAction(patroniConfigPath, renderPatroniYml(patroniInput(ctx.cluster, ctx.secrets, ctx.node, major)), 0o600, patroniOsUser, patroniOsUser),
		unit: writeAction(patroniUnitPath, renderPatroniUnit({patroniBinary: `${patroniBinDir(ctx.cluster)}/patroni`}), 0o644),
	};
}

function directoriesPlan(major: string): Action[] {
	return [
		runAction('install -d -m 0755 /etc/patroni'),
		// The data directory's parent; Patroni's initdb or pg_basebackup creates the directory itself.
		runAction(`install -d -m 0755 -o ${patroniOsUser} -g ${patroniOsUser} ${postgresHome}/${major}`),
	];
}

export function validateCommand(cluster: ClusterConfig): string {
	return sh(`cd / && ${patroniBinDir(cluster)}/patroni --validate-config ${patroniConfigPath}`);
}

export function configPlan(ctx: PlanContext): Action[] {
	const major = plannedMajor(ctx);
	const files = patroniFiles(ctx, major);
	return [
		...directoriesPlan(major),
		files.config,
		files.unit,
		runAction('systemctl daemon-reload'),
		runAction(validateCommand(ctx.cluster), {asUser: patroniOsUser}),
	];
}

export const patroniStateCommand = sh([
	'echo "active=$(systemctl is-active patroni 2>/dev/null)"',
	'echo "enabled=$(systemctl is-enabled patroni 2>/dev/null)"',
	'systemctl show patroni -p NeedDaemonReload 2>/dev/null',
	// A run killed between writing pgha's unit and daemon-reload leaves the package's unit loaded;
	// NeedDaemonReload does not notice a new override file, the loaded fragment does.
	'systemctl show patroni -p FragmentPath 2>/dev/null',
].join('\n'));

interface ServiceState {
	readonly active: boolean;
	readonly enabled: boolean;
	readonly needsDaemonReload: boolean;
}

async function serviceState(ctx: StepContext): Promise<ServiceState> {
	const values = parseKeyValues((await probe(ctx, patroniStateCommand)).stdout);
	return {
		active: values.get('active') === 'active',
		enabled: values.get('enabled') === 'enabled',
		needsDaemonReload: values.get('NeedDaemonReload') === 'yes' || Boolean(values.get('FragmentPath') && values.get('FragmentPath') !== patroniUnitPath),
	};
}

/**
 * The validator also checks that the listen ports are free, so it cannot judge a config while
 * PostgreSQL or Patroni already run; "already in use" alone is not an error here.
 */
export function validationErrors(output: string): string[] {
	return output.split('\n').map(line => line.trim()).filter(line => line !== '' && !/is already in use/.test(line));
}

async function configState(ctx: StepContext): Promise<{major: string; files: ReturnType<typeof patroniFiles>; configOk: boolean; unitOk: boolean; dataParent: boolean}> {
	const major = await ensurePgMajor(ctx);
	const files = patroniFiles(ctx, major);
	const states = await readFileStates(ctx, [files.config.path, files.unit.path]);
	const dataParent = (await probe(ctx, `test -d ${postgresHome}/${major}`)).code === 0;
	return {major, files, configOk: fileMatches(states.get(files.config.path), files.config), unitOk: fileMatches(states.get(files.unit.path), files.unit), dataParent};
}

const configStep: Step = {
	id: 'patroni.config',
	title: text('Конфигурация Patroni и служба', 'Patroni configuration and service'),
	explain: text(
		'На каждом узле /etc/patroni/config.yml (права 0600, владелец postgres: внутри пароли) и служба systemd patroni, работающая от пользователя postgres: ему принадлежит /var/run/postgresql, поэтому ошибки с lock-файлом из методички не будет. etcd3 задан словарём с hosts, pg_hba пускает только подсеть кластера по scram-sha-256, пароли сгенерированы. Файл проверяется командой patroni --validate-config до первого запуска.',
		'On every node /etc/patroni/config.yml (mode 0600, owned by postgres: it holds passwords) and a patroni systemd service running as the postgres user, who owns /var/run/postgresql, so the guide\'s lock-file error cannot happen. etcd3 is a mapping with hosts, pg_hba admits only the cluster subnet with scram-sha-256, passwords are generated. The file is checked with patroni --validate-config before the first start.'),
	scope: 'each-node',
	async check(ctx) {
		const state = await configState(ctx);
		const service = await serviceState(ctx);
		return state.configOk && state.unitOk && state.dataParent && !service.needsDaemonReload;
	},
	plan: configPlan,
	async apply(ctx) {
		const state = await configState(ctx);
		await runActions(ctx, directoriesPlan(state.major));
		if (!state.configOk) await runActions(ctx, [state.files.config]);
		if (!state.unitOk) await runActions(ctx, [state.files.unit]);
		const service = await serviceState(ctx);
		if (!state.unitOk || service.needsDaemonReload) await runActions(ctx, [runAction('systemctl daemon-reload')]);
		if (service.active) {
			// Running: a restart would stop PostgreSQL (and fail over a leader). Patroni rereads the file on
			// SIGHUP; a changed unit takes effect at the next start.
			if (!state.configOk) await runActions(ctx, [runAction('systemctl reload patroni')]);
			if (!state.unitOk) warn(ctx, text('новый unit patroni.service вступит в силу при следующем запуске службы.', 'the new patroni.service unit takes effect at the service\'s next start.'));
			return;
		}

		const result = await probe(ctx, validateCommand(ctx.cluster), {asUser: patroniOsUser});
		const errors = validationErrors(`${result.stdout}\n${result.stderr}`);
		if (result.code !== 0 && errors.length > 0) {
			throw nodeError(ctx.node.name,
				text(`patroni --validate-config отклонил ${patroniConfigPath}: ${errors.join('; ')}.`, `patroni --validate-config rejected ${patroniConfigPath}: ${errors.join('; ')}.`),
				text('Обычно причина в недоступном etcd (этап etcd) или в настройках pgha.yaml.', 'Usually etcd is unreachable (etcd stage) or pgha.yaml has a wrong setting.'));
		}
	},
	async verify(ctx) {
		const state = await configState(ctx);
		if (!state.configOk || !state.unitOk || !state.dataParent) {
			throw nodeError(ctx.node.name,
				text('файлы Patroni на узле не совпадают с тем, что записал pgha.', 'Patroni\'s files on the node differ from what pgha wrote.'),
				text('Запустите этап patroni ещё раз.', 'Run the patroni stage again.'));
		}
	},
};

export interface PatroniMember {
	readonly member: string;
	readonly host: string;
	readonly role: string;
	readonly state: string;
	readonly timeline?: number;
	readonly lagMb?: number | string;
}

/** `patronictl list -f json`: [{"Cluster", "Member", "Host", "Role", "State", "TL", "Lag in MB"}, ...]. */
export function parsePatroniList(stdout: string): PatroniMember[] | undefined {
	const start = stdout.indexOf('[');
	if (start < 0) return undefined;
	try {
		const rows = JSON.parse(stdout.slice(start)) as Array<Record<string, unknown>>;
		return rows.map(row => ({
			member: String(row['Member'] ?? ''),
			host: String(row['Host'] ?? ''),
			role: String(row['Role'] ?? ''),
			state: String(row['State'] ?? ''),
			...typeof row['TL'] === 'number' ? {timeline: row['TL']} : {},
			...row['Lag in MB'] !== undefined ? {lagMb: row['Lag in MB'] as number | string} : {},
		}));
	} catch {
		return undefined;
	}
}

/** 3.0.x reports a healthy replica as "running", later releases as "streaming". */
export function memberRunning(member: PatroniMember): boolean {
	return member.state === 'running' || member.state === 'streaming';
}

export function isLeader(member: PatroniMember): boolean {
	return member.role === 'Leader';
}

export function isReplica(member: PatroniMember): boolean {
	return ['Replica', 'Sync Standby', 'Quorum Standby'].includes(member.role);
}

async function listMembers(ctx: StepContext, remote: Remote = ctx.remote): Promise<PatroniMember[] | undefined> {
	const result = await remote.exec(sh(`cd / && ${patronictl(ctx.cluster, 'list -f json')}`), {
		asUser: patroniOsUser, allowFailure: true, signal: ctx.signal, timeoutMs: 30_000, secrets: secretValues(ctx.secrets),
	});
	return result.code === 0 ? parsePatroniList(result.stdout) : undefined;
}

const startPlan = (): Action[] => [runAction('systemctl enable --now patroni')];

async function serviceStarted(ctx: StepContext): Promise<boolean> {
	const service = await serviceState(ctx);
	return service.active && service.enabled;
}

async function failedToStart(ctx: StepContext, what: Text): Promise<never> {
	const journal = await journalTail(ctx, 'patroni', 15);
	throw nodeError(ctx.node.name, what, text(`Последние строки журнала (journalctl -u patroni): ${journal}`, `Last journal lines (journalctl -u patroni): ${journal}`));
}

/** Up to 3 minutes, every second: bootstrap or a base backup of an empty cluster takes seconds. */
const memberWait = {attempts: 180, intervalMs: 1000} as const;

const leaderStep: Step = {
	id: 'patroni.leader',
	title: text('Запуск Patroni на первом узле (лидер)', 'Start Patroni on the first node (leader)'),
	explain: text(
		'Patroni запускается сначала на первом узле: он инициализирует PostgreSQL (initdb с контрольными суммами страниц), становится лидером и записывает это в etcd. pgha ждёт, пока patronictl list покажет лидера.',
		'Patroni starts on the first node first: it initialises PostgreSQL (initdb with data checksums), becomes the leader and records that in etcd. pgha waits until patronictl list shows a leader.'),
	scope: 'one-node',
	targets: cluster => [firstNode(cluster).name],
	async check(ctx) {
		if (!await serviceStarted(ctx)) return false;
		const members = await listMembers(ctx);
		return members?.some(member => isLeader(member) && memberRunning(member)) ?? false;
	},
	plan: startPlan,
	async verify(ctx) {
		const leader = await waitFor(async () => {
			const members = await listMembers(ctx);
			return members?.find(member => isLeader(member) && memberRunning(member));
		}, {...memberWait, signal: ctx.signal});
		if (!leader) await failedToStart(ctx, text('за 3 минуты в кластере не появился лидер.', 'no leader appeared within 3 minutes.'));
		if (!await serviceStarted(ctx)) await failedToStart(ctx, text('служба patroni не запущена или не включена.', 'the patroni service is not running or not enabled.'));
	},
};

const replicasStep: Step = {
	id: 'patroni.replicas',
	title: text('Запуск Patroni на остальных узлах (реплики)', 'Start Patroni on the other nodes (replicas)'),
	explain: text(
		'Когда лидер есть, Patroni на остальных узлах копирует его данные (pg_basebackup) и запускает PostgreSQL репликой. pgha ждёт, пока каждый узел появится в patronictl list как работающая реплика.',
		'With a leader in place, Patroni on the other nodes copies its data (pg_basebackup) and starts PostgreSQL as a replica. pgha waits until each node shows up in patronictl list as a running replica.'),
	scope: 'one-node',
	targets: cluster => cluster.nodes.slice(1).map(node => node.name),
	async check(ctx) {
		if (!await serviceStarted(ctx)) return false;
		const members = await listMembers(ctx);
		return members?.some(member => member.member === ctx.node.name && memberRunning(member) && (isReplica(member) || isLeader(member))) ?? false;
	},
	plan: startPlan,
	async verify(ctx) {
		const me = await waitFor(async () => {
			const members = await listMembers(ctx);
			return members?.find(member => member.member === ctx.node.name && memberRunning(member) && (isReplica(member) || isLeader(member)));
		}, {...memberWait, signal: ctx.signal});
		if (!me) await failedToStart(ctx, text('узел не стал работающей репликой за 3 минуты.', 'the node did not become a running replica within 3 minutes.'));
		if (!await serviceStarted(ctx)) await failedToStart(ctx, text('служба patroni не запущена или не включена.', 'the patroni service is not running or not enabled.'));
	},
};

/** `application_name state` rows of pg_stat_replication, read on the leader through its local socket. */
export function replicationQuery(cluster: ClusterConfig): string {
	return `psql -h /var/run/postgresql -p ${cluster.ports.postgres} -U postgres -d postgres -XAtq -F ' ' -c ${shq('select application_name, state from pg_stat_replication')}`;
}

export function parseReplication(stdout: string): Map<string, string> {
	const rows = new Map<string, string>();
	for (const line of stdout.split('\n')) {
		const [name, state] = line.trim().split(/\s+/);
		if (name && state) rows.set(name, state);
	}

	return rows;
}

export interface ClusterHealth {
	readonly ok: boolean;
	readonly summary: string;
}

/** One leader, every other planned node a running replica, and streaming on the leader. */
export function judgeCluster(cluster: ClusterConfig, members: readonly PatroniMember[] | undefined, replication: ReadonlyMap<string, string> | undefined): ClusterHealth {
	if (!members) return {ok: false, summary: 'patronictl list gave no answer'};
	const summary = members.map(member => `${member.member} ${member.role} ${member.state}`).join(', ');
	const leaders = members.filter(member => isLeader(member) && memberRunning(member));
	const planned = new Set(cluster.nodes.map(node => node.name));
	const replicas = members.filter(member => isReplica(member) && memberRunning(member) && planned.has(member.member));
	const leader = leaders[0];
	if (leaders.length !== 1 || !leader || !planned.has(leader.member)) return {ok: false, summary};
	if (replicas.length !== cluster.nodes.length - 1) return {ok: false, summary};
	if (!replication) return {ok: false, summary: `${summary}; pg_stat_replication not read`};
	const notStreaming = replicas.filter(replica => replication.get(replica.member) !== 'streaming').map(replica => replica.member);
	if (notStreaming.length > 0) return {ok: false, summary: `${summary}; not streaming: ${notStreaming.join(', ')}`};
	return {ok: true, summary};
}

async function clusterHealth(ctx: StepContext): Promise<ClusterHealth> {
	const members = await listMembers(ctx);
	const leader = members?.find(member => isLeader(member) && memberRunning(member));
	const leaderRemote = leader ? ctx.remotes.get(leader.member) : undefined;
	let replication: Map<string, string> | undefined;
	if (leaderRemote) {
		const result = await leaderRemote.exec(sh(`cd / && ${replicationQuery(ctx.cluster)}`), {
			asUser: patroniOsUser, allowFailure: true, signal: ctx.signal, timeoutMs: 30_000,
		});
		if (result.code === 0) replication = parseReplication(result.stdout);
	}

	return judgeCluster(ctx.cluster, members, replication);
}

const clusterStep: Step = {
	id: 'patroni.cluster',
	title: text('Кластер: 1 лидер, реплики в streaming', 'Cluster: 1 leader, replicas streaming'),
	explain: text(
		'Проверка результата: patronictl list показывает одного лидера и остальные узлы репликами, а pg_stat_replication на лидере показывает каждую реплику в состоянии streaming (Patroni 3.0 пишет у реплик «running», поэтому смотрим в сам PostgreSQL).',
		'The result check: patronictl list shows one leader and the other nodes as replicas, and pg_stat_replication on the leader shows every replica streaming (Patroni 3.0 says "running" for replicas, so PostgreSQL itself is asked).'),
	scope: 'one-node',
	targets: cluster => [firstNode(cluster).name],
	async check(ctx) {
		return (await clusterHealth(ctx)).ok;
	},
	plan: () => [],
	async apply() {
		// Nothing to change here; verify waits for the replicas to catch up.
	},
	async verify(ctx) {
		let last: ClusterHealth = {ok: false, summary: ''};
		const ok = await waitFor(async () => {
			last = await clusterHealth(ctx);
			return last.ok ? true : undefined;
		}, {...memberWait, signal: ctx.signal});
		if (!ok) {
			throw nodeError(ctx.node.name,
				text(`кластер не пришёл в норму за 3 минуты: ${last.summary}.`, `the cluster did not settle within 3 minutes: ${last.summary}.`),
				text('Посмотрите journalctl -u patroni на узлах-репликах: чаще всего реплике не пускает pg_hba или не совпадает пароль.',
					'Look at journalctl -u patroni on the replicas: most often pg_hba or a password keeps a replica out.'));
		}

		ctx.log(`cluster: ${last.summary}`);
	},
};

/** The settings pgha owns in Patroni's dynamic (DCS) configuration; bootstrap.dcs applies them only once. */
export function wantedDynamicConfig(cluster: ClusterConfig): Record<string, number | boolean> {
	return {
		ttl: cluster.timing.ttl,
		loop_wait: cluster.timing.loopWait,
		retry_timeout: cluster.timing.retryTimeout,
		maximum_lag_on_failover: defaultMaximumLagOnFailover,
		synchronous_mode: cluster.synchronousMode,
		failsafe_mode: cluster.failsafeMode,
	};
}

export function dynamicConfigDiffers(cluster: ClusterConfig, showConfig: string): string[] {
	let current: Record<string, unknown> = {};
	try {
		current = (parse(showConfig) ?? {}) as Record<string, unknown>;
	} catch {
		return Object.keys(wantedDynamicConfig(cluster));
	}

	return Object.entries(wantedDynamicConfig(cluster))
		.filter(([key, value]) => (current[key] ?? (key === 'synchronous_mode' || key === 'failsafe_mode' ? false : undefined)) !== value)
		.map(([key]) => key);
}

export function editConfigCommand(cluster: ClusterConfig): string {
	const sets = Object.entries(wantedDynamicConfig(cluster)).map(([key, value]) => `-s ${key}=${String(value)}`).join(' ');
	return sh(`cd / && ${patronictl(cluster, `edit-config --force ${sets}`)}`);
}

async function dynamicDiff(ctx: StepContext): Promise<string[] | undefined> {
	const result = await probe(ctx, sh(`cd / && ${patronictl(ctx.cluster, 'show-config')}`), {asUser: patroniOsUser});
	return result.code === 0 ? dynamicConfigDiffers(ctx.cluster, result.stdout) : undefined;
}

const dynamicConfigStep: Step = {
	id: 'patroni.dynamic-config',
	title: text('Тайминги Patroni в etcd', 'Patroni timing in etcd'),
	explain: text(
		'ttl, loop_wait, retry_timeout, maximum_lag_on_failover и synchronous_mode хранятся в etcd и из config.yml берутся только при создании кластера. Если вы поменяли их в pgha.yaml, pgha применяет их через patronictl edit-config.',
		'ttl, loop_wait, retry_timeout, maximum_lag_on_failover and synchronous_mode live in etcd; config.yml only seeds them when the cluster is created. When you change them in pgha.yaml, pgha applies them with patronictl edit-config.'),
	scope: 'one-node',
	targets: cluster => [firstNode(cluster).name],
	async check(ctx) {
		return (await dynamicDiff(ctx))?.length === 0;
	},
	plan: ctx => [runAction(editConfigCommand(ctx.cluster), {asUser: patroniOsUser})],
	async verify(ctx) {
		const diff = await dynamicDiff(ctx);
		if (diff === undefined || diff.length > 0) {
			throw nodeError(ctx.node.name,
				text(`настройки в etcd не совпадают с pgha.yaml: ${diff?.join(', ') ?? 'patronictl show-config не ответил'}.`,
					`the settings in etcd differ from pgha.yaml: ${diff?.join(', ') ?? 'patronictl show-config gave no answer'}.`),
				text('Посмотрите sudo -u postgres patronictl -c /etc/patroni/config.yml show-config.', 'See sudo -u postgres patronictl -c /etc/patroni/config.yml show-config.'));
		}
	},
};

/** For `pgha status` and the summary: the members as the first answering node's Patroni lists them. */
export const patroniHealth: HealthProbe = async ({cluster, remotes}, health) => {
	let members: Member[] = [];
	for (const node of cluster.nodes) {
		const remote = remotes.get(node.name);
		if (!remote) continue;
		try {
			members = await fetchMembers(remote, node.ip, cluster.ports.patroniApi);
			break;
		} catch {
			// Ask the next node: this one's Patroni may be down.
		}
	}

	health.members = members;
	const leaders = members.filter(member => member.role === 'leader');
	const replicas = members.filter(member => member.role !== 'leader');
	if (members.length === 0) {
		health.problems.push('Patroni REST API answered on no node');
		return;
	}

	if (leaders.length !== 1) health.problems.push(`${leaders.length} leaders instead of 1`);
	if (members.length !== cluster.nodes.length) health.problems.push(`${members.length} members instead of ${cluster.nodes.length}`);
	for (const replica of replicas) {
		if (!['streaming', 'running'].includes(replica.state)) health.problems.push(`${replica.name} is ${replica.state}`);
	}
};

export const patroniStage: Stage = {
	id: 'patroni',
	title: text('Кластер Patroni', 'Patroni cluster'),
	explain: text(
		'Patroni на каждом узле управляет своим PostgreSQL: один узел становится лидером (запись), остальные — потоковыми репликами. При отказе лидера Patroni через etcd выбирает нового.',
		'Patroni on every node manages its PostgreSQL: one node becomes the leader (writes), the others streaming replicas. When the leader fails, Patroni elects a new one through etcd.'),
	differsFromGuide: text(
		'etcd3 задан с hosts:, pg_hba ограничен подсетью и scram-sha-256, пароли сгенерированы, а Patroni работает службой systemd от пользователя postgres вместо chown /var/run/postgresql и запуска в терминале.',
		'etcd3 has hosts:, pg_hba is limited to the subnet with scram-sha-256, passwords are generated, and Patroni runs as a systemd service under the postgres user instead of a chown of /var/run/postgresql and a terminal session.'),
	steps: [configStep, leaderStep, replicasStep, clusterStep, dynamicConfigStep],
	needs: {
		// The packaged postgres is removed by the packages stage, so only Patroni's own postgres may hold the port.
		ports: cluster => [
			{port: cluster.ports.postgres, owners: ['postgres'], role: 'PostgreSQL'},
			{port: cluster.ports.patroniApi, owners: ['patroni'], role: 'Patroni REST API', service: 'patroni.service'},
		],
		secrets: ['superuserPassword', 'replicationPassword', 'rewindPassword', 'restApiPassword'],
		health: patroniHealth,
		section: {
			keys: ['name', 'timing', 'synchronous_mode', 'failsafe_mode', 'subnet', 'ports.postgres', 'ports.patroni_api'],
			doc: text(
				'name — имя кластера Patroni (scope); timing — ttl, loop_wait и retry_timeout (или preset: fast); subnet — откуда pg_hba пускает подключения.',
				'name is the Patroni cluster name (scope); timing sets ttl, loop_wait and retry_timeout (or preset: fast); subnet is where pg_hba lets connections in from.'),
			read: timingSection,
		},
	},
};
