/**
 * The command line a node's sshd receives for one exec. sshd hands it to the login user's shell, so it
 * is wrapped to behave the same whatever that shell is:
 *
 *   exec sh -c '<announce the session id on stderr>; exec env LC_ALL=C [sudo ...] env LC_ALL=C ... sh -c <command>'
 *
 * - sshd starts every session in a new session (setsid), so the outer sh's pid is the session id of
 *   everything the command starts; pgha reads it back from stderr to stop the whole tree on cancel,
 *   root processes under sudo included.
 * - LC_ALL=C keeps messages English and parseable (sshd drops most client env, so it is in the line).
 * - Under sudo the command runs as `sh -c` so its pipes and redirections run as root too.
 * - The sudo password never appears here: with `-S -p ''` sudo reads it from stdin; `-k` ignores a
 *   cached credential so the password line is always consumed by sudo and never reaches the command.
 */
import {shellQuote} from './quote.ts';

/** How sudo works on a node, found once per connection. `root`: logged in as root, no sudo needed. */
export type SudoMode = 'root' | 'nopasswd' | 'password';

/** stderr line announcing the session id; pgha removes it from the output. */
export const SESSION_MARKER = 'pgha-session:';

export const COMMAND_ENV = 'LC_ALL=C DEBIAN_FRONTEND=noninteractive';

export interface WrapOptions {
	readonly sudo?: SudoMode;
	readonly asUser?: string;
}

/** The sudo (or runuser) words that put the command under root or another user. */
export function elevation(options: WrapOptions): string {
	const user = options.asUser;
	switch (options.sudo) {
		case undefined:
			return '';
		case 'root':
			return user && user !== 'root' ? `runuser -u ${shellQuote(user)} -- ` : '';
		case 'nopasswd':
			return `sudo -n ${user ? `-u ${shellQuote(user)} ` : ''}-- `;
		case 'password':
			return `sudo -k -S -p '' ${user ? `-u ${shellQuote(user)} ` : ''}-- `;
	}
}

/** The full line sent to sshd for `command` (see the module comment). */
export function wrapCommand(command: string, options: WrapOptions = {}): string {
	const inner = `env ${COMMAND_ENV} sh -c ${shellQuote(command)}`;
	const script = `printf '${SESSION_MARKER}%s\\n' "$$" >&2; exec env LC_ALL=C ${elevation(options)}${inner}`;
	return `exec sh -c ${shellQuote(script)}`;
}

/** The session id when `line` is the marker line. */
export function parseSessionMarker(line: string): number | undefined {
	if (!line.startsWith(SESSION_MARKER)) return undefined;
	const id = Number(line.slice(SESSION_MARKER.length));
	return Number.isInteger(id) && id > 1 ? id : undefined;
}

/**
 * Stops every process of a session: TERM, up to 5 s to exit, then KILL, then up to 5 s more.
 * Zombies (already dead, waiting for sshd to collect them) do not count as running.
 */
export function killSessionScript(sessionId: number): string {
	const s = String(sessionId);
	return [
		`running() { ps -o stat= -s ${s} 2>/dev/null | grep -qv '^Z'; }`,
		`settle() { i=0; while running && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; }`,
		`pkill -TERM -s ${s}; settle`,
		`if running; then pkill -KILL -s ${s}; settle; fi`,
		`! running`,
	].join('\n');
}
