import test from 'ava';
import {RunStore, type RunSnapshot} from '../../source/engine/store.ts';
import type {Step} from '../../source/core/step.ts';
import {makeStage, markStep, twoStages} from '../helpers/engine-fixtures.ts';
import {bench} from '../helpers/engine-run.ts';

const plan = [{
	id: 'packages',
	title: {en: 'Packages', ru: 'Пакеты'},
	explain: {en: 'Installs PostgreSQL.', ru: 'Ставит PostgreSQL.'},
	steps: [{id: 'install', title: {en: 'Install', ru: 'Установка'}, explain: {en: 'apt', ru: 'apt'}, scope: 'each-node' as const, safeToSkip: false, nodes: ['pg-node-1', 'pg-node-2']}],
}];
const key = {stage: 'packages', step: 'install', node: 'pg-node-1'};

function nextNotification(store: RunStore): Promise<RunSnapshot> {
	return new Promise(resolve => {
		const unsubscribe = store.subscribe(() => {
			unsubscribe();
			resolve(store.getSnapshot());
		});
	});
}

test('200k output lines reach listeners as one batched notification with a bounded tail', async t => {
	const store = new RunStore({batchMs: 30});
	store.begin({runId: 'r1', logDir: '/logs/r1', stages: plan});
	let notifications = 0;
	store.subscribe(() => notifications++);
	for (let index = 1; index <= 200_000; index++) store.line(key, `Unpacking package ${index}`, 'stdout');
	t.is(notifications, 0);
	const snapshot = await nextNotification(store);
	t.is(notifications, 1);
	const node = snapshot.stages[0]!.steps[0]!.nodes[0]!;
	t.is(node.lineCount, 200_000);
	t.is(node.tail.length, 200);
	t.deepEqual(node.tail.at(-1), {text: 'Unpacking package 200000', stream: 'stdout'});
	t.is(node.tail[0]!.text, 'Unpacking package 199801');
});

test('a very long output line is clipped in the store', async t => {
	const store = new RunStore({maxLineLength: 100});
	store.begin({runId: 'r1', logDir: '/logs/r1', stages: plan});
	store.line(key, 'x'.repeat(10_000), 'stdout');
	store.flush();
	t.is(store.getSnapshot().stages[0]!.steps[0]!.nodes[0]!.tail[0]!.text, `${'x'.repeat(100)}…`);
});

test('the snapshot keeps its identity until something changes, and unchanged parts keep theirs', t => {
	const store = new RunStore();
	store.begin({runId: 'r1', logDir: '/logs/r1', stages: plan});
	const first = store.getSnapshot();
	store.flush();
	t.is(store.getSnapshot(), first);
	store.nodeStarted(key);
	store.flush();
	const second = store.getSnapshot();
	t.not(second, first);
	t.is(second.stages[0]!.steps[0]!.nodes[1], first.stages[0]!.steps[0]!.nodes[1]);
	t.not(second.stages[0]!.steps[0]!.nodes[0], first.stages[0]!.steps[0]!.nodes[0]);
});

test('a step\'s status follows its nodes', t => {
	const store = new RunStore();
	store.begin({runId: 'r1', logDir: '/logs/r1', stages: plan});
	const status = () => {
		store.flush();
		return store.getSnapshot().stages[0]!.steps[0]!.status;
	};

	t.is(status(), 'pending');
	store.nodeStarted(key);
	t.is(status(), 'running');
	store.nodeFinished(key, 'already-done');
	t.is(status(), 'running');
	store.nodeFinished({...key, node: 'pg-node-2'}, 'done');
	t.is(status(), 'done');
	store.nodeFinished({...key, node: 'pg-node-2'}, 'failed', 'boom');
	t.is(status(), 'failed');
});

test('a run through the store renderer ends with every status, command and line in the store', async t => {
	const b = bench();
	const store = new RunStore();
	const stages = [makeStage('a', [markStep('a1', {extra: () => [{kind: 'run', command: 'print 3 line'}]})])];
	const result = await b.run(stages, {renderer: 'store', store});
	const snapshot = store.getSnapshot();
	t.is(snapshot.status, 'done');
	t.is(snapshot.runId, result.runId);
	t.is(snapshot.logDir, result.logDir);
	const stage = snapshot.stages[0]!;
	t.is(stage.status, 'done');
	t.true(stage.endedAt! >= stage.startedAt!);
	const node = stage.steps[0]!.nodes[0]!;
	t.like(node, {node: 'pg-node-1', status: 'done', retries: 0, command: 'confirm a1'});
	t.is(node.logFile, `${result.logDir}/pg-node-1.log`);
	t.deepEqual(node.tail.filter(line => line.stream !== 'info').map(line => line.text), ['test a1', 'print 3 line', 'line 1', 'line 2', 'line 3', 'sudo mark a1', 'confirm a1']);
});

test('a second run shows stages and nodes as already done', async t => {
	const b = bench();
	await b.run(twoStages());
	const store = new RunStore();
	await b.run(twoStages(), {renderer: 'store', store});
	const snapshot = store.getSnapshot();
	t.deepEqual(snapshot.stages.map(stage => stage.status), ['already-done', 'already-done']);
	t.true(snapshot.stages.flatMap(stage => stage.steps).every(step => step.status === 'already-done' && step.nodes.every(node => node.status === 'already-done')));
});

test('retries and the final error of a node reach the store', async t => {
	const b = bench();
	b.remotes.get('pg-node-2')!.on(command => (command === 'mark a1' ? {code: 1, stderr: 'E: Could not get lock /var/lib/dpkg/lock-frontend'} : undefined));
	const store = new RunStore();
	const failing: Step = markStep('a1');
	await b.run([makeStage('a', [failing]), makeStage('b', [markStep('b1')])], {renderer: 'store', store});
	const snapshot = store.getSnapshot();
	t.is(snapshot.status, 'failed');
	t.deepEqual(snapshot.stages.map(stage => stage.status), ['failed', 'pending']);
	const node = snapshot.stages[0]!.steps[0]!.nodes[1]!;
	t.like(node, {node: 'pg-node-2', status: 'failed', retries: 2, error: '"mark a1" failed with exit code 1: E: Could not get lock /var/lib/dpkg/lock-frontend'});
	t.is(snapshot.stages[0]!.steps[0]!.nodes[0]!.status, 'done');
	t.is(snapshot.stages[1]!.steps[0]!.nodes[0]!.status, 'pending');
});

test('a user retry after a failure counts as a retry in the store', async t => {
	const b = bench();
	let failures = 0;
	b.remotes.get('pg-node-3')!.on(command => (command === 'mark a1' && failures++ < 3 ? {code: 1} : undefined));
	const store = new RunStore();
	await b.run([makeStage('a', [markStep('a1')])], {renderer: 'store', store, onFailure: async () => 'retry'});
	const node = store.getSnapshot().stages[0]!.steps[0]!.nodes[2]!;
	t.like(node, {status: 'done', retries: 3});
	t.is(node.error, undefined);
});

test('stages left out by --from show as skipped in the store', async t => {
	const b = bench();
	const store = new RunStore();
	await b.run(twoStages(), {renderer: 'store', store, from: 'b'});
	const [a, second] = store.getSnapshot().stages;
	t.is(a!.status, 'skipped');
	t.true(a!.steps.every(step => step.status === 'skipped'));
	t.is(second!.status, 'done');
});

test('a stage the user stopped before stays pending in the store', async t => {
	const b = bench();
	const store = new RunStore();
	await b.run(twoStages(), {renderer: 'store', store, beforeStage: async ({stage}) => (stage.id === 'b' ? 'quit' : 'run')});
	const snapshot = store.getSnapshot();
	t.is(snapshot.status, 'stopped');
	t.deepEqual(snapshot.stages.map(stage => stage.status), ['done', 'pending']);
});

test('the store renderer needs a store', async t => {
	const b = bench();
	await t.throwsAsync(b.run(twoStages(), {renderer: 'store'}), {message: 'renderer "store" needs a store'});
});

test('a read-only step that finds everything in order is "checked", not "already done"', async t => {
	const b = bench();
	const store = new RunStore();
	const check: Step = {...markStep('c1'), check: async () => true, plan: () => []};
	await b.run([makeStage('c', [check])], {renderer: 'store', store});
	const stage = store.getSnapshot().stages[0]!;
	t.is(stage.status, 'checked');
	t.deepEqual(stage.steps[0]!.nodes.map(node => node.status), ['checked', 'checked', 'checked']);
});

test('a stage that finished with a failed node never reads as done', t => {
	const store = new RunStore();
	store.begin({runId: 'r1', logDir: '/logs/r1', stages: plan});
	store.stageStarted('packages');
	store.nodeFinished(key, 'failed', 'boom');
	store.stageFinished('packages', 'done');
	store.flush();
	t.is(store.getSnapshot().stages[0]!.status, 'failed');
});
