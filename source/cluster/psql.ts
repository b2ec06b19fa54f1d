/**
 * SQL run with psql on a node. The password and the SQL travel on stdin, so neither appears in a
 * process list or a log line.
 */
import type {Remote} from '../core/remote.ts';

export interface PsqlTarget {
	readonly host: string;
	readonly port: number;
	readonly user: string;
	readonly password: string;
	readonly database?: string;
}

export function psqlCommand(target: PsqlTarget, timeoutSeconds = 5): string {
	const db = target.database ?? 'postgres';
	return `sh -c 'IFS= read -r PGPASSWORD; export PGPASSWORD PGCONNECT_TIMEOUT=${timeoutSeconds}; exec psql -h ${target.host} -p ${target.port} -U ${target.user} -d ${db} -XAtq -F "|" -v ON_ERROR_STOP=1 -f -'`;
}

/** Rows as arrays of fields ("|"-separated, as psql -A prints them). */
export async function psql(remote: Remote, target: PsqlTarget, sql: string, signal?: AbortSignal): Promise<string[][]> {
	const result = await remote.exec(psqlCommand(target), {stdin: `${target.password}\n${sql}\n`, secrets: [target.password], signal, timeoutMs: 30_000});
	return result.stdout
		.split('\n')
		.filter(line => line.length > 0)
		.map(line => line.split('|'));
}
