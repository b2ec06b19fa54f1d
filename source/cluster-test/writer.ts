/**
 * Control of the probe writer on the HAProxy node: start it, watch its acknowledged writes arrive
 * line by line, stop it through its stop file. Every loop here is bounded in time.
 */
import type {Ack} from '../report/timeline.ts';
import {probeWriterPath, type ProbeWriterSettings} from '../../templates/probe-writer.ts';
import {patroniRoles} from '../../templates/patroni-yml.ts';
import {poll, probeTable, testDatabase, type TestEnv} from './env.ts';
import {NodeScript} from './node-script.ts';

export interface WriterError {
	readonly at: number;
	readonly reason: string;
}

export type WriterLine =
	| {readonly kind: 'ack'; readonly seq: number; readonly at: number}
	| {readonly kind: 'err'; readonly at: number; readonly reason: string}
	| {readonly kind: 'end'; readonly acked: number; readonly failed: number};

export function parseWriterLine(line: string): WriterLine | undefined {
	const ack = /^ack (\d+) (\d+)$/.exec(line.trim());
	if (ack) return {kind: 'ack', seq: Number(ack[1]), at: Number(ack[2])};
	const err = /^err (\d+) ?(.*)$/.exec(line.trim());
	if (err) return {kind: 'err', at: Number(err[1]), reason: err[2] ?? ''};
	const end = /^end (\d+) (\d+)$/.exec(line.trim());
	if (end) return {kind: 'end', acked: Number(end[1]), failed: Number(end[2])};
	return undefined;
}

export interface WriterOptions {
	readonly firstSeq: number;
	/** Where it connects; default the entry address and the write port. */
	readonly target?: {readonly host: string; readonly port: number | string; readonly targetSessionAttrs?: string};
	readonly mode?: 'write' | 'read';
	/** Hard limits of the writer itself. */
	readonly maxWrites: number;
	readonly durationMs: number;
	readonly intervalMs: number;
}

export const defaultWriterLimits = {maxWrites: 5000, durationMs: 120_000, intervalMs: 50} as const;

export interface WriterResult {
	readonly acks: readonly Ack[];
	readonly errors: readonly WriterError[];
	/** The writer's own summary line was seen (it ended by itself, not by a broken connection). */
	readonly ended: boolean;
}

export class ProbeWriter {
	readonly acks: Ack[] = [];
	readonly errors: WriterError[] = [];
	private ended = false;
	private readonly script: NodeScript;

	constructor(private readonly env: TestEnv, readonly options: WriterOptions) {
		const target = options.target ?? {host: env.entryHost, port: env.cluster.ports.haproxyWrite};
		const settings = (stopFile: string): ProbeWriterSettings => ({
			host: target.host,
			port: target.port,
			...(target.targetSessionAttrs ? {targetSessionAttrs: target.targetSessionAttrs} : {}),
			...(options.mode ? {mode: options.mode} : {}),
			user: patroniRoles.superuser,
			password: env.secrets.superuserPassword,
			database: testDatabase,
			table: probeTable,
			durationMs: options.durationMs,
			maxWrites: options.maxWrites,
			intervalMs: options.intervalMs,
			firstSeq: options.firstSeq,
			stopFile,
		});
		this.script = new NodeScript(env, {
			name: 'probe writer',
			path: probeWriterPath,
			settings,
			secrets: [env.secrets.superuserPassword],
			// The writer bounds itself; this only catches a writer that cannot even start.
			timeoutMs: options.durationMs + 60_000,
			onLine: line => this.take(line),
		});
	}

	private take(line: string): void {
		const parsed = parseWriterLine(line);
		if (!parsed) return;
		if (parsed.kind === 'ack') this.acks.push({seq: parsed.seq, at: parsed.at});
		else if (parsed.kind === 'err') this.errors.push({at: parsed.at, reason: parsed.reason});
		else this.ended = true;
	}

	/** Waits (bounded) until at least `count` writes were acknowledged. */
	async waitForAcks(count: number, timeoutMs: number): Promise<boolean> {
		return (await poll(async () => (this.acks.length >= count ? true : undefined), {timeoutMs, intervalMs: 100, signal: this.env.signal})) ?? false;
	}

	/** Waits (bounded) for an acknowledged write later than `at`; returns it. */
	async waitForAckAfter(at: number, timeoutMs: number): Promise<Ack | undefined> {
		return poll(async () => this.acks.find(ack => ack.at > at), {timeoutMs, intervalMs: 100, signal: this.env.signal});
	}

	async stop(): Promise<WriterResult> {
		// The writer notices the file before its next write: at most one interval plus one write.
		await this.script.stop(30_000);
		return {acks: [...this.acks], errors: [...this.errors], ended: this.ended};
	}
}
