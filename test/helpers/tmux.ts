/**
 * A real pseudo-terminal for end-to-end screen tests: the program runs in a tmux pane and the test
 * reads the pane's text, as a student would see it. Every wait is bounded.
 */
import {spawnSync} from 'node:child_process';
import {readFileSync, existsSync} from 'node:fs';

export interface Pane {
	readonly socket: string;
	readonly name: string;
}

function tmux(pane: Pane, args: readonly string[]): string {
	const result = spawnSync('tmux', ['-S', pane.socket, ...args], {encoding: 'utf8'});
	return result.stdout ?? '';
}

/** Starts `command` (a shell line) in a new detached session; inside a network namespace if given. */
export function startPane(socket: string, command: string, options: {readonly netns?: string; readonly columns?: number; readonly rows?: number} = {}): Pane {
	const pane = {socket, name: 'pgha'};
	const tmuxArgs = ['-S', socket, 'new-session', '-d', '-s', pane.name, '-x', String(options.columns ?? 110), '-y', String(options.rows ?? 32), command];
	const result = options.netns ? spawnSync('ip', ['netns', 'exec', options.netns, 'tmux', ...tmuxArgs], {encoding: 'utf8'}) : spawnSync('tmux', tmuxArgs, {encoding: 'utf8'});
	if (result.status !== 0) throw new Error(`tmux did not start: ${result.stderr}`);
	// For debugging a screen test: PGHA_TMUX_RAW=1 keeps the raw byte stream beside the socket.
	if (process.env.PGHA_TMUX_RAW) tmux(pane, ['pipe-pane', '-t', pane.name, `cat >> ${socket}.raw`]);
	return pane;
}

export function screen(pane: Pane): string {
	return tmux(pane, ['capture-pane', '-p', '-t', pane.name]);
}

/**
 * Everything the pane ever showed, scrollback included, with rows the terminal wrapped joined back
 * (-J): a row longer than the pane's width is one the terminal had to wrap.
 */
export function history(pane: Pane): string {
	return tmux(pane, ['capture-pane', '-p', '-J', '-S', '-', '-t', pane.name]);
}

export function sendKeys(pane: Pane, ...keys: string[]): void {
	tmux(pane, ['send-keys', '-t', pane.name, ...keys]);
}

/** Types literal text (no key names). */
export function typeText(pane: Pane, text: string): void {
	tmux(pane, ['send-keys', '-t', pane.name, '-l', text]);
}

export function killPane(pane: Pane): void {
	tmux(pane, ['kill-server']);
}

export async function sleep(ms: number): Promise<void> {
	await new Promise(resolve => setTimeout(resolve, ms));
}

/** Waits until the screen matches; throws with the last screen when it does not in time. */
export async function waitForScreen(pane: Pane, pattern: RegExp, timeoutMs: number, pollMs = 250): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	while (Date.now() < deadline) {
		last = screen(pane);
		if (pattern.test(last)) return last;
		await sleep(pollMs);
	}

	throw new Error(`screen did not show ${pattern} within ${timeoutMs} ms; last screen:\n${last}`);
}

/** Waits for a file the pane's shell writes when the program exits (its exit code). */
export async function waitForExit(file: string, timeoutMs: number, pane?: Pane): Promise<number> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (existsSync(file)) {
			const text = readFileSync(file, 'utf8').trim();
			if (text !== '') return Number(text);
		}

		await sleep(250);
	}

	throw new Error(`the program did not exit within ${timeoutMs} ms${pane ? `; last screen:\n${screen(pane)}` : ''}`);
}
