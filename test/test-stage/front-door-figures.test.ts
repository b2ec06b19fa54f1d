import test from 'ava';
import {entryBoundMs} from '../../source/cluster-test/bounds.ts';
import {entryChecks} from '../../source/cluster-test/entry-test.ts';
import {failsafeChecks, failsafeFigures, parseRoles} from '../../source/cluster-test/failsafe-test.ts';
import {steppedDown} from '../../source/cluster-test/faults.ts';
import type {FaultFigures} from '../../source/cluster-test/model.ts';

test('a cut-off leader that demoted itself counts as stepped down whether Patroni calls it replica or demoted', t => {
	t.true(steppedDown({role: 'replica', state: 'running'}));
	t.true(steppedDown({role: 'demoted', state: 'running'}));
	t.false(steppedDown({role: 'master', state: 'running'}));
	t.false(steppedDown({role: 'demoted', state: 'stopped'}));
});

test('the entry bound adds two loops for a synchronous standby that may be the lost node', t => {
	const base = {ttl: 30, loopWait: 10, retryTimeout: 10, inter: '1s', interMs: 1000, fall: 3, rise: 2};
	t.is(entryBoundMs({...base, synchronousMode: false}), 14_000);
	t.is(entryBoundMs({...base, synchronousMode: true}), 34_000);
});

function entryFault(overrides: Partial<NonNullable<FaultFigures['entry']>> = {}, outageMs = 4000): FaultFigures {
	return {
		kind: 'entry-poweroff', victim: 'pg-node-2', newLeader: null, faultAt: 1000, newLeaderAt: null, lastAckBefore: 1000, firstAckAfter: 5000,
		outageMs, boundMs: 14_000, timelineBefore: 3, timelineAfter: 3, historyBefore: null, historyAfter: null, restoredAt: 9000, rejoinMs: 20_000,
		rejoined: true, caughtUp: true, rewound: null, writes: {acked: 100, failed: 3, firstSeq: 1}, chart: null,
		entry: {
			client: 'pg-node-1', vipBefore: 'pg-node-2', vipAfter: 'pg-node-3', vipMovedMs: 3500, holdersAfterHeal: ['pg-node-3'],
			multiHostOutageMs: 4200, multiHostWrites: {acked: 50, failed: 2, firstSeq: 6000}, readOutageMs: 3900, reads: {acked: 50, failed: 2, firstSeq: 0},
			leaderBefore: 'pg-node-1', leaderAfter: 'pg-node-1', ...overrides,
		},
	};
}

test('a front-door fault passes when the VIP moved once, every door came back in time and the leader stayed', t => {
	t.deepEqual(entryChecks(entryFault()).filter(check => !check.ok), []);
});

test('a front-door fault fails when the VIP stayed, a door stayed shut, the leader moved or two nodes hold the VIP', t => {
	const failed = (figures: FaultFigures) => entryChecks(figures).filter(check => !check.ok).map(check => check.text.en);
	t.deepEqual(failed(entryFault({vipAfter: null})), ['the floating address did not leave pg-node-2']);
	t.deepEqual(failed(entryFault({readOutageMs: null})), ['read outage through the floating address — s']);
	t.deepEqual(failed(entryFault({leaderAfter: 'pg-node-3'})), ['the leader stayed pg-node-1: losing the door caused no failover']);
	t.deepEqual(failed(entryFault({holdersAfterHeal: ['pg-node-2', 'pg-node-3']})), ['after pg-node-2 came back exactly one node holds the address: pg-node-2, pg-node-3']);
	t.deepEqual(failed(entryFault({}, 20_000)), ['write outage through the floating address 20.0 s (bound 14.0 s)']);
});

test('roles read from each node\'s REST API, one line per node', t => {
	t.deepEqual([...parseRoles('pg-node-1 master\npg-node-2 replica\npg-node-3 \n')], [['pg-node-1', 'master'], ['pg-node-2', 'replica']]);
});

const acks = (times: number[]) => times.map((at, index) => ({seq: index + 1, at}));

test('failsafe on: writes acknowledged while etcd was down, short gaps, nobody promoted', t => {
	const figures = failsafeFigures({
		failsafeMode: true, leader: 'pg-node-1', acks: acks([0, 500, 1000, 2000, 30_000, 59_000, 61_000]), errors: [], stoppedAt: 1000, startedAt: 60_000,
		promoted: [], leaderAfter: 'pg-node-1', firstSeq: 1, endAt: 62_000,
	});
	t.is(figures.ackedWhileDown, 4);
	t.is(figures.longestGapMs, 29_000);
	t.is(figures.etcdDownMs, 59_000);
	const failed = failsafeChecks(figures, 10).filter(check => !check.ok).map(check => check.text.en);
	t.deepEqual(failed, ['with failsafe_mode writes went on without etcd: 4 acknowledged, longest gap 29.0 s (bound 15.0 s)']);
});

test('failsafe off: the leader going read-only is the expected outcome; a promotion without etcd always fails', t => {
	const figures = failsafeFigures({
		failsafeMode: false, leader: 'pg-node-1', acks: acks([0, 500, 1000]), errors: [{at: 16_000, reason: 'cannot execute INSERT in a read-only transaction'}],
		stoppedAt: 1000, startedAt: 60_000, promoted: ['pg-node-2'], leaderAfter: 'pg-node-1', firstSeq: 1, endAt: 62_000,
	});
	t.is(figures.firstFailureMs, 15_000);
	t.deepEqual(failsafeChecks(figures, 10).map(check => check.ok), [false, true]);
});
