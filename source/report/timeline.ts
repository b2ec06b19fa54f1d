/** Turns a writer's acknowledged writes into figures: outage, per-bucket counts, lost rows. */

export interface Ack {
	readonly seq: number;
	/** Milliseconds on the writer's clock. */
	readonly at: number;
}

export interface Outage {
	/** Last acknowledged write before the gap. */
	readonly lastBefore: number;
	/** First acknowledged write after the gap. */
	readonly firstAfter: number;
	readonly ms: number;
}

/**
 * The outage a client saw: the widest gap between consecutive acknowledged writes that ends after
 * the fault was injected. Measured on one clock (the writer's), so node clock skew cannot distort it.
 */
export function measureOutage(acks: readonly Ack[], faultAt: number): Outage | undefined {
	const sorted = [...acks].sort((a, b) => a.at - b.at);
	let widest: Outage | undefined;
	for (let i = 1; i < sorted.length; i++) {
		const before = sorted[i - 1]!;
		const after = sorted[i]!;
		if (after.at < faultAt) continue;
		const ms = after.at - before.at;
		if (!widest || ms > widest.ms) widest = {lastBefore: before.at, firstAfter: after.at, ms};
	}

	return widest;
}

/** Acknowledged writes per bucket (100 ms by default) from `from` to `to`. */
export function bucketize(acks: readonly Ack[], from: number, to: number, bucketMs = 100): number[] {
	const count = Math.max(1, Math.ceil((to - from) / bucketMs));
	const buckets = Array.from({length: count}, () => 0);
	for (const ack of acks) {
		const index = Math.floor((ack.at - from) / bucketMs);
		if (index >= 0 && index < count) buckets[index]! += 1;
	}

	return buckets;
}

export interface LossReport {
	readonly acknowledged: number;
	readonly present: number;
	readonly lost: readonly number[];
}

/** Every acknowledged sequence number must be in the table after the failover. */
export function findLost(acknowledged: readonly number[], present: ReadonlySet<number>): LossReport {
	const lost = acknowledged.filter(seq => !present.has(seq));
	return {acknowledged: acknowledged.length, present: acknowledged.length - lost.length, lost};
}
