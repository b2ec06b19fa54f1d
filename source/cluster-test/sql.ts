/**
 * SQL the tests run and the shell around psql on the HAProxy node. The password is the first line
 * of stdin and lives only in the shell's environment; every psql call has a connect timeout.
 */
import {patroniRoles} from '../../templates/patroni-yml.ts';
import {shellQuote} from '../ssh/quote.ts';
import {benchDatabase, markerTable, probeTable, testDatabase} from './env.ts';

export const createDatabaseSql = (database: string): string =>
	`SELECT 'CREATE DATABASE ${database}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${database}')\\gexec`;

/** Fresh tables every run: the figures of one run never mix with an earlier one. */
export const prepareTablesSql = [
	`DROP TABLE IF EXISTS ${probeTable}, ${markerTable}`,
	`CREATE TABLE ${probeTable} (seq bigint PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())`,
	`CREATE TABLE ${markerTable} (token text PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())`,
].join(';\n') + ';';

export {benchDatabase, testDatabase};

function withPassword(script: string): string {
	return `sh -c ${shellQuote(`IFS= read -r PGPASSWORD; export PGPASSWORD PGCONNECT_TIMEOUT=3\n${script}`)}`;
}

/** `hostWord` is a shell word already: a quoted address or "$h". */
function psqlWords(hostWord: string, port: number, database: string): string {
	return `psql -h ${hostWord} -p ${port} -U ${patroniRoles.superuser} -d ${shellQuote(database)} -XAtq -F '|'`;
}

/**
 * Opens `count` separate connections one after another and prints, per connection, the server's
 * address and whether it is in recovery (a replica): "addr|t" or "addr|f", or "error".
 */
export function connectionsCommand(port: number, count: number, host = '127.0.0.1'): string {
	const query = 'select inet_server_addr(), pg_is_in_recovery()';
	return withPassword([
		`i=0; while [ "$i" -lt ${count} ]; do i=$((i + 1))`,
		`  ${psqlWords(host, port, 'postgres')} -c ${shellQuote(query)} 2>/dev/null || echo error`,
		'done',
	].join('\n'));
}

export interface ConnectionAnswer {
	readonly server: string;
	readonly inRecovery: boolean;
}

export function parseConnections(stdout: string): (ConnectionAnswer | undefined)[] {
	return stdout.split('\n').filter(line => line.trim() !== '').map(line => {
		const [server, recovery] = line.trim().split('|');
		if (!server || server === 'error' || (recovery !== 't' && recovery !== 'f')) return undefined;
		return {server: server.replace(/\/32$/, ''), inRecovery: recovery === 't'};
	});
}

/** Prints "<host> <rows>" for each host (rows with the marker token), then the clock. */
export function markerProbeCommand(hosts: readonly string[], port: number, token: string): string {
	const query = `select count(*) from ${markerTable} where token = '${token}'`;
	return withPassword([
		`for h in ${hosts.map(host => shellQuote(host)).join(' ')}; do`,
		`  n=$(${psqlWords('"$h"', port, testDatabase)} -c ${shellQuote(query)} 2>/dev/null) || n=error`,
		'  echo "$h $n"',
		'done',
		'date +%s%3N',
	].join('\n'));
}

export function parseMarkerProbe(stdout: string): {seen: Map<string, boolean>; at: number} {
	const lines = stdout.split('\n').map(line => line.trim()).filter(Boolean);
	const at = Number(lines.pop() ?? '0');
	const seen = new Map<string, boolean>();
	for (const line of lines) {
		const [host, count] = line.split(' ');
		if (host) seen.set(host, count === '1');
	}

	return {seen, at};
}
