/** Runs a program on the host without a shell and never throws: the caller reads the outcome. */
import {execFile} from 'node:child_process';

export interface RunResult {
	/** Exit code; undefined when the program could not start or was killed. */
	readonly code?: number;
	readonly stdout: string;
	readonly stderr: string;
	/** Why it did not finish normally: ENOENT, a timeout, a signal. */
	readonly failure?: string;
	readonly timedOut: boolean;
}

export interface RunOptions {
	readonly timeoutMs?: number;
	readonly env?: NodeJS.ProcessEnv;
	readonly signal?: AbortSignal;
}

export type RunFile = (file: string, args: readonly string[], options?: RunOptions) => Promise<RunResult>;

export const runFile: RunFile = async (file, args, options = {}) =>
	new Promise(resolve => {
		execFile(
			file,
			[...args],
			{
				encoding: 'utf8',
				timeout: options.timeoutMs ?? 30_000,
				killSignal: 'SIGKILL',
				maxBuffer: 16 * 1024 * 1024,
				windowsHide: true,
				env: options.env,
				signal: options.signal,
			},
			(error, stdout, stderr) => {
				if (!error) {
					resolve({code: 0, stdout, stderr, timedOut: false});
					return;
				}

				const failure = error as NodeJS.ErrnoException & {code?: number | string; killed?: boolean; signal?: string};
				const timedOut = failure.killed === true && failure.signal === 'SIGKILL' && !options.signal?.aborted;
				if (typeof failure.code === 'number') {
					resolve({code: failure.code, stdout, stderr, timedOut: false});
					return;
				}

				resolve({
					stdout,
					stderr,
					timedOut,
					failure: timedOut ? 'timeout' : String(failure.code ?? failure.signal ?? failure.message),
				});
			},
		);
	});
