/**
 * The theoretical limits the figures are judged against, derived from the cluster file's timing:
 *
 * - HAProxy sends a server traffic only after `rise` good checks `inter` apart: up to rise × inter
 *   after Patroni's /primary starts answering 200 on the new leader.
 * - A planned switchover or a graceful stop releases the leader key at once; the replicas, watching
 *   it, race within about one loop_wait.
 * - A killed, powered off or cut primary cannot release its key: it expires after at most ttl, and
 *   the replicas notice within loop_wait, so ttl + loop_wait.
 *
 * A fixed slack covers what the formulas leave out (promotion itself, new connections, polling).
 */
import type {ClusterConfig} from '../core/cluster.ts';
import type {Bounds, FaultKind, TimingSettings} from './model.ts';

export const slackMs = 5000;
/** Replication is asynchronous but on a quiet LAN a row is everywhere in well under a second. */
export const replicationVisibleBoundMs = 10_000;
/** The old primary comes back, rewinds if it must, streams and catches up (a power-on boots first). */
export const rejoinBoundMs = 180_000;
/**
 * A cut-off primary's shutdown waits for its WAL senders to give up on the replicas it can no longer
 * reach (PostgreSQL's wal_sender_timeout, 60 s by default).
 */
export const walSenderTimeoutMs = 60_000;

/**
 * A cut-off primary steps down by itself once Patroni has retried etcd for retry_timeout (noticed
 * within a loop) and PostgreSQL has shut its WAL senders down.
 */
export function stepDownBoundMs(settings: TimingSettings): number {
	return (settings.loopWait + settings.retryTimeout) * 1000 + walSenderTimeoutMs + slackMs;
}

/** How long a wait goes on past its bound, to tell "slow" (it came, later) from "never". */
export function patienceMs(boundMs: number): number {
	return 2 * boundMs + 60_000;
}

/** HAProxy time: "3s", "500ms", "1m", "2h" or a bare number (milliseconds, as HAProxy reads it). */
export function parseHaproxyDuration(value: string): number | undefined {
	const match = /^(\d+(?:\.\d+)?)(us|ms|s|m|h|d)?$/.exec(value.trim());
	if (!match) return undefined;
	const amount = Number(match[1]);
	const unit = match[2] ?? 'ms';
	const factor = {us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}[unit]!;
	return Math.round(amount * factor);
}

export function timingSettings(cluster: ClusterConfig): TimingSettings {
	const {inter, fall, rise} = cluster.haproxy.timing;
	return {
		ttl: cluster.timing.ttl,
		loopWait: cluster.timing.loopWait,
		retryTimeout: cluster.timing.retryTimeout,
		inter,
		interMs: parseHaproxyDuration(inter) ?? 3000,
		fall,
		rise,
		synchronousMode: cluster.synchronousMode,
	};
}

/** rise × inter: how long HAProxy takes to trust a new primary. */
export function haproxyRiseMs(settings: TimingSettings): number {
	return settings.rise * settings.interMs;
}

export function computeBounds(settings: TimingSettings): Bounds {
	const rise = haproxyRiseMs(settings);
	return {
		replicationVisibleMs: replicationVisibleBoundMs,
		switchoverMs: settings.loopWait * 1000 + rise + slackMs,
		gracefulMs: settings.loopWait * 1000 + rise + slackMs,
		hardMs: (settings.ttl + settings.loopWait) * 1000 + rise + slackMs,
		rejoinMs: rejoinBoundMs,
		slackMs,
	};
}

/**
 * keepalived moves the VIP within about 3 × advert_int plus the check's fall × interval (pgha: 1 s
 * each); a client with TCP keepalives (1 s idle, 3 probes 1 s apart) notices its dead connection
 * within 4 s. With synchronous_mode a lost synchronous standby holds commits until Patroni names
 * another one, within about two loops.
 */
export const vipMoveMs = 5000;
export const clientDetectMs = 4000;

export function entryBoundMs(settings: TimingSettings): number {
	return vipMoveMs + clientDetectMs + slackMs + (settings.synchronousMode ? 2 * settings.loopWait * 1000 : 0);
}

export function faultBoundMs(bounds: Bounds, kind: FaultKind, settings?: TimingSettings): number {
	if (kind.startsWith('entry') && settings) return entryBoundMs(settings);
	return kind === 'graceful' ? bounds.gracefulMs : bounds.hardMs;
}

/** The formula behind a bound, for the report ("loop_wait + rise × inter + 5 s = 10 + 6 + 5 s"). */
export function boundFormula(settings: TimingSettings, which: 'switchover' | FaultKind): string {
	const rise = haproxyRiseMs(settings) / 1000;
	const slack = slackMs / 1000;
	if (which === 'entry-haproxy' || which === 'entry-poweroff') {
		const sync = settings.synchronousMode ? ` + 2 × loop_wait` : '';
		const syncValue = settings.synchronousMode ? ` + ${2 * settings.loopWait}` : '';
		return `VIP ${vipMoveMs / 1000} s + keepalives ${clientDetectMs / 1000} s + ${slack} s${sync} = ${vipMoveMs / 1000} + ${clientDetectMs / 1000} + ${slack}${syncValue} = ${fmt(entryBoundMs(settings) / 1000)} s`;
	}

	if (which === 'switchover' || which === 'graceful') {
		return `loop_wait + rise × inter + ${slack} s = ${settings.loopWait} + ${fmt(rise)} + ${slack} = ${fmt(settings.loopWait + rise + slack)} s`;
	}

	return `ttl + loop_wait + rise × inter + ${slack} s = ${settings.ttl} + ${settings.loopWait} + ${fmt(rise)} + ${slack} = ${fmt(settings.ttl + settings.loopWait + rise + slack)} s`;
}

function fmt(value: number): string {
	return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
