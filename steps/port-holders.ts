/**
 * Who holds a port pgha needs, and how it was started. A student who followed the guide by hand
 * often has etcd or Patroni running from `nohup` in a login session: the process has the right name,
 * so the name alone would pass, and pgha's own service would then fail against it with advice that
 * does not apply. The process's cgroup tells a hand-started process from a systemd service.
 */
import type {PortClaim, Text} from './types.ts';
import {text} from './commands.ts';

export interface PortHolder {
	readonly pid: number;
	readonly user: string;
	/** The cgroup path (cgroup v2, or v1's name=systemd hierarchy): where systemd placed it. */
	readonly cgroup: string;
	/** Its working directory: PostgreSQL's postmaster works in its data directory. */
	readonly cwd: string;
	/** For etcd: the data directory its open WAL and snapshot files sit in. */
	readonly etcdData: string;
	readonly command: string;
}

/**
 * One tab-separated line per process listening on TCP: pid, owner, cgroup, cwd, etcd data, command
 * line (cut at 300 characters). Run as root inside the VM checks' inspection.
 */
export const holdersProbe = [
	'echo "@@ holders"',
	'for pid in $(ss -ltnpH 2>/dev/null | grep -o "pid=[0-9]*" | cut -d= -f2 | sort -un); do',
	'  [ -d "/proc/$pid" ] || continue',
	'  cg=$(grep -m1 -E "^(0::|1:name=systemd:)" "/proc/$pid/cgroup" 2>/dev/null | sed "s/^[^:]*:[^:]*://")',
	'  data=$(ls -l "/proc/$pid/fd" 2>/dev/null | grep -o " /[^ ]*/member/" | head -n1 | sed "s|^ ||; s|/member/$||")',
	'  printf "%s\\t%s\\t%s\\t%s\\t%s\\t" "$pid" "$(stat -c %U "/proc/$pid" 2>/dev/null)" "$cg" "$(readlink "/proc/$pid/cwd" 2>/dev/null)" "$data"',
	'  tr "\\0\\t\\n" "   " < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-300',
	'  echo',
	'done',
].join('\n');

export function parseHolders(lines: readonly string[]): Map<number, PortHolder> {
	const holders = new Map<number, PortHolder>();
	for (const line of lines) {
		const [pid, user = '', cgroup = '', cwd = '', etcdData = '', command = ''] = line.split('\t');
		const number = Number(pid);
		if (!Number.isInteger(number) || number <= 0) continue;
		holders.set(number, {pid: number, user, cgroup, cwd, etcdData, command: command.trim()});
	}

	return holders;
}

export type StartedBy =
	| {readonly kind: 'hand'}
	| {readonly kind: 'service'; readonly unit: string}
	| {readonly kind: 'unknown'};

/**
 * From the cgroup path: a login session's scope (or sshd's own service where no logind places
 * sessions, as in containers) or a user's systemd means started by hand; a system service names it.
 */
export function startedBy(cgroup: string): StartedBy {
	const parts = cgroup.split('/').filter(Boolean);
	if (parts.some(part => /^session-.+\.scope$/.test(part) || /^user@\d+\.service$/.test(part))) return {kind: 'hand'};
	const service = parts.find(part => part.endsWith('.service'));
	if (service === 'ssh.service' || service === 'sshd.service') return {kind: 'hand'};
	if (service) return {kind: 'service', unit: service};
	return {kind: 'unknown'};
}

/**
 * Whether a process on a claimed port is someone else's: a process with a name the stage allows is
 * foreign only when it was started by hand or by another service than the one the stage declares.
 */
export function isForeign(claim: PortClaim, holder: PortHolder, allowedName: boolean): boolean {
	const started = startedBy(holder.cgroup);
	const wanted = claim.service;
	return !(allowedName && (started.kind === 'unknown' || (started.kind === 'service' && (wanted === undefined || started.unit === wanted))));
}

/** One port a process holds that pgha needs, and whether the process's name is one the stage allows there. */
export interface HeldPort {
	readonly claim: PortClaim;
	readonly allowedName: boolean;
}

function listed(items: readonly string[], and: string): string {
	return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} ${and} ${items.at(-1)}`;
}

/** "port 2379 (needed by etcd)", "ports 2379 and 2380 (needed by etcd)", or each port with its role when the roles differ. */
function portsText(held: readonly HeldPort[]): {ru: string; en: string; many: boolean} {
	const roles = [...new Set(held.map(item => item.claim.role))];
	const ports = held.map(item => String(item.claim.port));
	const many = held.length > 1;
	if (roles.length === 1) {
		return {
			ru: many ? `порты ${listed(ports, 'и')} (нужны для ${roles[0]})` : `порт ${ports[0]} (нужен для ${roles[0]})`,
			en: many ? `ports ${listed(ports, 'and')} (needed by ${roles[0]})` : `port ${ports[0]} (needed by ${roles[0]})`,
			many,
		};
	}

	return {
		ru: `порты ${listed(held.map(item => `${item.claim.port} (нужен для ${item.claim.role})`), 'и')}`,
		en: `ports ${listed(held.map(item => `${item.claim.port} (needed by ${item.claim.role})`), 'and')}`,
		many,
	};
}

/**
 * What a student reads about one process holding ports pgha needs, or nothing when it is pgha's own.
 * A process on several ports (a hand-started etcd holds 2379 and 2380) is one finding naming them
 * all: the PID, the way it was started and the command that stops it are said once.
 */
export function foreignHolder(held: readonly HeldPort[], holder: PortHolder): {message: Text; fix: Text} | undefined {
	const foreign = held.filter(item => isForeign(item.claim, holder, item.allowedName))
		.filter((item, index, all) => all.findIndex(other => other.claim.port === item.claim.port) === index);
	if (foreign.length === 0) return undefined;
	const started = startedBy(holder.cgroup);
	const data = holder.etcdData || (holder.command.startsWith('postgres') ? holder.cwd : '');
	const who = `PID ${holder.pid}, ${holder.user || '?'}`;
	const how = started.kind === 'hand'
		? text(', запущен вручную в сеансе входа (nohup или терминал)', ', started by hand in a login session (nohup or a terminal)')
		: started.kind === 'service' ? text(`, запущен службой ${started.unit}`, `, started by the service ${started.unit}`) : text('', '');
	// The unit pgha would run there, said only where the process has the right name (it looks like ours).
	const wanted = [...new Set(foreign.filter(item => item.allowedName && item.claim.service).map(item => item.claim.service!))];
	const notOurs = wanted.length > 0
		? text(`, а не службой ${listed(wanted, 'или')}, которую ставит pgha`, `, not by the ${listed(wanted, 'or')} pgha sets up`)
		: text('', '');
	const dataText = data ? text(`; его данные: ${data}`, `; its data: ${data}`) : text('', '');
	const ports = portsText(foreign);
	const message = text(
		`${ports.ru} ${ports.many ? 'заняты' : 'занят'}: ${holder.command || '?'} (${who})${how.ru}${notOurs.ru}${dataText.ru}.`,
		`${ports.en} ${ports.many ? 'are' : 'is'} held by ${holder.command || '?'} (${who})${how.en}${notOurs.en}${dataText.en}.`);
	const keep = text(
		'pgha не перенимает процесс, который запустил не он; файлы процесса останутся на месте.',
		'pgha does not take over a process it did not start; the process\'s files stay where they are.');
	const patroniFirst = holder.command.startsWith('postgres')
		? text(' Если его запустил Patroni, запущенный вручную, сначала остановите тот Patroni (иначе он запустит PostgreSQL снова).', ' If a Patroni started by hand runs it, stop that Patroni first (it would start PostgreSQL again).')
		: text('', '');
	const stop = started.kind === 'service'
		? text(`Остановите и выключите службу: sudo systemctl disable --now ${started.unit}`, `Stop and disable that service: sudo systemctl disable --now ${started.unit}`)
		: text(`Остановите его: sudo kill ${holder.pid}`, `Stop it: sudo kill ${holder.pid}`);
	return {
		message,
		fix: text(`${keep.ru}${patroniFirst.ru} ${stop.ru}, затем запустите pgha снова.`, `${keep.en}${patroniFirst.en} ${stop.en}, then run pgha again.`),
	};
}
