import test from 'ava';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {renderRunbook, planAll} from '../../source/runbook.ts';
import {TestRuns} from '../../source/cluster-test/run-state.ts';
import type {TestReport} from '../../source/cluster-test/model.ts';
import {createTestStage, probePython, testChoices, testIdsOf, testStage, whyNotHere} from '../../steps/cluster-test.ts';
import type {Step} from '../../source/core/step.ts';
import {sampleCluster, sampleSecrets, ScriptedRemote, stepContext} from '../helpers/install-fixtures.ts';

const cluster = sampleCluster('haproxy: {node: pg-node-2}');

test('the stage runs every test on the HAProxy node, always, and never retries a test behind the user\'s back', t => {
	t.is(testStage.id, 'test');
	t.deepEqual(testStage.steps.map(step => step.id), [
		'test.prepare', 'test.replication', 'test.routing', 'test.switchover',
		'test.failover-graceful', 'test.failover-kill', 'test.failover-poweroff', 'test.failover-cut',
		'test.failover-entry-haproxy', 'test.failover-entry-poweroff', 'test.load', 'test.failsafe', 'test.data-safety', 'test.report',
	]);
	for (const step of testStage.steps) {
		t.is(step.scope, 'one-node');
		t.deepEqual(step.targets?.(cluster), ['pg-node-2']);
		t.true(step.explain.ru.length > 80 && step.explain.en.length > 80, step.id);
		t.not(step.explain.ru, step.explain.en);
	}

	const tests = testStage.steps.filter(step => !['test.prepare', 'test.report'].includes(step.id));
	t.true(tests.every(step => (step as Step & {retry?: {tries: number}}).retry?.tries === 0 && step.safeToSkip === true));
});

test('check() never claims a test is done: results are never taken from an earlier run', async t => {
	const ctx = stepContext(cluster, sampleSecrets(), new ScriptedRemote('pg-node-2'));
	for (const step of testStage.steps) t.false(await step.check(ctx), step.id);
});

test('a step recorded done by an earlier run is not trusted: verify fails until it ran in this run', async t => {
	const ctx = stepContext(cluster, sampleSecrets(), new ScriptedRemote('pg-node-2'));
	for (const step of testStage.steps) {
		const error = await t.throwsAsync(step.verify(ctx));
		t.is(error?.message, 'the test has not run in this run yet.', step.id);
	}
});

test('the runbook shows how to run each test by hand, and never a password', t => {
	const secrets = sampleSecrets();
	const planned = planAll([testStage], cluster, secrets);
	const text = JSON.stringify(planned.map(item => item.actions));
	for (const secret of Object.values(secrets)) t.false(text.includes(secret));
	const runbook = renderRunbook([testStage], cluster, 'en');
	for (const expected of ['/usr/local/lib/pgha/probe-writer.py', 'POST', '/switchover', 'systemctl stop patroni', 'systemctl kill --signal=SIGKILL patroni', '/history', 'pgbench', 'pg_stat_replication', 'pgha lab cut']) {
		t.true(runbook.includes(expected), expected);
	}
});

test('the probe writer runs with the Python that has psycopg2', t => {
	t.is(probePython(sampleCluster('patroni: {source: venv}')), '/opt/patroni-venv/bin/python3');
	t.is(probePython(sampleCluster('patroni: {source: package}')), '/usr/bin/python3');
});

test('each engine run has its own figures; writers never share sequence numbers; a retried test replaces its own', t => {
	const runs = new TestRuns();
	const first = new AbortController().signal;
	const second = new AbortController().signal;
	const run = runs.of(first, cluster);
	t.is(runs.of(first, cluster), run);
	t.not(runs.of(second, cluster), run);
	const a = run.reserveSeqs(5000);
	const b = run.reserveSeqs(5000);
	t.true(b > a + 5000);
	run.setAcked('failover-kill', [1, 2, 3]);
	run.setAcked('switchover', [10]);
	run.setAcked('failover-kill', [4]);
	t.deepEqual(run.allAcked().sort((x, y) => x - y), [4, 10]);
	t.false(run.wasMeasured('routing'));
	run.setChecks('routing', [{test: 'routing', ok: false, text: {ru: 'a', en: 'a'}}]);
	run.setChecks('routing', [{test: 'routing', ok: true, text: {ru: 'b', en: 'b'}}]);
	t.true(run.wasMeasured('routing'));
	t.deepEqual(run.report().checks.map(check => check.text.en), ['b']);
	t.is(run.reportDir, path.join('/work/lab/.pgha/reports', run.runId));
});

test('outside the lab the power-off and cable tests are reported as skipped, not as passed figures', async t => {
	const dir = mkdtempSync(path.join(tmpdir(), 'pgha-stage-'));
	try {
		const local = sampleCluster('postgres: {version: 15}\nhaproxy: {node: pg-node-1}', path.join(dir, 'pgha.yaml'));
		const reports: TestReport[] = [];
		const stage = createTestStage({onReport: report => reports.push(report)});
		const ctx = stepContext(local, sampleSecrets(), new ScriptedRemote('pg-node-1'));
		for (const id of ['test.failover-poweroff', 'test.failover-cut']) {
			const step = stage.steps.find(candidate => candidate.id === id)!;
			await step.apply!(ctx);
			await step.verify(ctx);
		}

		const last = reports.at(-1)!;
		t.deepEqual(last.faults.map(fault => [fault.kind, fault.skipped?.en]), [['poweroff', 'only in the pgha lab'], ['cut', 'only in the pgha lab']]);
		t.deepEqual(last.checks, []);
		const json = path.join(dir, '.pgha', 'reports', last.runId, 'report.json');
		t.true(existsSync(json));
		t.true(readFileSync(path.join(dir, '.pgha', 'reports', last.runId, 'report.md'), 'utf8').includes('Not run: only in the pgha lab.'));
		// The report step then counts every test that did not run as failed.
		const report = stage.steps.find(candidate => candidate.id === 'test.report')!;
		await report.apply!(ctx);
		await t.throwsAsync(report.verify(ctx), {message: /checks failed/});
		const final = reports.at(-1)!;
		t.true(final.complete);
		t.true(final.checks.some(check => check.test === 'replication' && !check.ok && check.text.en === 'Replication: did not run'));
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});

test('pgha test --only: the narrowed stage holds exactly the chosen tests, in the stage\'s order, between the preparation and the report', t => {
	t.deepEqual(testChoices, ['replication', 'routing', 'switchover', 'graceful', 'kill', 'poweroff', 'cut', 'entry-haproxy', 'entry-poweroff', 'load', 'failsafe', 'data-safety']);
	const narrowed = createTestStage({only: testIdsOf(['cut', 'kill'])});
	t.deepEqual(narrowed.steps.map(step => step.id), ['test.prepare', 'test.failover-kill', 'test.failover-cut', 'test.report']);
	t.deepEqual(createTestStage({only: testIdsOf(['data-safety', 'switchover'])}).steps.map(step => step.id), ['test.prepare', 'test.switchover', 'test.data-safety', 'test.report']);
	// The preparation (probe scripts on every node, the cluster ready, the tables) is the one a full run uses.
	t.is(narrowed.steps[0]!.plan, testStage.steps[0]!.plan);
});

test('pgha test --only: the report of a narrowed run counts only the chosen tests (the others are not "did not run" failures)', async t => {
	const dir = mkdtempSync(path.join(tmpdir(), 'pgha-stage-'));
	try {
		const local = sampleCluster('postgres: {version: 15}\nhaproxy: {node: pg-node-1}', path.join(dir, 'pgha.yaml'));
		const reports: TestReport[] = [];
		const stage = createTestStage({only: testIdsOf(['poweroff']), onReport: report => reports.push(report)});
		const ctx = stepContext(local, sampleSecrets(), new ScriptedRemote('pg-node-1'));
		for (const step of stage.steps.filter(candidate => candidate.id !== 'test.prepare')) {
			await step.apply!(ctx);
			await step.verify(ctx);
		}

		const final = reports.at(-1)!;
		t.true(final.complete);
		t.deepEqual(final.checks.filter(check => !check.ok), []);
		t.deepEqual(final.faults.map(fault => fault.kind), ['poweroff']);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});

test('pgha test --only: a test this cluster cannot stage is named before the run (lab-only faults, front-door faults without a VIP)', t => {
	const vms = sampleCluster();
	t.regex(whyNotHere('poweroff', vms)!.en, /only in the pgha lab/);
	t.regex(whyNotHere('cut', vms)!.ru, /только в лаборатории pgha/);
	t.regex(whyNotHere('entry-haproxy', vms)!.en, /needs a floating address/);
	t.deepEqual(testChoices.filter(choice => whyNotHere(choice, vms)), ['poweroff', 'cut', 'entry-haproxy', 'entry-poweroff']);
	const lab = {...sampleCluster('haproxy: {nodes: all, vip: 192.168.0.40}'), lab: {netns: 'pgha-lab'}};
	t.deepEqual(testChoices.filter(choice => whyNotHere(choice, lab)), []);
});
