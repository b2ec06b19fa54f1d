/** A test report as the test stage writes it, for the report and verdict tests. */
import {computeBounds, timingSettings} from '../../source/cluster-test/bounds.ts';
import {chartOf} from '../../source/cluster-test/figures.ts';
import type {FaultFigures, PhaseFigures, TestReport} from '../../source/cluster-test/model.ts';
import {sampleCluster} from './install-fixtures.ts';

export const settings = timingSettings(sampleCluster('synchronous_mode: true\nhaproxy: {inter: 1s}'));
export const bounds = computeBounds(settings);
const steady = (from: number, to: number, seq: number) => Array.from({length: Math.floor((to - from) / 50)}, (_, i) => ({seq: seq + i, at: from + i * 50}));

export function fault(kind: FaultFigures['kind'], outageMs: number, extra: Partial<FaultFigures> = {}): FaultFigures {
	const faultAt = 100_000;
	const acks = [...steady(faultAt - 2000, faultAt + 30, 1), ...steady(faultAt + outageMs + 30, faultAt + outageMs + 3000, 500)];
	const outage = {lastBefore: faultAt + 0, firstAfter: faultAt + outageMs + 30, ms: outageMs + 30};
	return {
		kind, victim: 'pg-node-2', newLeader: 'pg-node-3', faultAt, newLeaderAt: faultAt + outageMs - 2000,
		lastAckBefore: outage.lastBefore, firstAckAfter: outage.firstAfter, outageMs: outage.ms,
		boundMs: kind === 'graceful' ? bounds.gracefulMs : bounds.hardMs,
		timelineBefore: 4, timelineAfter: 5, historyBefore: 3, historyAfter: 4, restoredAt: faultAt + outageMs + 4000,
		rejoinMs: 12_345, rejoined: true, caughtUp: true, rewound: kind !== 'graceful', writes: {acked: acks.length, failed: 17, firstSeq: 1},
		chart: chartOf(acks, {faultAt, newLeaderAt: faultAt + outageMs - 2000, outage, endAt: faultAt + outageMs + 3000, file: `${kind}.svg`}),
		...extra,
	};
}

/** A killed leader's 24.8 s outage split as the nodes' evidence has it: the key's expiry is most of it. */
export const killPhases: PhaseFigures = {
	phases: [
		{id: 'detection', ms: 21_400, evidence: {ru: 'ключ лидера исчез из etcd (watch на pg-node-3)', en: 'the leader key left etcd (watch on pg-node-3)'}},
		{id: 'election', ms: 1200, evidence: {ru: 'журнал Patroni на pg-node-3: promoted self to leader', en: "pg-node-3's Patroni journal: promoted self to leader"}},
		{id: 'routing', ms: 2100, evidence: {ru: 'журнал HAProxy: pg-node-3 UP в бэкенде primary', en: "HAProxy's log: pg-node-3 UP in the primary backend"}},
		{id: 'client', ms: 100, evidence: {ru: 'первая подтверждённая запись зонда', en: "the probe's first acknowledged write"}},
	],
	sumMs: 24_800,
	gapMs: 0,
};

/** The kill fault with its measured phases (outage 24.8 s, like the phases' sum). */
export function phasedFault(phases: PhaseFigures = killPhases, extra: Partial<FaultFigures> = {}): FaultFigures {
	return fault('kill', 24_770, {phases, ...extra});
}

export function sampleReport(overrides: Partial<TestReport> = {}): TestReport {
	return {
		version: 1,
		runId: '20261127-054113-638a',
		cluster: 'pg-cluster',
		startedAt: '2026-11-27T05:41:13.000Z',
		finishedAt: '2026-11-27T05:46:51.000Z',
		complete: true,
		settings,
		bounds,
		replication: {leader: 'pg-node-2', replicas: [
			{name: 'pg-node-1', state: 'streaming', syncState: 'sync', lagBytes: 0, visibleMs: 112},
			{name: 'pg-node-3', state: 'streaming', syncState: 'async', lagBytes: 152, visibleMs: 230},
		]},
		routing: {connections: 20, leaderHost: '192.168.0.31', writeTargets: {'192.168.0.31': 20}, readTargets: {'192.168.0.30': 10, '192.168.0.32': 10}, readInRecovery: 20, statsUp: {primary: ['pg-node-2'], replicas: ['pg-node-1', 'pg-node-3']}},
		faults: [fault('graceful', 4170), fault('kill', 27_071, {writes: {acked: 100, failed: 17, firstSeq: 1, errors: [{reason: 'server closed the connection | unexpectedly', count: 12}]}}), fault('cut', 38_050, {demotedMs: 61_099, note: {ru: 'обход ошибки', en: 'a workaround'}})],
		dataSafety: {acknowledged: 527, present: 527, lost: 0, lostSample: [], tableRows: 530, unacknowledgedPresent: 3, ackedChecksum: 'a', presentChecksum: 'a', nodeRows: {'pg-node-1': 530, 'pg-node-2': 530, 'pg-node-3': 530}, expectZeroLoss: true},
		load: {victim: 'pg-node-3', newLeader: 'pg-node-2', faultAt: 1, newLeaderAt: 2, clients: 2, segmentSeconds: 2,
			readWrite: {port: 5000, before: phase(500.1), during: phase(59.5, 3, 2), after: phase(689.5)},
			readOnly: {port: 5001, before: phase(6663.7), during: phase(8441.5, 1, 1), after: phase(8284.9)}},
		checks: [{test: 'replication', ok: true, text: {ru: 'строка видна', en: 'the row is visible'}}],
		...overrides,
	};
}

function phase(tps: number, failedSegments = 0, abortedClients = 0) {
	return {segments: 4, transactions: Math.round(tps * 8), seconds: 8, tps, failedSegments, abortedClients, failedTransactions: 0};
}
