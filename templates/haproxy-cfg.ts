/**
 * haproxy.cfg for HAProxy 2.x (2.6 on Debian 12, 2.8 on Ubuntu 24.04). Unlike the course guide, the
 * health checks sit in the proxies that own the servers (a `frontend` ignores `option httpchk`), and
 * they ask Patroni's REST API /primary and /replica (/master is deprecated).
 */

export const haproxyConfigPath = '/etc/haproxy/haproxy.cfg';

/** The start of the first line of every haproxy.cfg pgha writes: how a re-run recognises its own. */
export const haproxyMarker = '# Written by pgha';

export const haproxyStatsUser = 'admin';
export const haproxyStatsUri = '/stats';

/** Proxy names: the stats CSV reports servers under these. */
export const haproxyPrimaryProxy = 'primary';
export const haproxyReplicasProxy = 'replicas';

export interface HaproxyServer {
	readonly name: string;
	readonly ip: string;
}

export interface HaproxyCfgInput {
	readonly clusterName: string;
	readonly servers: readonly HaproxyServer[];
	readonly postgresPort: number;
	readonly patroniApiPort: number;
	readonly writePort: number;
	readonly readPort: number;
	readonly statsPort: number;
	readonly statsPassword: string;
	readonly inter: string;
	readonly fall: number;
	readonly rise: number;
}

/** Double-quoted HAProxy word: backslash, double quote and `$` (environment expansion) escaped. */
export function haproxyQuote(value: string): string {
	return `"${value.replace(/[\\"$]/g, match => `\\${match}`)}"`;
}

function checkedProxy(name: string, port: number, uri: string, input: HaproxyCfgInput, balance?: string): string[] {
	const lines = [
		`listen ${name}`,
		`    bind *:${port}`,
		'    option tcplog',
	];
	if (balance) lines.push(`    balance ${balance}`);
	lines.push(
		'    option httpchk',
		`    http-check send meth OPTIONS uri ${uri}`,
		'    http-check expect status 200',
		`    default-server inter ${input.inter} fall ${input.fall} rise ${input.rise} on-marked-down shutdown-sessions`,
		...input.servers.map(server => `    server ${server.name} ${server.ip}:${input.postgresPort} check port ${input.patroniApiPort}`),
	);
	return lines;
}

export function renderHaproxyCfg(input: HaproxyCfgInput): string {
	const lines = [
		`${haproxyMarker} for cluster ${input.clusterName}. pgha rewrites this file;`,
		'# the original is kept as haproxy.cfg.orig.',
		'global',
		'    log /dev/log local0',
		'    log /dev/log local1 notice',
		'    chroot /var/lib/haproxy',
		'    stats socket /run/haproxy/admin.sock mode 660 level admin',
		'    stats timeout 30s',
		'    user haproxy',
		'    group haproxy',
		'    daemon',
		'',
		'defaults',
		'    log global',
		'    mode tcp',
		'    option dontlognull',
		'    retries 2',
		'    timeout connect 4s',
		// Long enough for an idle psql session; HAProxy would otherwise cut it.
		'    timeout client 30m',
		'    timeout server 30m',
		'    timeout check 5s',
		'',
		`# Writes: only the server whose Patroni answers 200 on /primary (the leader).`,
		...checkedProxy(haproxyPrimaryProxy, input.writePort, '/primary', input),
		'',
		`# Reads: the replicas (Patroni answers 200 on /replica), in turn.`,
		...checkedProxy(haproxyReplicasProxy, input.readPort, '/replica', input, 'roundrobin'),
		'',
		'listen stats',
		`    bind *:${input.statsPort}`,
		'    mode http',
		'    stats enable',
		`    stats uri ${haproxyStatsUri}`,
		'    stats refresh 5s',
		'    stats realm pgha',
		`    stats auth ${haproxyQuote(`${haproxyStatsUser}:${input.statsPassword}`)}`,
		'',
	];
	return lines.join('\n');
}
