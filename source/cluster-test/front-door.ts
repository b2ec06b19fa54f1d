/**
 * The front door under test: where the probes run (never on the node a fault hits), where the
 * floating address is and moving it on purpose, and the side probes that measure the other doors
 * (writes through the libpq multi-host string, reads through the read port) during a fault.
 */
import {sleep} from '../core/sleep.ts';
import type {NodeConfig} from '../core/cluster.ts';
import {haproxyNodes, holdsAddressCommand, multiHostUrl, severalHaproxies} from '../cluster/front-door.ts';
import {shellQuote} from '../ssh/quote.ts';
import {measureOutage, type Ack} from '../report/timeline.ts';
import {errorSummary} from './figures.ts';
import {fail, poll, remoteOf, settleWithin, type TestEnv} from './env.ts';
import type {TestRun} from './run-state.ts';
import type {WriterFigures} from './model.ts';
import {defaultWriterLimits, ProbeWriter} from './writer.ts';

/** The probes' node for a fault on `avoid`: a HAProxy node that is not hit, else any other node. */
export function clientEnv(env: TestEnv, avoid: readonly string[]): TestEnv {
	const spared = (node: NodeConfig) => !avoid.includes(node.name);
	const node = haproxyNodes(env.cluster).find(spared) ?? env.cluster.nodes.find(spared);
	if (!node) throw fail('нет узла, на котором могут работать зонды.', 'there is no node left for the probes to run on.');
	if (node.name === env.proxyNode.name) return env;
	return {...env, proxy: remoteOf(env, node.name), proxyNode: node, entryHost: env.cluster.haproxy.vip ?? '127.0.0.1'};
}

/** `holds=<interface>` and the node's clock, per node asked. */
function holderProbe(vip: string): string {
	return `sh -c ${shellQuote(`date +clock=%s%3N; ${holdsAddressCommand(vip)}`)}`;
}

export interface HolderSample {
	readonly holders: readonly string[];
	/** The latest clock reading among the nodes that answered (epoch ms). */
	readonly at: number;
}

/** Who holds the VIP now, asked of every node except `exclude` (a lost node may not answer). */
export async function vipHoldersNow(env: TestEnv, exclude: readonly string[] = []): Promise<HolderSample | undefined> {
	const vip = env.cluster.haproxy.vip;
	if (!vip) return undefined;
	const answers = await Promise.all(env.cluster.nodes.filter(node => !exclude.includes(node.name)).map(async node => {
		const result = await remoteOf(env, node.name).exec(holderProbe(vip), {allowFailure: true, signal: env.signal, timeoutMs: 10_000}).catch(() => undefined);
		if (!result) return undefined;
		const clock = Number(/clock=(\d+)/.exec(result.stdout)?.[1] ?? Number.NaN);
		return {name: node.name, holds: result.stdout.includes('holds='), clock};
	}));
	const seen = answers.filter(answer => answer !== undefined);
	if (seen.length === 0) return undefined;
	return {holders: seen.filter(answer => answer.holds).map(answer => answer.name), at: Math.max(...seen.map(answer => answer.clock).filter(Number.isFinite))};
}

/** Bounded wait until exactly one node holds the VIP; the holders seen last. */
export async function settledHolders(env: TestEnv, timeoutMs = 30_000): Promise<readonly string[]> {
	let last: readonly string[] = [];
	await poll(async () => {
		last = (await vipHoldersNow(env))?.holders ?? [];
		return last.length === 1 ? true : undefined;
	}, {timeoutMs, intervalMs: 1000, signal: env.signal});
	return last;
}

/**
 * Puts the VIP on `target`: keepalived stops on every other node, so `target` takes the address
 * within a few seconds, then starts again there as a backup (nopreempt: they do not take it back).
 */
export async function placeVip(env: TestEnv, target: string): Promise<void> {
	if (!env.cluster.haproxy.vip) return;
	const current = await settledHolders(env);
	if (current.length === 1 && current[0] === target) return;
	const others = haproxyNodes(env.cluster).filter(node => node.name !== target);
	env.log(`moving the floating address ${env.cluster.haproxy.vip} to ${target}`);
	await Promise.all(others.map(node => remoteOf(env, node.name).exec('systemctl stop keepalived', {sudo: true, signal: env.signal, timeoutMs: 30_000})));
	try {
		const moved = await poll(async () => {
			const sample = await vipHoldersNow(env);
			return sample?.holders.length === 1 && sample.holders[0] === target ? true : undefined;
		}, {timeoutMs: 30_000, intervalMs: 500, signal: env.signal});
		if (!moved) throw fail(`плавающий адрес не перешёл на ${target}.`, `the floating address did not move to ${target}.`);
	} finally {
		await Promise.all(others.map(node => remoteOf(env, node.name).exec('systemctl start keepalived', {sudo: true, allowFailure: true, signal: env.signal, timeoutMs: 30_000})));
	}

	// The restarted peers must have seen the holder's adverts before a fault tests them.
	await sleep(3000, env.signal);
	const holders = await settledHolders(env);
	if (holders.length !== 1 || holders[0] !== target) throw fail(`плавающий адрес ушёл с ${target} на ${holders.join(', ')}.`, `the floating address left ${target} for ${holders.join(', ')}.`);
}

/**
 * Watches, while a fault runs, for the first moment a node other than the victim holds the VIP.
 * Bounded: it stops by itself after `limitMs` even if nobody stops it.
 */
export class VipWatch {
	movedAt: number | null = null;
	holder: string | null = null;
	private stopped = false;
	private readonly done: Promise<void>;

	constructor(private readonly env: TestEnv, private readonly victim: string, limitMs: number) {
		const deadline = Date.now() + limitMs;
		this.done = (async () => {
			while (!this.stopped && this.movedAt === null && Date.now() < deadline && !env.signal.aborted) {
				const sample = await vipHoldersNow(env, [victim]).catch(() => undefined);
				const other = sample?.holders.find(name => name !== victim);
				if (other && sample) {
					this.movedAt = sample.at;
					this.holder = other;
					break;
				}

				await sleep(250, env.signal).catch(() => undefined);
			}
		})();
	}

	/** Bounded wait for the move; the moment it was seen, or null. */
	async waitMoved(timeoutMs: number): Promise<number | null> {
		await settleWithin(this.done, timeoutMs, this.env.signal).catch(() => false);
		return this.movedAt;
	}

	async stop(): Promise<void> {
		this.stopped = true;
		await settleWithin(this.done, 20_000, this.env.signal).catch(() => false);
	}
}

export interface SideFigures {
	readonly multiHostOutageMs: number | null;
	readonly multiHostWrites: WriterFigures;
	readonly readOutageMs: number | null;
	readonly reads: WriterFigures;
	readonly multiHostAcks: readonly Ack[];
}

function figuresOf(writer: ProbeWriter, firstSeq: number): WriterFigures {
	return {acked: writer.acks.length, failed: writer.errors.length, firstSeq, errors: errorSummary(writer.errors.map(error => error.reason))};
}

/**
 * The other two doors during a fault: a writer through the libpq multi-host string (every HAProxy
 * node, target_session_attrs=read-write) and a reader through the entry address's read port.
 */
export class SideProbes {
	private readonly multi: ProbeWriter;
	private readonly reader: ProbeWriter;
	private readonly multiFirstSeq: number;

	constructor(private readonly env: TestEnv, run: TestRun) {
		const limits = defaultWriterLimits;
		this.multiFirstSeq = run.reserveSeqs(limits.maxWrites);
		const port = env.cluster.ports.haproxyWrite;
		const hosts = haproxyNodes(env.cluster);
		this.multi = new ProbeWriter(env, {
			firstSeq: this.multiFirstSeq,
			...limits,
			// A slower pace than the main writer: it measures the same outage, with less load.
			intervalMs: 100,
			target: {host: hosts.map(node => node.ip).join(','), port: hosts.map(() => port).join(','), targetSessionAttrs: 'read-write'},
		});
		this.reader = new ProbeWriter(env, {
			firstSeq: 0,
			...limits,
			intervalMs: 100,
			mode: 'read',
			target: {host: env.entryHost, port: env.cluster.ports.haproxyRead},
		});
		env.log(`side probes on ${env.proxyNode.name}: writes through ${multiHostUrl(env.cluster, 'write')}, reads through ${env.entryHost}:${env.cluster.ports.haproxyRead}`);
	}

	/** Both doors answer before the fault (bounded). */
	async ready(): Promise<boolean> {
		return (await this.multi.waitForAcks(10, 30_000)) && (await this.reader.waitForAcks(10, 30_000));
	}

	/** Bounded wait until both doors answered again after `at`. */
	async recoveredAfter(at: number, timeoutMs: number): Promise<void> {
		await Promise.all([this.multi.waitForAckAfter(at, timeoutMs), this.reader.waitForAckAfter(at, timeoutMs)]);
	}

	/**
	 * Stops both; an outage is only a figure when the door answered after `recoveredSince` (the
	 * moment the fault was over), else it did not come back in time and the figure is null.
	 */
	async stop(faultAt: number, recoveredSince = faultAt): Promise<SideFigures> {
		const [multi, reads] = await Promise.all([this.multi.stop(), this.reader.stop()]);
		const outage = (acks: readonly Ack[]) => acks.some(ack => ack.at > recoveredSince) ? measureOutage(acks, faultAt)?.ms ?? null : null;
		return {
			multiHostOutageMs: outage(multi.acks),
			multiHostWrites: figuresOf(this.multi, this.multiFirstSeq),
			readOutageMs: outage(reads.acks),
			reads: figuresOf(this.reader, 0),
			multiHostAcks: multi.acks,
		};
	}
}

/** Side probes only make sense with several doors; the course's layout has one. */
export function hasSideDoors(env: TestEnv): boolean {
	return severalHaproxies(env.cluster);
}
