/**
 * The cluster as the tests see it, always asked from the HAProxy node: Patroni's /cluster and
 * /history, pg_stat_replication on the leader, HAProxy's stats, and a planned switchover through the
 * REST API. Every answer carries the HAProxy node's clock.
 */
import {fetchStats, parseClusterJson, type Member} from '../cluster/patroni-api.ts';
import {psql} from '../cluster/psql.ts';
import {haproxyPrimaryProxy, haproxyReplicasProxy} from '../../templates/haproxy-cfg.ts';
import {patroniRoles, restApiUser} from '../../templates/patroni-yml.ts';
import {shellQuote} from '../ssh/quote.ts';
import {fail, poll, type TestEnv} from './env.ts';

export interface ClusterView {
	/** When the answer was read (HAProxy node clock). */
	readonly at: number;
	readonly members: readonly Member[];
	readonly leader?: Member;
}

export function leaderOf(members: readonly Member[]): Member | undefined {
	return members.find(member => member.role === 'leader');
}

/** Patroni 3.0 to 4.x says sync_standby for the synchronous replica (quorum_standby with quorum mode, 4.x). */
export function isSyncStandby(member: Member): boolean {
	return member.role === 'sync_standby' || member.role === 'sync-standby' || member.role === 'quorum_standby';
}

export function isReplicaRole(role: string): boolean {
	return role === 'replica' || role === 'sync_standby' || role === 'sync-standby' || role === 'quorum_standby';
}

/** A replica Patroni considers healthy ("streaming" from Patroni 3.1, "running" before). */
export function isHealthyReplica(member: Member): boolean {
	return isReplicaRole(member.role) && (member.state === 'streaming' || member.state === 'running');
}

/** API hosts to ask, the HAProxy node first; `exclude` keeps a lost node (its answer may hang) out. */
function apiHosts(env: TestEnv, exclude: readonly string[]): string[] {
	const nodes = [env.proxyNode, ...env.cluster.nodes.filter(node => node.name !== env.proxyNode.name)];
	return nodes.filter(node => !exclude.includes(node.name)).map(node => node.ip);
}

/** Prints the clock, then the first answer of `path` from the hosts in turn. */
export function apiCommand(hosts: readonly string[], port: number, path: string): string {
	const urls = hosts.map(host => shellQuote(`http://${host}:${port}${path}`)).join(' ');
	return `sh -c ${shellQuote(`date +%s%3N; for url in ${urls}; do if out=$(curl -sS --max-time 2 "$url"); then printf '%s\\n' "$out"; exit 0; fi; done; exit 1`)}`;
}

export function parseStamped(stdout: string): {at: number; body: string} | undefined {
	const newline = stdout.indexOf('\n');
	if (newline < 0) return undefined;
	const at = Number(stdout.slice(0, newline).trim());
	if (!Number.isFinite(at) || at <= 0) return undefined;
	return {at, body: stdout.slice(newline + 1).trim()};
}

export async function readCluster(env: TestEnv, exclude: readonly string[] = []): Promise<ClusterView | undefined> {
	const result = await env.proxy.exec(apiCommand(apiHosts(env, exclude), env.cluster.ports.patroniApi, '/cluster'), {allowFailure: true, signal: env.signal, timeoutMs: 20_000});
	const stamped = parseStamped(result.stdout);
	if (result.code !== 0 || !stamped) return undefined;
	try {
		const members = parseClusterJson(stamped.body);
		return {at: stamped.at, members, leader: leaderOf(members)};
	} catch {
		return undefined;
	}
}

export interface HistoryEntry {
	readonly timeline: number;
	readonly lsn: number;
	readonly reason: string;
	readonly timestamp?: string;
	readonly newLeader?: string;
}

/** Patroni's /history: [[timeline, lsn, reason, timestamp, new_leader], ...]. */
export function parseHistory(body: string): HistoryEntry[] {
	const parsed = JSON.parse(body) as unknown;
	if (!Array.isArray(parsed)) return [];
	return parsed.filter(Array.isArray).map(entry => ({
		timeline: Number(entry[0]),
		lsn: Number(entry[1]),
		reason: String(entry[2] ?? ''),
		...(entry[3] !== undefined && entry[3] !== null ? {timestamp: String(entry[3])} : {}),
		...(entry[4] !== undefined && entry[4] !== null ? {newLeader: String(entry[4])} : {}),
	}));
}

export async function readHistory(env: TestEnv, exclude: readonly string[] = []): Promise<HistoryEntry[] | undefined> {
	const result = await env.proxy.exec(apiCommand(apiHosts(env, exclude), env.cluster.ports.patroniApi, '/history'), {allowFailure: true, signal: env.signal, timeoutMs: 20_000});
	const stamped = parseStamped(result.stdout);
	if (result.code !== 0 || !stamped) return undefined;
	try {
		return parseHistory(stamped.body);
	} catch {
		return undefined;
	}
}

/** HTTP status of a Patroni health endpoint on one node (200 yes, 503 no, 0 no answer). */
export async function endpointCode(env: TestEnv, host: string, path: string): Promise<number> {
	const url = shellQuote(`http://${host}:${env.cluster.ports.patroniApi}${path}`);
	const result = await env.proxy.exec(`curl -s -o /dev/null -w '%{http_code}' --max-time 3 ${url}`, {allowFailure: true, signal: env.signal, timeoutMs: 15_000});
	return Number(result.stdout.trim()) || 0;
}

export interface ReplicationRow {
	readonly name: string;
	readonly state: string;
	readonly syncState: string;
	readonly lagBytes: number | null;
}

export function superuser(env: TestEnv, host: string, port: number, database = 'postgres') {
	return {host, port, user: patroniRoles.superuser, password: env.secrets.superuserPassword, database};
}

/** pg_stat_replication on the leader: who streams, and how many bytes each has not replayed yet. */
export async function replicationRows(env: TestEnv, leaderHost: string): Promise<ReplicationRow[]> {
	const rows = await psql(env.proxy, superuser(env, leaderHost, env.cluster.ports.postgres),
		`SELECT application_name, state, coalesce(sync_state, ''), coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint::text, '')
		 FROM pg_stat_replication ORDER BY application_name`, env.signal);
	return rows.map(([name = '', state = '', syncState = '', lag = '']) => ({name, state, syncState, lagBytes: lag === '' ? null : Number(lag)}));
}

export interface ProxyUp {
	readonly primary: readonly string[];
	readonly replicas: readonly string[];
}

export async function haproxyUp(env: TestEnv): Promise<ProxyUp> {
	const servers = await fetchStats(env.proxy, env.cluster.ports.haproxyStats, env.secrets.haproxyStatsPassword);
	const up = (proxy: string) => servers.filter(server => server.proxy === proxy && server.status === 'UP').map(server => server.server).sort();
	return {primary: up(haproxyPrimaryProxy), replicas: up(haproxyReplicasProxy)};
}

export interface Readiness {
	readonly view: ClusterView;
	readonly replication: readonly ReplicationRow[];
	readonly up: ProxyUp;
}

/** What is still missing before a test may start; empty when the cluster is whole. */
export function readinessProblems(nodeCount: number, view: ClusterView | undefined, rows: readonly ReplicationRow[] | undefined, up: ProxyUp | undefined, synchronousMode = false): string[] {
	if (!view) return ['Patroni REST API gave no answer'];
	const problems: string[] = [];
	const leaders = view.members.filter(member => member.role === 'leader');
	if (leaders.length !== 1) problems.push(`${leaders.length} leaders`);
	if (view.members.length !== nodeCount) problems.push(`${view.members.length} of ${nodeCount} members`);
	for (const member of view.members) {
		if (member.role !== 'leader' && !isHealthyReplica(member)) problems.push(`${member.name} is ${member.role} ${member.state}`);
	}

	// With synchronous_mode Patroni names the synchronous standby a loop or two after a change.
	if (synchronousMode && !view.members.some(isSyncStandby)) problems.push('no synchronous standby yet');
	const leader = leaders[0];
	if (rows) {
		const streaming = rows.filter(row => row.state === 'streaming').map(row => row.name);
		if (streaming.length !== nodeCount - 1) problems.push(`${streaming.length} of ${nodeCount - 1} replicas streaming (${streaming.join(', ') || 'none'})`);
	} else if (leader) {
		problems.push('pg_stat_replication not readable');
	}

	if (up) {
		if (up.primary.length !== 1 || (leader && up.primary[0] !== leader.name)) problems.push(`HAProxy write servers UP: ${up.primary.join(', ') || 'none'}`);
		if (up.replicas.length !== nodeCount - 1 || (leader && up.replicas.includes(leader.name))) problems.push(`HAProxy read servers UP: ${up.replicas.join(', ') || 'none'}`);
	} else {
		problems.push('HAProxy stats not readable');
	}

	return problems;
}

/**
 * Bounded wait until the cluster is whole: one leader, every replica streaming (one of them
 * synchronous with synchronous_mode), HAProxy routing writes to the leader only and reads to every
 * replica. Every test starts from there.
 */
export async function waitReady(env: TestEnv, timeoutMs = 180_000): Promise<Readiness> {
	let last: string[] = [];
	const ready = await poll(async () => {
		const view = await readCluster(env);
		const rows = view?.leader ? await replicationRows(env, view.leader.host).catch(() => undefined) : undefined;
		const up = await haproxyUp(env).catch(() => undefined);
		last = readinessProblems(env.cluster.nodes.length, view, rows, up, env.cluster.synchronousMode);
		return last.length === 0 && view && rows && up ? {view, replication: rows, up} : undefined;
	}, {timeoutMs, intervalMs: 2000, signal: env.signal});
	if (!ready) {
		const why = last.join('; ');
		throw fail(`кластер не пришёл в рабочее состояние за ${Math.round(timeoutMs / 1000)} с: ${why}.`,
			`the cluster did not become whole within ${Math.round(timeoutMs / 1000)} s: ${why}.`,
			{ru: 'Посмотрите pgha status и журнал Patroni на узлах (journalctl -u patroni).', en: 'Look at pgha status and Patroni\'s journal on the nodes (journalctl -u patroni).'});
	}

	return ready;
}

/** curl's config on stdin: the REST API password never reaches a command line. */
export function restApiCredentials(password: string): string {
	return `user = "${`${restApiUser}:${password}`.replace(/[\\"]/g, match => `\\${match}`)}"\n`;
}

export function switchoverCommand(leaderHost: string, port: number, leader: string, candidate: string): string {
	const body = JSON.stringify({leader, candidate});
	return `curl -sS --max-time 90 -K - -w '\\n%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary ${shellQuote(body)} ${shellQuote(`http://${leaderHost}:${port}/switchover`)}`;
}

export interface SwitchoverAnswer {
	readonly status: number;
	readonly body: string;
}

export function parseCurlAnswer(stdout: string): SwitchoverAnswer {
	const lines = stdout.trimEnd().split('\n');
	const status = Number(lines.pop()?.trim()) || 0;
	return {status, body: lines.join('\n').trim()};
}

/** Patroni's planned switchover (POST /switchover with the REST API's basic auth). */
export async function requestSwitchover(env: TestEnv, leader: Member, candidate: string): Promise<SwitchoverAnswer> {
	const result = await env.proxy.exec(switchoverCommand(leader.host, env.cluster.ports.patroniApi, leader.name, candidate), {
		stdin: restApiCredentials(env.secrets.restApiPassword),
		secrets: [env.secrets.restApiPassword],
		allowFailure: true,
		signal: env.signal,
		timeoutMs: 120_000,
	});
	return parseCurlAnswer(result.stdout);
}

/**
 * Which replica a switchover may target. With synchronous_mode Patroni accepts only the synchronous
 * standby (anything else could lose acknowledged commits); otherwise a healthy replica, preferring
 * one that is not `avoid` (the HAProxy node, which the later faults must not hit).
 */
export function switchoverCandidate(members: readonly Member[], synchronousMode: boolean, avoid: string): Member | undefined {
	const replicas = members.filter(isHealthyReplica);
	if (synchronousMode) return replicas.find(isSyncStandby);
	return replicas.find(member => member.name !== avoid) ?? replicas[0];
}

/**
 * 503 "Switchover status unknown": Patroni stopped waiting for the result (a busy host), not the
 * switchover itself; who leads next tells what happened.
 */
export function switchoverPending(answer: SwitchoverAnswer): boolean {
	return answer.status === 503 && /status unknown/i.test(answer.body);
}

/** A switchover and a bounded wait until the candidate leads (HAProxy node clock of that moment). */
export async function switchOver(env: TestEnv, leader: Member, candidate: string): Promise<{answer: SwitchoverAnswer; newLeaderAt: number | undefined}> {
	const answer = await requestSwitchover(env, leader, candidate);
	const unknown = switchoverPending(answer);
	if (unknown) env.log(`switchover ${leader.name} → ${candidate}: Patroni did not see the result in time; looking at who leads`);
	if (answer.status !== 200 && !unknown) {
		throw fail(`Patroni отклонил switchover ${leader.name} → ${candidate}: HTTP ${answer.status} ${answer.body}`,
			`Patroni refused the switchover ${leader.name} → ${candidate}: HTTP ${answer.status} ${answer.body}`);
	}

	const view = await poll(async () => {
		const current = await readCluster(env);
		return current?.leader?.name === candidate && current.leader.state === 'running' ? current : undefined;
	}, {timeoutMs: 60_000, intervalMs: 300, signal: env.signal});
	return {answer, newLeaderAt: view?.at};
}

/** Moves the leader off `name` (the HAProxy node must never be the one a fault hits). */
export async function moveLeaderAwayFrom(env: TestEnv, name: string): Promise<Readiness> {
	const ready = await waitReady(env);
	const leader = ready.view.leader!;
	if (leader.name !== name) return ready;
	// Right after a change of leader Patroni may not have named the synchronous standby yet.
	const candidate = await poll(async () => {
		const view = await readCluster(env);
		return view?.leader?.name === name ? switchoverCandidate(view.members, env.cluster.synchronousMode, name) : undefined;
	}, {timeoutMs: 60_000, intervalMs: 1000, signal: env.signal});
	if (!candidate) throw fail(`некуда переключить лидера с ${name}.`, `there is no replica to move the leader off ${name} to.`);
	env.log(`the leader is on the HAProxy node ${name}: switching over to ${candidate.name} first`);
	const {newLeaderAt} = await switchOver(env, leader, candidate.name);
	if (newLeaderAt === undefined) throw fail(`${candidate.name} не стал лидером после switchover.`, `${candidate.name} did not become the leader after the switchover.`);
	return waitReady(env);
}
