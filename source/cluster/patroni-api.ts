/** Patroni's REST API and HAProxy's stats page, read from a node with curl. */
import type {BackendServer, Member} from '../core/health.ts';
import type {Remote} from '../core/remote.ts';

export type {BackendServer, Member};

interface RawMember {
	name?: unknown;
	host?: unknown;
	role?: unknown;
	state?: unknown;
	timeline?: unknown;
	lag?: unknown;
}

export function parseClusterJson(text: string): Member[] {
	const parsed = JSON.parse(text) as {members?: RawMember[]};
	return (parsed.members ?? []).map(member => ({
		name: String(member.name ?? ''),
		host: String(member.host ?? ''),
		role: String(member.role ?? ''),
		state: String(member.state ?? ''),
		timeline: typeof member.timeline === 'number' ? member.timeline : undefined,
		lag: typeof member.lag === 'number' ? member.lag : undefined,
	}));
}

export async function fetchMembers(remote: Remote, apiHost: string, apiPort: number, signal?: AbortSignal): Promise<Member[]> {
	const result = await remote.exec(`curl -sS --max-time 5 http://${apiHost}:${apiPort}/cluster`, {signal, timeoutMs: 15_000});
	return parseClusterJson(result.stdout);
}

/** HTTP status of a Patroni health endpoint such as /primary or /replica (200 = yes, 503 = no). */
export async function endpointStatus(remote: Remote, apiHost: string, apiPort: number, path: string): Promise<number> {
	const result = await remote.exec(`curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://${apiHost}:${apiPort}${path}`, {allowFailure: true, timeoutMs: 15_000});
	return Number(result.stdout.trim()) || 0;
}

/** HAProxy's `;csv` stats: one row per frontend, server and backend. */
export function parseStatsCsv(csv: string): BackendServer[] {
	const lines = csv.split('\n').filter(line => line.trim().length > 0);
	const header = lines[0]?.replace(/^# /, '').split(',') ?? [];
	const proxyIndex = header.indexOf('pxname');
	const serverIndex = header.indexOf('svname');
	const statusIndex = header.indexOf('status');
	return lines
		.slice(1)
		.map(line => line.split(','))
		.filter(fields => !['FRONTEND', 'BACKEND'].includes(fields[serverIndex] ?? ''))
		.map(fields => ({proxy: fields[proxyIndex] ?? '', server: fields[serverIndex] ?? '', status: fields[statusIndex] ?? ''}));
}

/** The stats password goes through a curl config on stdin, never on the command line. */
export async function fetchStats(remote: Remote, statsPort: number, password: string): Promise<BackendServer[]> {
	const result = await remote.exec(`curl -sS --max-time 5 -K - 'http://127.0.0.1:${statsPort}/stats;csv'`, {
		stdin: `user = "admin:${password}"\n`,
		secrets: [password],
		timeoutMs: 15_000,
	});
	return parseStatsCsv(result.stdout);
}
