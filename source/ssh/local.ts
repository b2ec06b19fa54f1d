/**
 * A Remote for the machine pgha runs on (host-scope steps: ~/.ssh/config, VBoxManage, ...):
 * the same exec contract as over SSH, with child_process underneath.
 * POSIX: `/bin/sh -c` in its own process group, so cancelling stops the whole tree.
 * Windows: cmd.exe through spawn's shell option; cancelling uses `taskkill /T /F`.
 */
import {spawn, execFile} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {chmodSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {CommandError, commandTimeoutError, type Target} from './errors.ts';
import {LineSplitter, OutputSink} from './lines.ts';
import {maskSecrets} from './mask.ts';
import {shellQuote} from './quote.ts';
import type {ExecOptions, ExecResult, Remote, StreamName, UploadOptions} from '../core/remote.ts';

export interface LocalRemoteOptions {
	/** Name shown in logs and errors. Default "host". */
	readonly name?: string;
	/** Characters of each stream kept in ExecResult (the tail). Default 1 MiB. */
	readonly maxCapture?: number;
}

const isWindows = process.platform === 'win32';

function abortError(signal: AbortSignal): Error {
	const error = new Error('The operation was aborted', {cause: signal.reason});
	error.name = 'AbortError';
	return error;
}

function isRoot(): boolean {
	return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The words that run a POSIX command as root or as another user on this machine. */
function elevate(command: string, options: ExecOptions): string {
	if (isWindows || (!options.sudo && options.asUser === undefined)) return command;
	if (options.asUser === undefined && isRoot()) return command;
	// No password prompt on the host: pgha never asks for the host's sudo password.
	const user = options.asUser === undefined ? '' : `-u ${shellQuote(options.asUser)} `;
	return `sudo -n ${user}-- sh -c ${shellQuote(command)}`;
}

export class LocalRemote implements Remote {
	readonly name: string;
	readonly host = 'localhost';
	private readonly target: Target;

	constructor(private readonly options: LocalRemoteOptions = {}) {
		this.name = options.name ?? 'host';
		this.target = {name: this.name, host: 'localhost', port: 0, user: os.userInfo().username};
	}

	exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
		if (options.signal?.aborted) return Promise.reject(abortError(options.signal));
		const display = maskSecrets(command, options.secrets);
		const limit = this.options.maxCapture ?? 1024 * 1024;
		const sink = new OutputSink(limit, options.onLine, options.secrets);
		const out = new LineSplitter((line, complete) => sink.deliver(line, 'stdout', complete));
		const err = new LineSplitter((line, complete) => sink.deliver(line, 'stderr', complete));

		const child = isWindows
			? spawn(command, {shell: true, windowsHide: true, stdio: 'pipe'})
			: spawn('/bin/sh', ['-c', elevate(command, options)], {
					detached: true,
					stdio: 'pipe',
					env: {...process.env, LC_ALL: 'C'},
				});

		return new Promise<ExecResult>((resolve, reject) => {
			let stopping: 'abort' | 'timeout' | undefined;
			let settled = false;
			let force: NodeJS.Timeout | undefined;
			const settle = (action: () => void): void => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				clearTimeout(force);
				options.signal?.removeEventListener('abort', onAbort);
				action();
			};
			const killTree = (signal: NodeJS.Signals): void => {
				if (child.pid === undefined) return;
				try {
					if (isWindows) execFile('taskkill', ['/pid', String(child.pid), '/T', '/F'], () => undefined);
					else process.kill(-child.pid, signal);
				} catch {
					// Already gone.
				}
			};
			const stop = (reason: 'abort' | 'timeout'): void => {
				if (stopping || settled) return;
				stopping = reason;
				killTree('SIGTERM');
				force = setTimeout(() => killTree('SIGKILL'), 5_000);
			};
			const timer = options.timeoutMs ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined;
			const onAbort = (): void => stop('abort');
			options.signal?.addEventListener('abort', onAbort, {once: true});

			child.stdout.on('data', (chunk: Buffer) => out.write(chunk));
			child.stderr.on('data', (chunk: Buffer) => err.write(chunk));
			child.on('error', error => settle(() => reject(error)));
			child.on('close', (exitCode, signalName) => {
				out.end();
				err.end();
				if (stopping === 'timeout') {
					return settle(() => reject(commandTimeoutError(this.target, display, options.timeoutMs ?? 0)));
				}
				if (stopping === 'abort') return settle(() => reject(abortError(options.signal!)));
				if (sink.callbackError) return settle(() => reject(sink.callbackError));
				const signal = signalName ?? undefined;
				const number = signal ? os.constants.signals[signal] : undefined;
				const code = exitCode ?? (number !== undefined ? 128 + number : -1);
				const stdout = sink.stdout.toString();
				const stderr = sink.stderr.toString();
				if (code === 0 || options.allowFailure) return settle(() => resolve({code, signal, stdout, stderr}));
				settle(() =>
					reject(
						new CommandError(this.target, {
							command: display,
							code,
							signal,
							stdout: maskSecrets(stdout, options.secrets),
							stderr: maskSecrets(stderr, options.secrets),
						}),
					),
				);
			});
			child.stdin.on('error', () => {
				// A command that does not read its stdin may exit before we finish writing it.
			});
			child.stdin.end(options.stdin ?? '');
		});
	}

	async upload(content: string | Buffer, targetPath: string, options: UploadOptions): Promise<void> {
		const mode = options.mode & 0o7777;
		if (!isWindows && (options.owner !== undefined || options.group !== undefined)) {
			// Ownership needs root: the same temp-file-then-install path as on a node.
			const temp = path.join(os.tmpdir(), `pgha-upload-${randomBytes(8).toString('hex')}`);
			writeFileSync(temp, content, {mode: 0o600, flag: 'wx'});
			try {
				const owner = options.owner ? ` -o ${shellQuote(options.owner)}` : '';
				const group = options.group ? ` -g ${shellQuote(options.group)}` : '';
				await this.exec(
					`install -m ${mode.toString(8).padStart(4, '0')}${owner}${group} -T ${shellQuote(temp)} ${shellQuote(targetPath)}`,
					{sudo: true},
				);
			} finally {
				rmSync(temp, {force: true});
			}
			return;
		}
		// Write beside the target and rename over it: never a half-written file.
		const staged = `${targetPath}.pgha-new-${randomBytes(4).toString('hex')}`;
		writeFileSync(staged, content, {mode});
		try {
			if (!isWindows) chmodSync(staged, mode);
			renameSync(staged, targetPath);
		} catch (error) {
			rmSync(staged, {force: true});
			throw error;
		}
	}

	close(): void {
		// Nothing to close on the host.
	}
}

/** The host's executor for host-scope steps. */
export function localRemote(options: LocalRemoteOptions = {}): LocalRemote {
	return new LocalRemote(options);
}
