import test from 'ava';
import type {Action, Step} from '../../source/core/step.ts';
import {makeStage, markStep, nodeNames, twoStages} from '../helpers/engine-fixtures.ts';
import {bench} from '../helpers/engine-run.ts';

const stepIds = ['a1', 'a2', 'a3', 'b1', 'b2', 'b3'];

function expectEveryStepAppliedOnce(t: {deepEqual: (a: unknown, b: unknown, message?: string) => void}, marks: (key: string) => number[], context: string): void {
	for (const id of stepIds) t.deepEqual(marks(id), [1, 1, 1], `${context}: ${id}`);
}

test('a run that crashed while applying any step resumes without repeating work', async t => {
	for (const [index, crashAt] of stepIds.entries()) {
		const b = bench();
		let crash = true;
		b.remotes.get('pg-node-2')!.on(command => (crash && command === `mark ${crashAt}` ? {code: 255, stderr: 'connection lost'} : undefined));
		const first = await b.run(twoStages(), {retry: {tries: 0, delayMs: 0}});
		t.is(first.status, 'failed', crashAt);
		// Steps before the crash were applied in the first run, none after it.
		for (const id of stepIds.slice(0, index)) t.deepEqual(b.marks(id), [1, 1, 1], `${crashAt}: before ${id}`);
		for (const id of stepIds.slice(index + 1)) t.deepEqual(b.marks(id), [0, 0, 0], `${crashAt}: after ${id}`);
		crash = false;
		const second = await b.run(twoStages());
		t.is(second.status, 'done', crashAt);
		expectEveryStepAppliedOnce(t, key => b.marks(key), crashAt);
	}
});

test('a run that crashed between apply and verify of any step resumes without repeating work', async t => {
	for (const crashAt of stepIds) {
		const b = bench();
		let crash = true;
		b.remotes.get('pg-node-1')!.on(command => (crash && command === `confirm ${crashAt}` ? {code: 255, stderr: 'connection lost'} : undefined));
		const first = await b.run(twoStages(), {retry: {tries: 0, delayMs: 0}});
		t.is(first.status, 'failed', crashAt);
		crash = false;
		t.is((await b.run(twoStages())).status, 'done', crashAt);
		expectEveryStepAppliedOnce(t, key => b.marks(key), crashAt);
	}
});

test('a run aborted at any step boundary resumes without repeating work', async t => {
	for (const stopAt of stepIds) {
		const b = bench();
		const controller = new AbortController();
		// Ctrl+C arrives just as the step's check starts on node 3.
		b.remotes.get('pg-node-3')!.on(command => {
			if (command === `test ${stopAt}` && !controller.signal.aborted) controller.abort();
			return undefined;
		});
		const first = await b.run(twoStages(), {signal: controller.signal});
		t.is(first.status, 'aborted', stopAt);
		const second = await b.run(twoStages());
		t.is(second.status, 'done', stopAt);
		expectEveryStepAppliedOnce(t, key => b.marks(key), stopAt);
	}
});

test('after a crash the unfinished stage runs its checks again, the finished one is only verified', async t => {
	const b = bench();
	let crash = true;
	b.remotes.get('pg-node-2')!.on(command => (crash && command === 'mark b2' ? {code: 255} : undefined));
	await b.run(twoStages(), {retry: {tries: 0, delayMs: 0}});
	crash = false;
	b.takeCommands();
	await b.run(twoStages());
	t.deepEqual(b.takeCommands().get('pg-node-2'), [
		'confirm a1', 'confirm a2', 'confirm a3',
		'test b1', 'test b2', 'mark b2', 'confirm b2', 'test b3', 'mark b3', 'confirm b3',
	]);
});

test('changing the cluster file makes a recorded stage run its checks again', async t => {
	const b = bench();
	await b.run(twoStages());
	b.takeCommands();
	// Same stages, another port: the fingerprint differs, so "done" is not trusted.
	const {testCluster} = await import('../helpers/engine-fixtures.ts');
	const result = await b.run(twoStages(), {cluster: testCluster(b.dir, 'ports: {postgres: 5433}')});
	t.is(result.status, 'done');
	t.deepEqual(b.takeCommands().get('pg-node-1')!.filter(command => command.startsWith('test')), ['test a1', 'test a2', 'test a3', 'test b1', 'test b2', 'test b3']);
	expectEveryStepAppliedOnce(t, key => b.marks(key), 'after the change');
});

/** A step that writes a config file rendered from a template; check compares the node's file. */
function templateStep(template: string): Step {
	const content = (node: string) => template.replace('{node}', node);
	return {
		...markStep('conf'),
		async check(context) {
			return (await context.remote.exec('cat /etc/app.conf', {allowFailure: true})).stdout === content(context.node.name);
		},
		plan(context): readonly Action[] {
			return [{kind: 'write', path: '/etc/app.conf', content: content(context.node.name), mode: 0o640, owner: 'postgres'}];
		},
		async verify(context) {
			const {stdout} = await context.remote.exec('cat /etc/app.conf', {allowFailure: true});
			if (stdout !== content(context.node.name)) throw new Error('/etc/app.conf differs');
		},
	};
}

test('changing a template re-runs the stage and writes the new file', async t => {
	const b = bench();
	for (const remote of b.remotes.values()) {
		remote.on((command, _options, self) => (command === 'cat /etc/app.conf' ? {code: self.files.has('/etc/app.conf') ? 0 : 1, stdout: self.files.get('/etc/app.conf') ?? ''} : undefined));
	}

	await b.run([makeStage('c', [templateStep('listen {node} v1')])]);
	await b.run([makeStage('c', [templateStep('listen {node} v1')])]);
	t.deepEqual(nodeNames.map(name => b.remotes.get(name)!.uploads.length), [1, 1, 1]);
	const result = await b.run([makeStage('c', [templateStep('listen {node} v2')])]);
	t.is(result.stages[0]!.status, 'done');
	t.deepEqual(nodeNames.map(name => b.remotes.get(name)!.files.get('/etc/app.conf')), nodeNames.map(name => `listen ${name} v2`));
	t.deepEqual(nodeNames.map(name => b.remotes.get(name)!.uploads.length), [2, 2, 2]);
	t.like(b.remotes.get('pg-node-1')!.uploads[1], {path: '/etc/app.conf', options: {mode: 0o640, owner: 'postgres'}});
});

test('new secrets change the fingerprint, so recorded stages are checked again', async t => {
	const b = bench();
	await b.run(twoStages());
	b.takeCommands();
	const {testSecrets} = await import('../helpers/engine-fixtures.ts');
	await b.run(twoStages(), {secrets: testSecrets()});
	t.true(b.takeCommands().get('pg-node-2')!.includes('test a1'));
});
