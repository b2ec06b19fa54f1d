/**
 * An in-memory stand-in for a node's SSH connection, for engine tests. It understands a few
 * commands that model a node's real state as a set of marks:
 *   mark KEY       record KEY (the "destructive work"; counted, so a test sees every repeat)
 *   test KEY       exit 0 when KEY is recorded, else 1      (what checks use)
 *   confirm KEY    the same as test                         (what verifies use, to tell them apart)
 *   print N TEXT   N stdout lines "TEXT 1" .. "TEXT N"
 *   echo TEXT      one stdout line
 *   fail CODE TEXT TEXT on stderr, exit CODE
 *   block          waits until the signal aborts
 * Handlers added with `on()` run first and may replace any command.
 */
import {appendFileSync, readFileSync} from 'node:fs';
import type {ExecOptions, ExecResult, Remote, UploadOptions} from '../../source/core/remote.ts';

export interface NodeState {
	has(key: string): boolean;
	add(key: string): void;
	/** How many times KEY was marked. */
	count(key: string): number;
}

export class MemoryNodeState implements NodeState {
	private readonly marks: string[] = [];

	has(key: string): boolean {
		return this.marks.includes(key);
	}

	add(key: string): void {
		this.marks.push(key);
	}

	count(key: string): number {
		return this.marks.filter(mark => mark === key).length;
	}
}

/** Marks in an append-only file, so they survive the process (the SIGKILL test). */
export class FileNodeState implements NodeState {
	constructor(readonly file: string) {}

	has(key: string): boolean {
		return this.marks().includes(key);
	}

	add(key: string): void {
		appendFileSync(this.file, `${key}\n`);
	}

	count(key: string): number {
		return this.marks().filter(mark => mark === key).length;
	}

	private marks(): string[] {
		try {
			return readFileSync(this.file, 'utf8').split('\n').filter(Boolean);
		} catch {
			return [];
		}
	}
}

export class FakeCommandError extends Error {
	constructor(readonly command: string, readonly code: number, readonly stdout: string, readonly stderr: string) {
		super(`"${command}" failed with exit code ${code}${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`);
		this.name = 'FakeCommandError';
	}
}

export interface FakeResponse {
	readonly code?: number;
	readonly stdout?: string;
	readonly stderr?: string;
}

export type FakeHandler = (command: string, options: ExecOptions, remote: FakeRemote) => FakeResponse | undefined | Promise<FakeResponse | undefined>;

export interface ExecCall {
	readonly command: string;
	readonly options: ExecOptions;
}

export class FakeRemote implements Remote {
	readonly calls: ExecCall[] = [];
	readonly uploads: Array<{path: string; content: string; options: UploadOptions}> = [];
	readonly files = new Map<string, string>();
	private readonly handlers: FakeHandler[] = [];

	constructor(readonly name: string, readonly host: string, readonly state: NodeState = new MemoryNodeState()) {}

	/** Adds a handler that runs before the built-in commands; returning undefined passes the command on. */
	on(handler: FakeHandler): this {
		this.handlers.push(handler);
		return this;
	}

	commands(): string[] {
		return this.calls.map(call => call.command);
	}

	async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
		this.calls.push({command, options});
		options.signal?.throwIfAborted();
		for (const handler of this.handlers) {
			const response = await handler(command, options, this);
			if (response) return this.finish(command, response, options);
		}

		return this.finish(command, await this.builtin(command, options), options);
	}

	async upload(content: string | Buffer, path: string, options: UploadOptions): Promise<void> {
		this.uploads.push({path, content: String(content), options});
		this.files.set(path, String(content));
	}

	close(): void {}

	private async builtin(command: string, options: ExecOptions): Promise<FakeResponse> {
		const [verb = '', ...args] = command.split(' ');
		const rest = args.join(' ');
		switch (verb) {
			case 'mark': {
				this.state.add(rest);
				return {code: 0};
			}

			case 'test':
			case 'confirm': {
				return {code: this.state.has(rest) ? 0 : 1};
			}

			case 'print': {
				const count = Number(args[0]);
				const text = args.slice(1).join(' ');
				return {code: 0, stdout: Array.from({length: count}, (_, index) => `${text} ${index + 1}`).join('\n')};
			}

			case 'echo': {
				return {code: 0, stdout: rest};
			}

			case 'fail': {
				return {code: Number(args[0]), stderr: args.slice(1).join(' ')};
			}

			case 'block': {
				await new Promise<void>((_resolve, reject) => {
					const signal = options.signal;
					if (!signal) return;
					signal.addEventListener('abort', () => reject(signal.reason as Error), {once: true});
				});
				return {code: 0};
			}

			default: {
				return {code: 127, stderr: `${verb}: command not found`};
			}
		}
	}

	private finish(command: string, response: FakeResponse, options: ExecOptions): ExecResult {
		const stdout = response.stdout ?? '';
		const stderr = response.stderr ?? '';
		if (options.onLine) {
			for (const line of stdout.split('\n')) if (stdout) options.onLine(line, 'stdout');
			for (const line of stderr.split('\n')) if (stderr) options.onLine(line, 'stderr');
		}

		const code = response.code ?? 0;
		if (code !== 0 && !options.allowFailure) throw new FakeCommandError(command, code, stdout, stderr);
		return {code, stdout, stderr};
	}
}

export function fakeRemotes(names: readonly string[], state?: (name: string) => NodeState): Map<string, FakeRemote> {
	return new Map(names.map((name, index) => [name, new FakeRemote(name, `192.168.0.${30 + index}`, state?.(name))]));
}
