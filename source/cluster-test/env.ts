/**
 * What every test needs from a step's context: the cluster, the secrets, the HAProxy node's
 * connection (the writer, psql and curl all run there, so one clock measures everything), the other
 * nodes' connections for faults, and bounded waiting that stops with the run.
 */
import {sleep} from '../core/sleep.ts';
import type {ClusterConfig, NodeConfig, Secrets} from '../core/cluster.ts';
import type {Remote} from '../core/remote.ts';
import {StepError} from '../core/step.ts';
import type {Panel} from '../core/panel.ts';
import type {Lang, Text} from '../core/text.ts';

export const testDatabase = 'pgha_test';
export const probeTable = 'pgha_probe';
export const markerTable = 'pgha_marker';
export const benchDatabase = 'pgha_bench';

export interface TestEnv {
	readonly cluster: ClusterConfig;
	readonly secrets: Secrets;
	/** The HAProxy node: the probe writer, pgbench, psql and curl run here. */
	readonly proxy: Remote;
	readonly proxyNode: NodeConfig;
	/**
	 * The address clients use from the node the probes run on: 127.0.0.1 where HAProxy runs on that
	 * node and there is no VIP (the course's layout), else the VIP.
	 */
	readonly entryHost: string;
	readonly remotes: ReadonlyMap<string, Remote>;
	readonly log: (line: string) => void;
	/** The run screen's live block (the drill view while a fault runs); absent outside a run. */
	readonly panel?: (panel: Panel | undefined) => void;
	readonly signal: AbortSignal;
	/** e.g. /usr/lib/postgresql/15/bin */
	readonly pgBinDir: string;
	/** Where patroni and patronictl are: the venv's bin or /usr/bin (the stage knows the layout). */
	readonly patroniBinDir: string;
	/** The Python that has psycopg2: Patroni's venv, or the system's with the distro package. */
	readonly python: string;
	/** The run's language, for what a test says to the student before a fault (English when absent). */
	readonly lang?: Lang;
}

/** A test's failure: one sentence in both languages (the engine shows `text` in the user's language). */
export class TestFailure extends StepError {
	constructor(text: Text, fix?: Text) {
		super(text, fix);
		this.name = 'TestFailure';
	}
}

export function fail(ru: string, en: string, fix?: Text): TestFailure {
	return new TestFailure({ru, en}, fix);
}

export function nodeByName(cluster: ClusterConfig, name: string): NodeConfig {
	const node = cluster.nodes.find(candidate => candidate.name === name);
	if (!node) throw fail(`${name} нет в файле кластера.`, `${name} is not in the cluster file.`);
	return node;
}

export function remoteOf(env: TestEnv, name: string): Remote {
	const remote = env.remotes.get(name);
	if (!remote) throw fail(`нет SSH-подключения к ${name}.`, `no SSH connection to ${name}.`);
	return remote;
}


/**
 * Waits for `work`, but at most `ms`: true when it ended in time (its error is thrown), false when
 * the time ran out. The clock is stopped either way: a raced sleep would hold pgha open at the end.
 */
export function settleWithin(work: Promise<unknown>, ms: number, signal?: AbortSignal): Promise<boolean> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(signal.reason ?? new Error('aborted'));
			return;
		}

		const finish = (settle: () => void): void => {
			clearTimeout(timer);
			signal?.removeEventListener('abort', onAbort);
			settle();
		};
		const onAbort = (): void => finish(() => reject(signal?.reason ?? new Error('aborted')));
		const timer = setTimeout(() => finish(() => resolve(false)), ms);
		signal?.addEventListener('abort', onAbort, {once: true});
		work.then(
			() => finish(() => resolve(true)),
			(error: unknown) => finish(() => reject(error)),
		);
	});
}

export interface PollOptions {
	readonly timeoutMs: number;
	readonly intervalMs: number;
	readonly signal?: AbortSignal;
}

/**
 * Runs the probe until it returns a value, bounded twice: by time and by a count derived from it
 * (a probe that itself hangs still ends by its own command timeout). Errors count as "not yet".
 */
export async function poll<T>(probe: () => Promise<T | undefined>, options: PollOptions): Promise<T | undefined> {
	const deadline = Date.now() + options.timeoutMs;
	const maxAttempts = Math.ceil(options.timeoutMs / Math.max(1, options.intervalMs)) + 1;
	for (let attempt = 0; attempt < maxAttempts; attempt++) {
		if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
		let value: T | undefined;
		try {
			value = await probe();
		} catch (error) {
			if (options.signal?.aborted) throw error;
			value = undefined;
		}

		if (value !== undefined) return value;
		if (Date.now() + options.intervalMs > deadline) break;
		await sleep(options.intervalMs, options.signal);
	}

	return undefined;
}

/** The HAProxy node's clock in epoch milliseconds (the clock every figure uses). */
export async function proxyNow(env: TestEnv): Promise<number> {
	const result = await env.proxy.exec('date +%s%3N', {signal: env.signal, timeoutMs: 15_000});
	const value = Number(result.stdout.trim());
	if (!Number.isFinite(value) || value <= 0) throw fail('не удалось прочитать часы узла HAProxy.', 'could not read the HAProxy node\'s clock.');
	return value;
}
