/**
 * The bounded pgbench loop the load test runs on the HAProxy node. pgbench 15 ends a client for
 * good when its connection drops (a failover does that), so the load runs as short segments, one
 * after another, each reporting its own figures on one line. The password arrives on stdin; the
 * other settings are plain arguments.
 */
export const pgbenchLoopPath = '/usr/local/lib/pgha/pgbench-loop.sh';

export interface PgbenchLoopArgs {
	readonly pgbench: string;
	readonly host: string;
	readonly port: number;
	readonly user: string;
	readonly database: string;
	/** rw: pgbench's built-in TPC-B-like script; ro: select-only (-S). */
	readonly mode: 'rw' | 'ro';
	readonly clients: number;
	readonly segmentSeconds: number;
	/** Hard limits: the loop ends at whichever comes first (or when the stop file exists). */
	readonly maxSegments: number;
	readonly maxSeconds: number;
	readonly stopFile: string;
}

/** The loop's arguments in the order the script reads them. */
export function pgbenchLoopArgv(args: PgbenchLoopArgs): string[] {
	return [
		args.pgbench, args.host, String(args.port), args.user, args.database, args.mode, String(args.clients),
		String(args.segmentSeconds), String(args.maxSegments), String(args.maxSeconds), args.stopFile,
	];
}

export function renderPgbenchLoop(): string {
	return `#!/bin/bash
# Written by pgha: bounded pgbench loop for the load test. Output lines:
#   seg <n> <start_ms> <end_ms> <exit_code> <transactions> <failed> <aborted_clients> <tps>
#   why <first error line of a failed segment>
#   end <segments>
set -u
IFS= read -r PGPASSWORD
export PGPASSWORD PGCONNECT_TIMEOUT=2
pgbench=$1 host=$2 port=$3 user=$4 db=$5 mode=$6 clients=$7 seconds=$8 max_segments=$9 max_seconds=\${10} stop_file=\${11}
select_only=
[ "$mode" = ro ] && select_only=-S
deadline=$(( $(date +%s) + max_seconds ))
n=0
while [ "$n" -lt "$max_segments" ] && [ "$(date +%s)" -lt "$deadline" ] && [ ! -e "$stop_file" ]; do
  n=$((n + 1))
  start=$(date +%s%3N)
  out=$("$pgbench" -h "$host" -p "$port" -U "$user" -n $select_only -c "$clients" -j 1 -T "$seconds" "$db" 2>&1)
  rc=$?
  end=$(date +%s%3N)
  tx=$(printf '%s\\n' "$out" | sed -n 's/^number of transactions actually processed: \\([0-9]*\\).*/\\1/p' | head -n 1)
  failed=$(printf '%s\\n' "$out" | sed -n 's/^number of failed transactions: \\([0-9]*\\).*/\\1/p' | head -n 1)
  aborted=$(printf '%s\\n' "$out" | grep -c 'aborted in command\\|aborted while')
  tps=$(printf '%s\\n' "$out" | sed -n 's/^tps = \\([0-9.]*\\).*/\\1/p' | head -n 1)
  echo "seg $n $start $end $rc \${tx:-0} \${failed:-0} $aborted \${tps:-0}"
  if [ "$rc" -ne 0 ]; then
    printf '%s\\n' "$out" | grep -m 1 -i 'error\\|aborted\\|fatal' | cut -c 1-160 | sed 's/^/why /'
    # A refused connection fails at once: do not spin.
    sleep 0.5
  fi
done
echo "end $n"
`;
}
