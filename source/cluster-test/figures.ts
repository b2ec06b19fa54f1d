/** Pure arithmetic on measurements: chart windows and marks, checksums of sequence sets. */
import {createHash} from 'node:crypto';
import {bucketize, type Ack, type Outage} from '../report/timeline.ts';
import type {ChartData, ChartMarkData} from './model.ts';

export const chartBucketMs = 100;
/** Shown before the fault, so the steady write rate is visible for comparison. */
export const chartLeadMs = 3000;

export interface ChartMoments {
	readonly faultAt: number;
	readonly newLeaderAt: number | null;
	readonly outage: Outage | undefined;
	/** The chart ends here (the writer was stopped). */
	readonly endAt: number;
	readonly file: string;
}

export function chartOf(acks: readonly Ack[], moments: ChartMoments): ChartData {
	// From the first acknowledged write, at most chartLeadMs before the fault.
	const firstAck = acks.reduce((min, ack) => Math.min(min, ack.at), Number.POSITIVE_INFINITY);
	const startAt = Math.min(moments.faultAt, Math.max(moments.faultAt - chartLeadMs, firstAck));
	const endAt = Math.max(moments.endAt, moments.faultAt + chartBucketMs);
	const marks: ChartMarkData[] = [{kind: 'fault', atMs: moments.faultAt - startAt}];
	if (moments.newLeaderAt !== null) marks.push({kind: 'leader', atMs: moments.newLeaderAt - startAt});
	if (moments.outage) marks.push({kind: 'first-write', atMs: moments.outage.firstAfter - startAt});
	return {startAt, bucketMs: chartBucketMs, buckets: bucketize(acks, startAt, endAt, chartBucketMs), marks, file: moments.file};
}

/** md5 of the sorted numbers joined by commas: the same as PostgreSQL's md5(string_agg(...)). */
export function seqChecksum(seqs: Iterable<number>): string {
	const sorted = [...seqs].sort((a, b) => a - b);
	return createHash('md5').update(sorted.join(',')).digest('hex');
}

/** Identical error messages counted, most frequent first (at most `limit`). */
export function errorSummary(reasons: readonly string[], limit = 4): {reason: string; count: number}[] {
	const counts = new Map<string, number>();
	for (const reason of reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
	return [...counts].map(([reason, count]) => ({reason, count})).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)).slice(0, limit);
}
