/**
 * Small helpers every stage uses: shell quoting, apt that waits for other apt processes, bounded
 * waits, running actions, comparing files on a node with what pgha would write, bilingual errors.
 */
import {sleep} from '../source/core/sleep.ts';
import {createHash} from 'node:crypto';
import {secretValues} from '../source/config/secrets.ts';
import type {ExecOptions, ExecResult} from '../source/core/remote.ts';
import {shellQuote as shq} from '../source/ssh/quote.ts';
import {StepError, type Action, type ProgressReader, type StepContext, type Text} from './types.ts';

/** `text(ru, en)`: the stages' name for the bottom layer's bilingual text. */
export {t as text} from '../source/core/text.ts';

/** Shell quoting under the stages' short names; one implementation, in the SSH layer. */
export {shellQuote as shq, shellJoin as shellWords} from '../source/ssh/quote.ts';

/** A script as one command, so `sudo` covers every part of it. */
export function sh(script: string): string {
	return `sh -c ${shq(script)}`;
}

export function bash(script: string): string {
	return `bash -c ${shq(script)}`;
}

/** How long apt waits for the dpkg lock (a fresh Ubuntu runs unattended-upgrades at boot). */
export const aptLockTimeoutSeconds = 600;

/**
 * apt-get, non-interactive, waiting for the dpkg lock (`DPkg::Lock::Timeout`). That option does not
 * cover the lists and archives locks (apt 2.6 fails at once on them), so the call is also retried,
 * at most 60 times 10 s, while its output says another process holds a lock. An install left half
 * done by an interrupted run is finished first (`dpkg --configure -a`).
 */
export function aptGet(args: string, retry: {attempts: number; delaySeconds: number} = {attempts: 60, delaySeconds: 10}): string {
	return bash([
		'log=$(mktemp); trap \'rm -f "$log"\' EXIT',
		`for attempt in $(seq 1 ${retry.attempts}); do`,
		`  env DEBIAN_FRONTEND=noninteractive LC_ALL=C apt-get -o DPkg::Lock::Timeout=${aptLockTimeoutSeconds} ${args} 2>&1 | tee "$log"`,
		'  rc=${PIPESTATUS[0]}',
		// A Ctrl+C or a dropped connection in the middle of an install leaves dpkg half done; apt
		// then refuses everything until the unfinished packages are configured.
		'  if grep -q "dpkg was interrupted" "$log"; then',
		'    echo "pgha: an earlier install was interrupted; finishing it with dpkg --configure -a"',
		'    env DEBIAN_FRONTEND=noninteractive LC_ALL=C dpkg --force-confdef --force-confold --configure -a 2>&1 || true',
		'    continue',
		'  fi',
		'  grep -q "Could not get lock" "$log" || exit "$rc"',
		`  echo "pgha: another apt process (unattended-upgrades?) holds the apt lock; waiting ${retry.delaySeconds} s"`,
		`  sleep ${retry.delaySeconds}`,
		'done',
		'exit 1',
	].join('\n'));
}

export const aptTimeoutMs = 30 * 60_000;


/** Runs a command on the step's node with the run's signal and secret masking; failures resolve. */
export async function probe(ctx: StepContext, command: string, options: ExecOptions = {}): Promise<ExecResult> {
	return ctx.remote.exec(command, {
		allowFailure: true,
		signal: ctx.signal,
		secrets: secretValues(ctx.secrets),
		timeoutMs: 60_000,
		...options,
	});
}

/** The engine's step runner: `execute` one command, `runActions` a plan (what a step without its own apply gets). */
export {execute, runActions} from '../source/engine/run-actions.ts';

/** An output-line handler that reads the tool's progress and reports each change to the screen. */
export function progressLines(ctx: StepContext, reader: ProgressReader): (line: string) => void {
	return line => {
		const figures = reader.read(line);
		if (figures) ctx.progress?.(figures);
	};
}

export function writeAction(path: string, content: string, mode: number, owner = 'root', group = owner): Extract<Action, {kind: 'write'}> {
	return {kind: 'write', path, content, mode, owner, group};
}

export function runAction(command: string, options: {sudo?: boolean; asUser?: string; timeoutMs?: number} = {}): Extract<Action, {kind: 'run'}> {
	return {kind: 'run', command, sudo: options.sudo ?? true, ...(options.asUser ? {asUser: options.asUser} : {}), ...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {})};
}

export function sha256(content: string | Buffer): string {
	return createHash('sha256').update(content).digest('hex');
}

export interface FileState {
	readonly mode: number;
	readonly owner: string;
	readonly group: string;
	readonly sha256: string;
}

/** One command printing `path mode owner group sha256` (or `path -` when absent) per file. */
export function fileStateScript(paths: readonly string[]): string {
	const lines = paths.map(path => {
		const quoted = shq(path);
		return `if [ -f ${quoted} ]; then printf '%s %s ' ${quoted} "$(stat -c '%a %U %G' ${quoted})"; sha256sum < ${quoted} | cut -d' ' -f1; else echo ${quoted} -; fi`;
	});
	return sh(lines.join('\n'));
}

export function parseFileStates(stdout: string): Map<string, FileState | undefined> {
	const states = new Map<string, FileState | undefined>();
	for (const line of stdout.split('\n')) {
		const parts = line.trim().split(/\s+/);
		if (parts.length === 2 && parts[1] === '-') states.set(parts[0]!, undefined);
		if (parts.length === 5) {
			states.set(parts[0]!, {mode: Number.parseInt(parts[1]!, 8), owner: parts[2]!, group: parts[3]!, sha256: parts[4]!});
		}
	}

	return states;
}

/** Reads mode, owner and content hash of files on the node (as root: some are 0600). */
export async function readFileStates(ctx: StepContext, paths: readonly string[]): Promise<Map<string, FileState | undefined>> {
	const result = await probe(ctx, fileStateScript(paths), {sudo: true});
	return parseFileStates(result.stdout);
}

/** Does the file on the node already hold exactly what the write action would put there? */
export function fileMatches(state: FileState | undefined, action: Extract<Action, {kind: 'write'}>): boolean {
	return state !== undefined
		&& state.sha256 === sha256(action.content)
		&& state.mode === action.mode
		&& state.owner === (action.owner ?? 'root')
		&& state.group === (action.group ?? action.owner ?? 'root');
}

/** `key=value` lines into a map (later lines win). */
export function parseKeyValues(stdout: string): Map<string, string> {
	const values = new Map<string, string>();
	for (const line of stdout.split('\n')) {
		const index = line.indexOf('=');
		if (index > 0) values.set(line.slice(0, index).trim(), line.slice(index + 1).trim());
	}

	return values;
}

export interface WaitOptions {
	/** The probe runs at most this many times. */
	readonly attempts: number;
	readonly intervalMs: number;
	readonly signal?: AbortSignal;
}


/**
 * Bounded wait: runs the probe until it returns a value (not undefined), at most `attempts` times
 * with `intervalMs` between tries. Returns undefined when the attempts run out.
 */
export async function waitFor<T>(probeOnce: (attempt: number) => Promise<T | undefined>, options: WaitOptions): Promise<T | undefined> {
	for (let attempt = 1; attempt <= options.attempts; attempt++) {
		if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
		const value = await probeOnce(attempt);
		if (value !== undefined) return value;
		if (attempt < options.attempts) await sleep(options.intervalMs, options.signal);
	}

	return undefined;
}

/** A failure naming the node, with the problem and the fix in both languages. */
export function nodeError(node: string, problem: Text, fix?: Text): StepError {
	return new StepError({ru: `${node}: ${problem.ru}`, en: `${node}: ${problem.en}`}, fix);
}

/** A warning that does not stop the run, logged in both languages. */
export function warn(ctx: StepContext, message: Text): void {
	ctx.log(`warning: ${ctx.node.name}: ${message.en}`);
	ctx.log(`предупреждение: ${ctx.node.name}: ${message.ru}`);
}

/** The last lines of a unit's journal, for error messages. */
export async function journalTail(ctx: StepContext, unit: string, lines = 20): Promise<string> {
	const result = await probe(ctx, `journalctl -u ${shq(unit)} -n ${lines} --no-pager -o cat`, {sudo: true});
	return result.stdout.trim();
}
