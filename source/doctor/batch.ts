/**
 * The one batch of read-only commands `pgha doctor` runs on each node (as root: pg_hba.conf, the
 * Patroni file and other users' processes are not readable otherwise). Every tool call has its own
 * `timeout`, so a hung etcd or curl cannot stretch the batch past its bound.
 */
import type {ClusterConfig, NodeConfig} from '../core/cluster.ts';
import {holdersProbe} from '../../steps/port-holders.ts';
import {haproxyConfigPath} from '../../templates/haproxy-cfg.ts';
import {patroniConfigPath} from '../../templates/patroni-yml.ts';

/** Known failures worth quoting as evidence; the logs are filtered on the node so little travels. */
export const pgLogPattern = [
	'no pg_hba.conf entry for replication',
	'password authentication failed for user',
	'is not a child of this server',
	'is not in this server.s history',
	'forked off current database system timeline',
	'could not connect to the primary server',
	'could not start WAL streaming',
].join('|');

export const etcdLogPattern = [
	'cluster ?ID mismatch',
	'has already been bootstrapped',
	'member count is unequal',
	'address already in use',
	'permission denied',
	'failed to publish local member',
	'no space left on device',
	'database space exceeded',
].join('|');

/** How the batch runs etcdctl: v3 API, short timeouts, the local member only (so a finding names its node). */
/**
 * One etcdctl call against the node's own member. `first` marks whether it answered; the later calls
 * run only then: against a stopped member each would wait out its dial timeout (seconds apiece), and
 * they could say nothing the first did not.
 */
function etcdctl(cluster: ClusterConfig, args: string, section: string, first = false): string {
	const endpoint = `http://127.0.0.1:${cluster.ports.etcdClient}`;
	const call = `timeout 8 env ETCDCTL_API=3 "$ETCDCTL" --endpoints=${endpoint} --dial-timeout=2s --command-timeout=4s ${args} 2>"$T/err"`;
	return [
		`echo "@@ ${section}"`,
		first ? `: > "$T/err"; ${call} && ETCD_ANSWERED=1` : `: > "$T/err"; [ -z "$ETCD_ANSWERED" ] || ${call}`,
		`echo "@@ ${section}-error"; grep -v '"level":"' "$T/err" | tail -n 3`,
	].join('\n');
}

/** The script for one node. The HAProxy stats credentials arrive on stdin as a curl config line (curlCredentials), never on a command line. */
export function doctorScript(cluster: ClusterConfig, node: NodeConfig): string {
	const api = `http://${node.ip}:${cluster.ports.patroniApi}`;
	return [
		'LC_ALL=C; export LC_ALL',
		'IFS= read -r STATS_AUTH || STATS_AUTH=',
		'T=$(mktemp -d); trap \'rm -rf "$T"\' EXIT',
		// First, so the collector can stamp its arrival against this computer's clock.
		'echo "@@ clock"; date +%s.%N',
		'echo "@@ hostname"; hostname',
		'echo "@@ machine-id"; cat /etc/machine-id 2>/dev/null',
		// etcd: the tarball's /usr/local/bin, the package's /usr/bin, the guide's own copy.
		'ETCDCTL=$(command -v etcdctl || echo /usr/local/bin/etcdctl); ETCD_ANSWERED=',
		'echo "@@ etcd-unit"; systemctl is-active etcd 2>/dev/null',
		'echo "@@ etcd-processes"; pgrep -a -x etcd',
		// The guide's way: no service, a ~/etcdN.conf started with nohup. Said so when that etcd is down.
		'echo "@@ etcd-enabled"; systemctl is-enabled etcd 2>/dev/null',
		'echo "@@ etcd-hand-configs"; stat -c "%U %n" /home/*/etcd*.conf /root/etcd*.conf 2>/dev/null | head -n 3',
		etcdctl(cluster, 'endpoint status -w json', 'etcd-status', true),
		etcdctl(cluster, 'endpoint health -w json', 'etcd-health'),
		etcdctl(cluster, 'member list -w json', 'etcd-members'),
		`echo "@@ etcd-log"; { journalctl -u etcd -n 300 --no-pager -o cat; tail -q -n 300 /home/*/etcd*.log /root/etcd*.log; } 2>/dev/null | grep -E -i '${etcdLogPattern}' | tail -n 5`,
		// Patroni: the file each running Patroni was started with, pgha's file, the guide's ~/patroniN.yml.
		// pgrep -f also matches this very script (its text names patroni): shells, sudo and greps are left out.
		'pp=; for p in $(pgrep -f "bin/patroni|^patroni "); do',
		'  a0=$(tr "\\0" "\\n" < "/proc/$p/cmdline" 2>/dev/null | head -n 1)',
		'  case "${a0##*/}" in sh|bash|dash|sudo|timeout|grep|pgrep|"") continue;; esac',
		'  pp="$pp $p"',
		'done',
		'echo "@@ patroni-unit"; systemctl is-active patroni 2>/dev/null',
		'echo "@@ patroni-processes"; for p in $pp; do echo "$p $(tr "\\0" " " < "/proc/$p/cmdline" 2>/dev/null)"; done',
		'files=$(for p in $pp; do tr "\\0" "\\n" < "/proc/$p/cmdline" 2>/dev/null | grep -E "\\.ya?ml$" | while read -r f; do case "$f" in /*) echo "$f";; *) echo "$(readlink "/proc/$p/cwd")/$f";; esac; done; done)',
		`for f in $files ${patroniConfigPath} /etc/patroni/*.yml /etc/patroni/*.yaml /home/*/patroni*.yml /root/patroni*.yml; do`,
		'  [ -f "$f" ] || continue',
		'  case " $seen " in *" $f "*) continue;; esac; seen="$seen $f"',
		'  echo "@@ patroni-file $f"; head -c 65536 "$f"; echo',
		'done',
		`echo "@@ patroni-cluster"; timeout 5 curl -s --max-time 3 ${api}/cluster; echo`,
		`echo "@@ patroni-self"; timeout 5 curl -s --max-time 3 ${api}/patroni; echo`,
		`echo "@@ patroni-config"; timeout 5 curl -s --max-time 3 ${api}/config; echo`,
		// PostgreSQL: the data directories named in those files and the running postmasters' own.
		'dirs=$( { for f in $seen; do sed -n "s/^[[:space:]]*data_dir:[[:space:]]*//p" "$f" | tr -d "\\"\'" ; done;',
		'  for p in $(pgrep -x postgres); do [ "$(ps -o comm= -p "$(ps -o ppid= -p "$p" | tr -d " ")")" = postgres ] || readlink "/proc/$p/cwd"; done; } 2>/dev/null | sort -u)',
		'for d in $dirs; do',
		'  echo "@@ hba $d"; if [ -r "$d/pg_hba.conf" ]; then grep -v -E "^[[:space:]]*(#|$)" "$d/pg_hba.conf"; else echo -; fi',
		'  echo "@@ df $d"; df -Pm "$d" 2>/dev/null',
		'done',
		'for d in /var/lib/etcd /home/*/etcd-data*; do [ -d "$d" ] && { echo "@@ df $d"; df -Pm "$d"; }; done 2>/dev/null',
		'logs=$(for d in $dirs; do ls -t "$d"/log/* "$d"/pg_log/* 2>/dev/null | head -n 1; done)',
		`echo "@@ pg-log"; { journalctl -u patroni -n 400 --no-pager -o cat; tail -q -n 400 $logs /var/log/postgresql/*.log /home/*/patroni*.log /home/*/nohup.out; } 2>/dev/null | grep -E '${pgLogPattern}' | tail -n 8`,
		// HAProxy: its file and the stats page, where it is installed.
		`if [ -f ${haproxyConfigPath} ]; then`,
		'  echo "@@ haproxy-unit"; systemctl is-active haproxy 2>/dev/null',
		`  echo "@@ haproxy-file"; head -c 65536 ${haproxyConfigPath}; echo`,
		`  echo "@@ haproxy-stats"; [ -n "$STATS_AUTH" ] && printf '%s\\n' "$STATS_AUTH" | timeout 5 curl -s --max-time 3 -K - 'http://127.0.0.1:${cluster.ports.haproxyStats}/stats;csv'`,
		'fi',
		'echo "@@ ss"; ss -ltnpH 2>/dev/null',
		holdersProbe,
		'echo "@@ end"',
	].join('\n');
}
