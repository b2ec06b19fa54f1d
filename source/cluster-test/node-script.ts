/**
 * A bounded Python script on the client node (the probe writer, the drill's watcher): its settings
 * go in as one JSON line on stdin (passwords never on a command line), its output comes back line by
 * line, and it ends by itself at its own limit or as soon as its stop file exists.
 */
import {randomBytes} from 'node:crypto';
import {settleWithin, type TestEnv} from './env.ts';

export interface NodeScriptOptions {
	/** For the stop file's name and the log line when it cannot run, e.g. "probe writer". */
	readonly name: string;
	readonly path: string;
	/** The script's settings; it is told where its stop file is. */
	readonly settings: (stopFile: string) => object;
	readonly secrets: readonly string[];
	/** The script bounds itself; this only catches one that cannot even start. */
	readonly timeoutMs: number;
	readonly onLine: (line: string) => void;
}

export class NodeScript {
	private readonly stopFile = `/tmp/pgha-${randomBytes(6).toString('hex')}.stop`;
	private readonly done: Promise<void>;

	constructor(private readonly env: TestEnv, options: NodeScriptOptions) {
		this.done = env.proxy
			.exec(`${env.python} ${options.path}`, {
				stdin: `${JSON.stringify(options.settings(this.stopFile))}\n`,
				secrets: [...options.secrets],
				signal: env.signal,
				allowFailure: true,
				timeoutMs: options.timeoutMs,
				onLine: (line, stream) => {
					if (stream === 'stdout') options.onLine(line);
				},
			})
			.then(
				() => undefined,
				error => env.log(`${options.name}: ${error instanceof Error ? error.message : String(error)}`),
			);
	}

	/** Creates the stop file, waits (bounded) for the script to end, removes the file. */
	async stop(settleMs: number): Promise<void> {
		const options = {allowFailure: true, signal: this.env.signal, timeoutMs: 15_000};
		await this.env.proxy.exec(`touch ${this.stopFile}`, options).catch(() => undefined);
		await settleWithin(this.done, settleMs, this.env.signal).catch(() => false);
		await this.env.proxy.exec(`rm -f ${this.stopFile}`, options).catch(() => undefined);
	}
}
