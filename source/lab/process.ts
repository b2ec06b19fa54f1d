/** Running host commands for the lab: captured, or streamed into a log file. */
import {spawn, type StdioOptions} from 'node:child_process';
import {writeSync} from 'node:fs';

export interface RunOptions {
	readonly input?: string;
	/** Resolve with the exit code instead of throwing on failure. */
	readonly allowFailure?: boolean;
	readonly env?: NodeJS.ProcessEnv;
	readonly cwd?: string;
	/** Append both output streams to this file descriptor instead of capturing them. */
	readonly logFd?: number;
	/** With logFd: every output line is also handed here (the output then passes through pgha on its way to the file). */
	readonly onLine?: (line: string) => void;
	readonly timeoutMs?: number;
}

export interface RunResult {
	readonly code: number;
	readonly stdout: string;
	readonly stderr: string;
}

export class CommandFailed extends Error {
	constructor(
		readonly command: string,
		readonly result: RunResult,
	) {
		const detail = (result.stderr || result.stdout).trim().split('\n').slice(-5).join('\n');
		super(`${command} exited with ${result.code}${detail ? `:\n${detail}` : ''}`);
	}
}

/** Keep the tail: a chatty command must not grow memory without bound. */
const maxCaptured = 1_000_000;

function append(buffer: string, chunk: string): string {
	const joined = buffer + chunk;
	return joined.length > maxCaptured ? joined.slice(-maxCaptured) : joined;
}

export async function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
	const {logFd, onLine} = options;
	const direct = onLine === undefined ? logFd : undefined;
	const stdio: StdioOptions = [
		options.input === undefined ? 'ignore' : 'pipe',
		direct ?? 'pipe',
		direct ?? 'pipe',
	];
	const child = spawn(command, args, {stdio, env: options.env ?? process.env, cwd: options.cwd});
	let stdout = '';
	let stderr = '';
	const lines = {stdout: '', stderr: ''};
	const pass = (stream: 'stdout' | 'stderr', chunk: string, end = false) => {
		if (logFd === undefined || onLine === undefined) return;
		if (chunk) writeSync(logFd, chunk);
		const parts = (lines[stream] + chunk).split('\n');
		lines[stream] = end ? '' : parts.pop()!;
		for (const line of parts) if (line || !end) onLine(line);
	};

	child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
		stdout = append(stdout, chunk);
		pass('stdout', chunk);
	});
	child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
		stderr = append(stderr, chunk);
		pass('stderr', chunk);
	});
	if (options.input !== undefined) {
		// A command may exit without reading its input; its exit code tells what happened.
		child.stdin?.on('error', () => {});
		child.stdin?.end(options.input);
	}
	const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
	const code = await new Promise<number>(resolve => {
		child.on('error', error => {
			stderr = append(stderr, `${error.message}\n`);
			resolve(127);
		});
		child.on('close', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1)));
	});
	if (timer) clearTimeout(timer);
	pass('stdout', '', true);
	pass('stderr', '', true);
	const result = {code, stdout, stderr};
	if (code !== 0 && !options.allowFailure) throw new CommandFailed([command, ...args].join(' '), result);
	return result;
}

/** Exit code only; for probes where failure is an answer, not an error. */
export async function succeeds(command: string, args: readonly string[], options: RunOptions = {}): Promise<boolean> {
	const result = await run(command, args, {...options, allowFailure: true});
	return result.code === 0;
}

/** The one pause, under the name the lab's modules import. */
export {sleep} from '../core/sleep.ts';
