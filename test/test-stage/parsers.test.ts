import test from 'ava';
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createHash} from 'node:crypto';
import {tmpdir} from 'node:os';
import path from 'node:path';
import type {Member} from '../../source/cluster/patroni-api.ts';
import {
	apiCommand, parseCurlAnswer, parseHistory, parseStamped, readinessProblems, restApiCredentials, switchoverCandidate, switchoverCommand,
} from '../../source/cluster-test/cluster-view.ts';
import {hasStaleLeaderKeyBug, parsePatroniVersion} from '../../source/cluster-test/faults.ts';
import {chartOf, errorSummary, seqChecksum} from '../../source/cluster-test/figures.ts';
import {parseSegment, phaseOf, sideOf, splitSegments, type Segment} from '../../source/cluster-test/load-test.ts';
import {expandRuns, safetyFigures} from '../../source/cluster-test/safety-test.ts';
import {connectionsCommand, markerProbeCommand, parseConnections, parseMarkerProbe} from '../../source/cluster-test/sql.ts';
import {parseWriterLine} from '../../source/cluster-test/writer.ts';
import {runLocally} from '../helpers/install-fixtures.ts';

const member = (name: string, role: string, state = 'running', timeline = 3): Member => ({name, host: `10.0.0.${name.slice(-1)}`, role, state, timeline});

test('the probe writer\'s lines become acknowledgements, errors and its summary', t => {
	t.deepEqual(parseWriterLine('ack 17 1795750000123'), {kind: 'ack', seq: 17, at: 1795750000123});
	t.deepEqual(parseWriterLine('err 1795750000456 server closed the connection unexpectedly'), {kind: 'err', at: 1795750000456, reason: 'server closed the connection unexpectedly'});
	t.deepEqual(parseWriterLine('end 100 7'), {kind: 'end', acked: 100, failed: 7});
	t.is(parseWriterLine('Traceback (most recent call last):'), undefined);
});

test('Patroni\'s /history and a stamped answer are read as Patroni and the shell print them', t => {
	const history = parseHistory('[[1, 67109352, "no recovery target specified", "2026-11-27T05:11:40.436089+00:00", "pg-node-3"], [2, 67110000, "no recovery target specified"]]');
	t.deepEqual(history[0], {timeline: 1, lsn: 67109352, reason: 'no recovery target specified', timestamp: '2026-11-27T05:11:40.436089+00:00', newLeader: 'pg-node-3'});
	t.is(history[1]!.newLeader, undefined);
	t.deepEqual(parseHistory('[]'), []);
	t.deepEqual(parseStamped('1795750000123\n{"members": []}\n'), {at: 1795750000123, body: '{"members": []}'});
	t.is(parseStamped('curl: (7) Failed to connect'), undefined);
});

test('the REST API is asked host after host until one answers, with the clock first', async t => {
	const dir = mkdtempSync(path.join(tmpdir(), 'pgha-api-'));
	try {
		// A stand-in curl: the first host refuses, the second answers with its URL.
		writeFileSync(path.join(dir, 'curl'), '#!/bin/sh\nfor a; do url=$a; done\ncase $url in *10.0.0.1*) exit 7;; esac\necho "{\\"from\\": \\"$url\\"}"\n');
		chmodSync(path.join(dir, 'curl'), 0o755);
		const result = await runLocally(apiCommand(['10.0.0.1', '10.0.0.2'], 8008, '/cluster'), {env: {...process.env, PATH: `${dir}:${process.env.PATH}`}});
		t.is(result.code, 0);
		const stamped = parseStamped(result.stdout);
		t.true(Math.abs(stamped!.at - Date.now()) < 60_000);
		t.deepEqual(JSON.parse(stamped!.body), {from: 'http://10.0.0.2:8008/cluster'});
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});

test('psql loops take the password from stdin: it is in psql\'s environment, never on a command line', async t => {
	const dir = mkdtempSync(path.join(tmpdir(), 'pgha-psql-'));
	const password = `pa'ss "w$rd`;
	try {
		// A stand-in psql: records its arguments and password, answers like a replica at 10.0.0.2.
		writeFileSync(path.join(dir, 'psql'), `#!/bin/sh\necho "$*" >> ${dir}/argv\nprintf '%s\\n' "$PGPASSWORD" >> ${dir}/env\ncase "$*" in *count*) echo 1;; *) echo '10.0.0.2|t';; esac\n`);
		chmodSync(path.join(dir, 'psql'), 0o755);
		const env = {...process.env, PATH: `${dir}:${process.env.PATH}`};
		const connections = await runLocally(connectionsCommand(5001, 3), {input: `${password}\n`, env});
		t.deepEqual(parseConnections(connections.stdout), [1, 2, 3].map(() => ({server: '10.0.0.2', inRecovery: true})));
		const probe = await runLocally(markerProbeCommand(['10.0.0.2', '10.0.0.3'], 5432, 'abc'), {input: `${password}\n`, env});
		const {seen, at} = parseMarkerProbe(probe.stdout);
		t.deepEqual([...seen], [['10.0.0.2', true], ['10.0.0.3', true]]);
		t.true(at > 0);
		t.false(readFileSync(path.join(dir, 'argv'), 'utf8').includes(password));
		t.deepEqual(readFileSync(path.join(dir, 'env'), 'utf8').trim().split('\n'), Array.from({length: 5}, () => password));
		t.true(readFileSync(path.join(dir, 'argv'), 'utf8').includes('-h 10.0.0.3 -p 5432'));
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});

test('a failed connection counts as such, not as a server', t => {
	t.deepEqual(parseConnections('192.168.0.31|f\nerror\n192.168.0.32/32|t\n'), [
		{server: '192.168.0.31', inRecovery: false},
		undefined,
		{server: '192.168.0.32', inRecovery: true},
	]);
});

test('the switchover request carries leader and candidate; the REST API password goes in curl\'s config', t => {
	const command = switchoverCommand('10.0.0.1', 8008, 'pg-node-1', 'pg-node-2');
	t.true(command.includes('-K -'));
	t.true(command.includes(`'{"leader":"pg-node-1","candidate":"pg-node-2"}'`));
	t.true(command.endsWith('http://10.0.0.1:8008/switchover'));
	t.is(restApiCredentials('a"b\\c'), 'user = "patroni:a\\"b\\\\c"\n');
	t.deepEqual(parseCurlAnswer('Successfully switched over to "pg-node-2"\n200'), {status: 200, body: 'Successfully switched over to "pg-node-2"'});
	t.deepEqual(parseCurlAnswer('candidate name does not match with sync_standby\n412'), {status: 412, body: 'candidate name does not match with sync_standby'});
});

test('a switchover targets the synchronous standby with synchronous_mode, else a replica away from HAProxy', t => {
	const members = [member('pg-node-1', 'replica'), member('pg-node-2', 'leader'), member('pg-node-3', 'sync_standby')];
	t.is(switchoverCandidate(members, true, 'pg-node-3')?.name, 'pg-node-3');
	t.is(switchoverCandidate(members, false, 'pg-node-1')?.name, 'pg-node-3');
	t.is(switchoverCandidate(members, false, 'pg-node-3')?.name, 'pg-node-1');
	t.is(switchoverCandidate([member('pg-node-1', 'replica'), member('pg-node-2', 'leader')], true, 'x'), undefined);
	t.is(switchoverCandidate([member('pg-node-1', 'replica', 'stopped'), member('pg-node-2', 'leader')], false, 'x'), undefined);
});

test('a test starts only from a whole cluster', t => {
	const view = {at: 1, members: [member('pg-node-1', 'replica'), member('pg-node-2', 'leader'), member('pg-node-3', 'sync_standby')]};
	const streaming = [{name: 'pg-node-1', state: 'streaming', syncState: 'async', lagBytes: 0}, {name: 'pg-node-3', state: 'streaming', syncState: 'sync', lagBytes: 0}];
	const up = {primary: ['pg-node-2'], replicas: ['pg-node-1', 'pg-node-3']};
	t.deepEqual(readinessProblems(3, view, streaming, up), []);
	t.deepEqual(readinessProblems(3, view, streaming, up, true), []);
	const noSync = {at: 1, members: [member('pg-node-1', 'replica'), member('pg-node-2', 'leader'), member('pg-node-3', 'replica')]};
	t.deepEqual(readinessProblems(3, noSync, streaming, up, true), ['no synchronous standby yet']);
	t.deepEqual(readinessProblems(3, noSync, streaming, up, false), []);
	t.deepEqual(readinessProblems(3, undefined, undefined, undefined), ['Patroni REST API gave no answer']);
	t.deepEqual(readinessProblems(3, view, streaming.slice(0, 1), up), ['1 of 2 replicas streaming (pg-node-1)']);
	t.deepEqual(readinessProblems(3, view, streaming, {primary: ['pg-node-2', 'pg-node-1'], replicas: ['pg-node-3']}), [
		'HAProxy write servers UP: pg-node-2, pg-node-1',
		'HAProxy read servers UP: pg-node-3',
	]);
	const rejoining = {at: 1, members: [member('pg-node-1', 'replica', 'stopped'), member('pg-node-2', 'leader')]};
	t.deepEqual(readinessProblems(3, rejoining, [], up), ['2 of 3 members', 'pg-node-1 is replica stopped', '0 of 2 replicas streaming (none)']);
});

test('the Patroni versions with the stale leader key bug are the ones before 3.0.3', t => {
	t.deepEqual(parsePatroniVersion('patroni 3.0.2\n'), [3, 0, 2]);
	t.true(hasStaleLeaderKeyBug([3, 0, 2]));
	t.true(hasStaleLeaderKeyBug([2, 1, 7]));
	t.false(hasStaleLeaderKeyBug([3, 0, 3]));
	t.false(hasStaleLeaderKeyBug([3, 2, 2]));
	t.false(hasStaleLeaderKeyBug([4, 0, 4]));
	t.false(hasStaleLeaderKeyBug(undefined));
});

test('pgbench segments: one line each, split around the failover, tps over the time they really ran', t => {
	t.deepEqual(parseSegment('seg 3 1000 3010 0 863 0 0 881.712586'), {n: 3, start: 1000, end: 3010, code: 0, transactions: 863, failed: 0, aborted: 0, tps: 881.712586});
	t.is(parseSegment('why pgbench: error: connection refused'), undefined);
	const segments: Segment[] = [
		{n: 1, start: 0, end: 2000, code: 0, transactions: 1000, failed: 0, aborted: 0, tps: 500},
		{n: 2, start: 2000, end: 4000, code: 0, transactions: 1000, failed: 0, aborted: 0, tps: 500},
		{n: 3, start: 4000, end: 5000, code: 2, transactions: 100, failed: 0, aborted: 2, tps: 100},
		{n: 4, start: 5500, end: 6000, code: 1, transactions: 0, failed: 0, aborted: 0, tps: 0},
		{n: 5, start: 8000, end: 10_000, code: 0, transactions: 1400, failed: 0, aborted: 0, tps: 700},
	];
	const parts = splitSegments(segments, 4500, 8000);
	t.deepEqual(parts.before.map(s => s.n), [1, 2]);
	t.deepEqual(parts.during.map(s => s.n), [3, 4]);
	t.deepEqual(parts.after.map(s => s.n), [5]);
	t.deepEqual(phaseOf(parts.during), {segments: 2, transactions: 100, seconds: 1.5, tps: 66.7, failedSegments: 2, abortedClients: 2, failedTransactions: 0});
	const side = sideOf(5000, segments, 4500, 8000);
	t.is(side.before.tps, 500);
	t.is(side.after.tps, 700);
	// Writes never came back: nothing counts as "after".
	t.is(sideOf(5000, segments, 4500, null).after.segments, 0);
});

test('data safety: lost = acknowledged and missing; checksums agree exactly when nothing is lost', t => {
	const present = expandRuns([[1, 3], [5, 9]]);
	t.deepEqual([...present], [1, 2, 3, 5, 6, 7, 8, 9]);
	const whole = safetyFigures([1, 2, 3, 5, 6], present, {a: 8, b: 8}, true);
	t.like(whole, {acknowledged: 5, present: 5, lost: 0, tableRows: 8, unacknowledgedPresent: 3});
	t.is(whole.ackedChecksum, whole.presentChecksum);
	const lossy = safetyFigures([1, 2, 3, 4, 5], present, {a: 8}, false);
	t.like(lossy, {acknowledged: 5, present: 4, lost: 1, lostSample: [4]});
	t.not(lossy.ackedChecksum, lossy.presentChecksum);
	// The checksum is PostgreSQL's md5(string_agg(seq::text, ',' ORDER BY seq)).
	t.is(seqChecksum([3, 1, 2]), createHash('md5').update('1,2,3').digest('hex'));
});

test('the chart starts at the first write (at most 3 s before the fault) and marks the three moments', t => {
	const acks = [1000, 1100, 1200, 9000, 9100].map((at, index) => ({seq: index + 1, at}));
	const chart = chartOf(acks, {faultAt: 5000, newLeaderAt: 8000, outage: {lastBefore: 1200, firstAfter: 9000, ms: 7800}, endAt: 9500, file: 'kill.svg'});
	t.is(chart.startAt, 2000);
	t.deepEqual(chart.marks, [{kind: 'fault', atMs: 3000}, {kind: 'leader', atMs: 6000}, {kind: 'first-write', atMs: 7000}]);
	t.is(chart.buckets.length, 75);
	t.is(chart.buckets.reduce((sum, value) => sum + value, 0), 2);
	const early = chartOf(acks, {faultAt: 2000, newLeaderAt: null, outage: undefined, endAt: 9500, file: 'x.svg'});
	t.is(early.startAt, 1000);
	t.deepEqual(early.marks, [{kind: 'fault', atMs: 1000}]);
});

test('the errors a client saw are counted by message, most frequent first', t => {
	const reasons = ['server closed the connection unexpectedly', 'connection refused', 'server closed the connection unexpectedly', 'timeout expired', 'a', 'b'];
	t.deepEqual(errorSummary(reasons, 3), [
		{reason: 'server closed the connection unexpectedly', count: 2},
		{reason: 'a', count: 1},
		{reason: 'b', count: 1},
	]);
	t.deepEqual(errorSummary([]), []);
});
