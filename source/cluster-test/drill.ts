/**
 * A failover drill as it happens: the watcher (templates/drill-monitor.ts) runs on the client node
 * next to the probe writer, and its samples, the leader key's changes and the writer's
 * acknowledgements are turned into the drill screen twice a second. What it recorded is also the
 * evidence the outage's phases are measured from (phases.ts), on the same clock as the writer.
 */
import type {Panel} from '../core/panel.ts';
import type {Lang} from '../core/text.ts';
import {haproxyNodes, hasVip} from '../cluster/front-door.ts';
import {drillMonitorPath, type DrillMonitorSettings} from '../../templates/drill-monitor.ts';
import {haproxyPrimaryProxy, haproxyStatsUri, haproxyStatsUser} from '../../templates/haproxy-cfg.ts';
import {patroniNamespace} from '../../templates/patroni-yml.ts';
import type {Ack} from '../report/timeline.ts';
import type {TestEnv} from './env.ts';
import {NodeScript} from './node-script.ts';
import {drillLine, drillRows, type DrillNode, type DrillSnapshot, type DrillTick, type KeyEvent} from './drill-view.ts';

export type MonitorLine =
	| {readonly kind: 'key'; readonly event: KeyEvent}
	| {readonly kind: 'tick'; readonly tick: DrillTick}
	| {readonly kind: 'end'};

function nodeOf(value: unknown): DrillNode | null {
	if (!value || typeof value !== 'object') return null;
	const raw = value as {role?: unknown; state?: unknown; tl?: unknown};
	return {
		...(typeof raw.role === 'string' ? {role: raw.role} : {}),
		...(typeof raw.state === 'string' ? {state: raw.state} : {}),
		...(typeof raw.tl === 'number' ? {tl: raw.tl} : {}),
	};
}

function doorOf(value: unknown): Record<string, string> | null {
	if (!value || typeof value !== 'object') return null;
	return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** One line of the watcher's output, or undefined for anything else (a Python warning, say). */
export function parseMonitorLine(line: string): MonitorLine | undefined {
	let raw: Record<string, unknown>;
	try {
		raw = JSON.parse(line) as Record<string, unknown>;
	} catch {
		return undefined;
	}

	if (!raw || typeof raw !== 'object' || typeof raw.t !== 'number' && raw.k !== 'end') return undefined;
	if (raw.k === 'end') return {kind: 'end'};
	const at = raw.t as number;
	if (raw.k === 'key' && (raw.ev === 'PUT' || raw.ev === 'DELETE')) {
		return {kind: 'key', event: {at, type: raw.ev, ...(typeof raw.v === 'string' ? {value: raw.v} : {})}};
	}

	if (raw.k !== 'tick') return undefined;
	const nodes = Object.fromEntries(Object.entries((raw.nodes ?? {}) as Record<string, unknown>).map(([name, value]) => [name, nodeOf(value)]));
	const doors = Object.fromEntries(Object.entries((raw.doors ?? {}) as Record<string, unknown>).map(([name, value]) => [name, doorOf(value)]));
	const leader = 'etcd' in raw ? undefined : typeof raw.leader === 'string' ? raw.leader : null;
	return {kind: 'tick', tick: {at, ...(leader === undefined ? {} : {leader}), ...(typeof raw.ttl === 'number' ? {ttl: raw.ttl} : {}), nodes, doors}};
}

/** Acknowledged writes per second over the last `seconds`, ending at `now` (the current second last). */
export function perSecond(acks: readonly Ack[], now: number, seconds: number): number[] {
	const counts = Array.from({length: seconds}, () => 0);
	for (let index = acks.length - 1; index >= 0; index--) {
		const age = now - acks[index]!.at;
		if (age >= seconds * 1000) break;
		if (age >= 0) counts[seconds - 1 - Math.floor(age / 1000)]! += 1;
	}

	return counts;
}

/** What the watcher saw, for the phases and the report. */
export interface DrillRecord {
	readonly ticks: readonly DrillTick[];
	readonly keyEvents: readonly KeyEvent[];
}

export interface DrillOptions {
	readonly title: string;
	readonly lang: Lang;
	readonly ttlSeconds: number;
	readonly predicted?: {readonly minMs: number; readonly maxMs: number};
	/** The writer's acknowledgements so far (read, never changed). */
	readonly acks: () => readonly Ack[];
	/** Who holds the floating address now, when there is one. */
	readonly vipHolder?: () => string | null;
	/** The HAProxy node whose view is shown; default the VIP holder, else the client node. */
	readonly door?: () => string | undefined;
	/** The watcher's own limit. */
	readonly durationMs: number;
}

const sampleEveryMs = 500;
const screenEveryMs = 500;
const stripSeconds = 40;

export class Drill {
	private readonly ticks: DrillTick[] = [];
	private readonly keyEvents: KeyEvent[] = [];
	private readonly script: NodeScript;
	private readonly timer: NodeJS.Timeout;
	/** The client node's clock minus this computer's, from the first sample (the screen's clock). */
	private skew: number | undefined;
	private faultAt: number | undefined;

	constructor(private readonly env: TestEnv, private readonly options: DrillOptions) {
		const cluster = env.cluster;
		const settings = (stopFile: string): DrillMonitorSettings => ({
			etcdEndpoint: `http://127.0.0.1:${cluster.ports.etcdClient}`,
			leaderKey: `${patroniNamespace}${cluster.name}/leader`,
			patroni: Object.fromEntries(cluster.nodes.map(node => [node.name, `http://${node.ip}:${cluster.ports.patroniApi}/patroni`])),
			stats: Object.fromEntries(haproxyNodes(cluster).map(node => [node.name, `http://${node.ip}:${cluster.ports.haproxyStats}${haproxyStatsUri};csv`])),
			statsUser: haproxyStatsUser,
			statsPassword: env.secrets.haproxyStatsPassword,
			writeProxy: haproxyPrimaryProxy,
			intervalMs: sampleEveryMs,
			durationMs: options.durationMs,
			stopFile,
		});
		this.script = new NodeScript(env, {
			name: 'drill watcher',
			path: drillMonitorPath,
			settings,
			secrets: [env.secrets.haproxyStatsPassword],
			timeoutMs: options.durationMs + 60_000,
			onLine: line => this.take(line),
		});
		this.timer = setInterval(() => this.show(), screenEveryMs);
		this.timer.unref();
	}

	/** The fault's moment on the client node's clock: the screen's clock counts from it. */
	markFault(at: number): void {
		this.faultAt = at;
		this.show();
	}

	private take(line: string): void {
		const parsed = parseMonitorLine(line);
		if (!parsed || parsed.kind === 'end') return;
		if (parsed.kind === 'key') {
			this.keyEvents.push(parsed.event);
			return;
		}

		this.skew ??= parsed.tick.at - Date.now();
		this.ticks.push(parsed.tick);
	}

	/** The client node's "now", from this computer's clock and the skew seen in the first sample. */
	private nodeNow(): number {
		return Date.now() + (this.skew ?? 0);
	}

	snapshot(): DrillSnapshot {
		const now = this.nodeNow();
		const acks = this.options.acks();
		const faultAt = this.faultAt;
		const vip = hasVip(this.env.cluster) ? this.options.vipHolder?.() ?? null : undefined;
		const door = this.options.door?.() ?? vip ?? (haproxyNodes(this.env.cluster).some(node => node.name === this.env.proxyNode.name) ? this.env.proxyNode.name : haproxyNodes(this.env.cluster)[0]?.name);
		const lastAck = acks.at(-1);
		return {
			title: this.options.title,
			sinceFaultMs: faultAt === undefined ? null : Math.max(0, now - faultAt),
			...(this.options.predicted ? {predicted: this.options.predicted} : {}),
			ttlSeconds: this.options.ttlSeconds,
			nodes: this.env.cluster.nodes.map(node => node.name),
			...(this.ticks.length > 0 ? {tick: this.ticks.at(-1)!} : {}),
			keyChanges: faultAt === undefined ? [] : this.keyEvents.filter(event => event.at >= faultAt).map(event => ({afterMs: event.at - faultAt, event})),
			...(door ? {door} : {}),
			...(vip === undefined ? {} : {vipHolder: vip}),
			strip: perSecond(acks, now, stripSeconds),
			acked: acks.length,
			sinceLastAckMs: lastAck ? Math.max(0, now - lastAck.at) : null,
		};
	}

	private show(): void {
		if (!this.env.panel) return;
		const view = this.snapshot();
		const lang = this.options.lang;
		const panel: Panel = {render: width => drillRows(view, lang, width), plain: drillLine(view, lang)};
		this.env.panel(panel);
	}

	/** Stops the watcher (bounded) and takes the screen away; returns what it saw. */
	async stop(): Promise<DrillRecord> {
		clearInterval(this.timer);
		this.env.panel?.(undefined);
		await this.script.stop(20_000);
		return {ticks: [...this.ticks], keyEvents: [...this.keyEvents]};
	}
}
