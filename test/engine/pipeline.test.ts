import test from 'ava';
import {readState} from '../../source/engine/state.ts';
import {RunStore} from '../../source/engine/store.ts';
import type {FailureInfo} from '../../source/engine/types.ts';
import {LocalizedError} from '../../source/core/error.ts';
import {StepError, type Step} from '../../source/core/step.ts';
import {makeStage, markStep, nodeNames, twoStages, workPaths} from '../helpers/engine-fixtures.ts';
import {bench} from '../helpers/engine-run.ts';
import {FakeRemote} from '../helpers/fake-remote.ts';

/** Makes `command` fail on `node` the first `times` times it is run. */
function failTimes(remote: FakeRemote, command: string, times: number): {readonly attempts: number} {
	const counter = {attempts: 0};
	remote.on(received => {
		if (received !== command) return undefined;
		counter.attempts++;
		return counter.attempts <= times ? {code: 1, stderr: `${command}: temporary failure`} : undefined;
	});
	return counter;
}

test('a fresh run checks, applies and verifies every step once on every node', async t => {
	const b = bench();
	const result = await b.run(twoStages());
	t.is(result.status, 'done');
	t.deepEqual(result.stages.map(stage => [stage.id, stage.status]), [['a', 'done'], ['b', 'done']]);
	for (const id of ['a1', 'a2', 'a3', 'b1', 'b2', 'b3']) t.deepEqual(b.marks(id), [1, 1, 1]);
	t.deepEqual(b.remotes.get('pg-node-1')!.commands().slice(0, 3), ['test a1', 'mark a1', 'confirm a1']);
});

test('plan actions run with sudo as the step asks', async t => {
	const b = bench();
	await b.run([makeStage('a', [markStep('a1')])]);
	const mark = b.remotes.get('pg-node-2')!.calls.find(call => call.command === 'mark a1')!;
	t.true(mark.options.sudo);
});

test('a stage recorded done with the same fingerprint is only verified', async t => {
	const b = bench();
	await b.run(twoStages());
	b.takeCommands();
	const result = await b.run(twoStages());
	t.deepEqual(result.stages.map(stage => stage.status), ['already-done', 'already-done']);
	t.deepEqual(b.takeCommands().get('pg-node-3'), ['confirm a1', 'confirm a2', 'confirm a3', 'confirm b1', 'confirm b2', 'confirm b3']);
});

test('a recorded stage whose verification fails is checked and repaired', async t => {
	const b = bench();
	await b.run(twoStages());
	// Someone undid a2 on node 1 behind pgha's back: the recorded "done" must not be trusted.
	const remote = b.remotes.get('pg-node-1')!;
	remote.on(command => command === 'confirm a2' && remote.state.count('a2') === 1 ? {code: 1} : undefined);
	remote.on(command => command === 'test a2' && remote.state.count('a2') === 1 ? {code: 1} : undefined);
	const result = await b.run(twoStages());
	t.is(result.status, 'done');
	t.deepEqual(b.marks('a2'), [2, 1, 1]);
	t.is(result.stages[0]!.status, 'done');
});

test('one failed node fails the stage and later stages do not run', async t => {
	const b = bench();
	failTimes(b.remotes.get('pg-node-2')!, 'mark a2', 99);
	const result = await b.run(twoStages());
	t.is(result.status, 'failed');
	t.deepEqual(result.stages.map(stage => stage.status), ['failed', 'not-run']);
	const [failure] = result.stages[0]!.failures;
	t.like(failure, {stage: 'a', step: 'a2', node: 'pg-node-2', message: '"mark a2" failed with exit code 1: mark a2: temporary failure'});
	t.true(failure!.tail.includes('$ sudo mark a2'));
	t.regex(failure!.logFile, /pg-node-2\.log$/);
	// The step after the failed one did not start on any node, nor did stage b.
	for (const name of nodeNames) {
		const commands = b.remotes.get(name)!.commands();
		t.false(commands.some(command => command.endsWith('a3') || command.endsWith('b1')), name);
	}
});

test('a failed node is recorded in the state file with its step and error', async t => {
	const b = bench();
	failTimes(b.remotes.get('pg-node-2')!, 'mark a2', 99);
	await b.run(twoStages());
	const state = await readState(workPaths(b.dir).stateFile);
	t.like(state.stages.a!.nodes['pg-node-2'], {status: 'failed', step: 'a2', error: '"mark a2" failed with exit code 1: mark a2: temporary failure'});
	t.like(state.stages.a!.nodes['pg-node-1'], {status: 'running', step: 'a2'});
	t.is(state.stages.b, undefined);
});

test('a step failing twice then succeeding runs 3 times (default 2 retries)', async t => {
	const b = bench();
	const counter = failTimes(b.remotes.get('pg-node-1')!, 'mark a1', 2);
	const result = await b.run([makeStage('a', [markStep('a1')])]);
	t.is(result.status, 'done');
	t.is(counter.attempts, 3);
	t.deepEqual(b.marks('a1'), [1, 1, 1]);
});

test('a step failing three times with 2 retries fails after 3 attempts', async t => {
	const b = bench();
	const counter = failTimes(b.remotes.get('pg-node-1')!, 'mark a1', 3);
	const result = await b.run([makeStage('a', [markStep('a1')])]);
	t.is(result.status, 'failed');
	t.is(counter.attempts, 3);
});

test('a step\'s own retry policy overrides the default', async t => {
	const b = bench();
	const counter = failTimes(b.remotes.get('pg-node-1')!, 'mark a1', 99);
	await b.run([makeStage('a', [markStep('a1', {retry: {tries: 4, delayMs: 0}})])]);
	t.is(counter.attempts, 5);
});

test('each retry checks first, so work done by a failed attempt is not repeated', async t => {
	const b = bench();
	const remote = b.remotes.get('pg-node-1')!;
	let failed = false;
	// The apply did its work, then the connection dropped before pgha heard back.
	remote.on(command => {
		if (command !== 'mark a1' || failed) return undefined;
		failed = true;
		remote.state.add('a1');
		return {code: 255, stderr: 'connection lost'};
	});
	const result = await b.run([makeStage('a', [markStep('a1')])]);
	t.is(result.status, 'done');
	t.deepEqual(b.marks('a1'), [1, 1, 1]);
});

test('an abort during the retry delay ends the run at once', async t => {
	const b = bench();
	const controller = new AbortController();
	b.remotes.get('pg-node-1')!.on(command => {
		if (command !== 'mark a1') return undefined;
		setImmediate(() => controller.abort());
		return {code: 1};
	});
	// An hour's delay: the test only finishes because the abort cuts the wait.
	const result = await b.run([makeStage('a', [markStep('a1', {retry: {tries: 2, delayMs: 3_600_000}})])], {signal: controller.signal});
	t.is(result.status, 'aborted');
	t.is(result.stages[0]!.status, 'aborted');
});

test('an abort stops running commands and records the stage as interrupted', async t => {
	const b = bench();
	const controller = new AbortController();
	const stages = [makeStage('a', [{...markStep('a1'), plan: () => [{kind: 'run', command: 'block'}]} satisfies Step])];
	b.remotes.get('pg-node-3')!.on(command => {
		if (command === 'block') setImmediate(() => controller.abort());
		return undefined;
	});
	const result = await b.run(stages, {signal: controller.signal});
	t.is(result.status, 'aborted');
	const state = await readState(workPaths(b.dir).stateFile);
	for (const name of nodeNames) t.like(state.stages.a!.nodes[name], {status: 'failed', error: 'interrupted (Ctrl+C)'});
	t.is(state.runs.at(-1)!.status, 'aborted');
});

test('Ctrl+C is not counted as a retry on the screen', async t => {
	const b = bench();
	const controller = new AbortController();
	const store = new RunStore();
	const stages = [makeStage('a', [{...markStep('a1'), plan: () => [{kind: 'run', command: 'block'}]} satisfies Step])];
	b.remotes.get('pg-node-1')!.on(command => {
		if (command === 'block') setImmediate(() => controller.abort());
		return undefined;
	});
	const result = await b.run(stages, {signal: controller.signal, renderer: 'store', store, retry: {tries: 2, delayMs: 0}});
	t.is(result.status, 'aborted');
	const nodes = store.getSnapshot().stages[0]!.steps[0]!.nodes;
	t.deepEqual(nodes.map(node => node.retries), [0, 0, 0]);
});

test('from skips the stages before it without touching the nodes', async t => {
	const b = bench();
	const result = await b.run(twoStages(), {from: 'b'});
	t.deepEqual(result.stages.map(stage => stage.status), ['skipped', 'done']);
	t.deepEqual(b.marks('a1'), [0, 0, 0]);
	t.deepEqual(b.marks('b1'), [1, 1, 1]);
	t.false(b.remotes.get('pg-node-1')!.commands().some(command => command.endsWith('a1')));
});

test('only runs just the named stages', async t => {
	const b = bench();
	const stages = [...twoStages(), makeStage('c', [markStep('c1')])];
	const result = await b.run(stages, {only: ['a', 'c']});
	t.deepEqual(result.stages.map(stage => stage.status), ['done', 'skipped', 'done']);
	t.deepEqual(b.marks('b1'), [0, 0, 0]);
});

test('an unknown stage in from is an error naming the stages', async t => {
	const b = bench();
	await t.throwsAsync(b.run(twoStages(), {from: 'zz'}), {message: 'unknown stage "zz"; stages: a, b'});
});

test('onFailure retry runs the failed nodes again and the stage completes', async t => {
	const b = bench();
	const counter = failTimes(b.remotes.get('pg-node-2')!, 'mark a1', 3);
	const asked: FailureInfo[] = [];
	const result = await b.run(twoStages(), {
		async onFailure(info) {
			asked.push(info);
			return 'retry';
		},
	});
	t.is(result.status, 'done');
	t.is(asked.length, 1);
	t.deepEqual(asked[0]!.failures.map(failure => failure.node), ['pg-node-2']);
	t.is(asked[0]!.round, 1);
	t.is(counter.attempts, 4);
	t.deepEqual(b.marks('a1'), [1, 1, 1]);
});

test('onFailure skip continues past a step marked safe to skip', async t => {
	const b = bench();
	failTimes(b.remotes.get('pg-node-2')!, 'mark a2', 99);
	const stages = [makeStage('a', [markStep('a1'), markStep('a2', {safeToSkip: true}), markStep('a3')]), makeStage('b', [markStep('b1')])];
	const result = await b.run(stages, {onFailure: async () => 'skip'});
	t.is(result.status, 'done');
	t.deepEqual(b.marks('a3'), [1, 1, 1]);
	t.deepEqual(b.marks('b1'), [1, 1, 1]);
	const state = await readState(workPaths(b.dir).stateFile);
	t.is(state.stages.a!.nodes['pg-node-2']!.status, 'skipped');
	t.is(state.stages.a!.nodes['pg-node-1']!.status, 'done');
});

test('onFailure skip is refused for a step not marked safe to skip', async t => {
	const b = bench();
	failTimes(b.remotes.get('pg-node-2')!, 'mark a2', 99);
	let canSkip: boolean | undefined;
	const result = await b.run(twoStages(), {
		async onFailure(info) {
			canSkip = info.canSkip;
			return 'skip';
		},
	});
	t.false(canSkip);
	t.is(result.status, 'failed');
	t.deepEqual(b.marks('a3'), [0, 0, 0]);
});

test('Ctrl+C while the failure question is open ends the run as aborted', async t => {
	const b = bench();
	failTimes(b.remotes.get('pg-node-2')!, 'mark a1', 99);
	const controller = new AbortController();
	const result = await b.run(twoStages(), {
		signal: controller.signal,
		async onFailure() {
			controller.abort();
			return new Promise(() => {});
		},
	});
	t.is(result.status, 'aborted');
});

test('beforeStage skip leaves a stage out and quit stops before it', async t => {
	const b = bench();
	const stages = [...twoStages(), makeStage('c', [markStep('c1')])];
	const result = await b.run(stages, {beforeStage: async ({stage}) => (stage.id === 'a' ? 'skip' : stage.id === 'c' ? 'quit' : 'run')});
	t.is(result.status, 'stopped');
	t.deepEqual(result.stages.map(stage => stage.status), ['skipped', 'done', 'not-run']);
	t.deepEqual(b.marks('a1'), [0, 0, 0]);
	t.deepEqual(b.marks('c1'), [0, 0, 0]);
});

test('a sequential step runs on the nodes one after another, in order', async t => {
	const b = bench();
	const order: string[] = [];
	for (const [name, remote] of b.remotes) {
		remote.on(async command => {
			if (command !== 'mark s1') return undefined;
			order.push(`start ${name}`);
			await new Promise(resolve => setImmediate(resolve));
			order.push(`end ${name}`);
			return undefined;
		});
	}

	await b.run([makeStage('s', [markStep('s1', {sequential: true})])]);
	t.deepEqual(order, ['start pg-node-1', 'end pg-node-1', 'start pg-node-2', 'end pg-node-2', 'start pg-node-3', 'end pg-node-3']);
});

test('a one-node step runs only on its targets', async t => {
	const b = bench();
	await b.run([makeStage('h', [markStep('h1', {scope: 'one-node', targets: () => ['pg-node-2']})])]);
	t.deepEqual(b.marks('h1'), [0, 1, 0]);
});

test('a host step runs once, on the host remote', async t => {
	const b = bench();
	const host = new FakeRemote('host', '127.0.0.1');
	const result = await b.run([makeStage('h', [markStep('h1', {scope: 'host'})])], {hostRemote: host});
	t.is(result.status, 'done');
	t.is(host.state.count('h1'), 1);
	t.deepEqual(b.marks('h1'), [0, 0, 0]);
});

test('a host step without a host remote is refused before anything runs', async t => {
	const b = bench();
	await t.throwsAsync(b.run([makeStage('a', [markStep('a1')]), makeStage('h', [markStep('h1', {scope: 'host'})])]), {message: 'step h/h1 runs on this computer, but no host remote was given'});
	t.deepEqual(b.marks('a1'), [0, 0, 0]);
});

test('a step error\'s fix reaches the failure report', async t => {
	const b = bench();
	const step: Step = {
		...markStep('v1'),
		async verify(context) {
			throw new StepError({en: `v1 is not right on ${context.node.name}`, ru: `v1 неверен на ${context.node.name}`}, {en: 'Fix v1.', ru: 'Исправьте v1.'});
		},
	};
	const result = await b.run([makeStage('v', [step])], {retry: {tries: 0, delayMs: 0}});
	t.like(result.stages[0]!.failures[0], {message: 'v1 is not right on pg-node-1. Fix v1.', fix: {en: 'Fix v1.', ru: 'Исправьте v1.'}});
});

test('an error that carries its own translation keeps it, masked', async t => {
	const b = bench();
	const secret = b.secrets.superuserPassword;
	const step: Step = {
		...markStep('x1'),
		async check() {
			throw new LocalizedError({en: `pg-node-1: wrong password ${secret}`, ru: `pg-node-1: неверный пароль ${secret}`});
		},
	};
	const result = await b.run([makeStage('x', [step])], {retry: {tries: 0, delayMs: 0}});
	t.like(result.stages[0]!.failures[0], {message: 'pg-node-1: wrong password ******', text: {en: 'pg-node-1: wrong password ******', ru: 'pg-node-1: неверный пароль ******'}});
});

test('facts a step discovers reach later steps and later runs', async t => {
	const b = bench();
	const discover: Step = {
		...markStep('f1'),
		async verify(context) {
			context.facts.set('binDir', `/usr/lib/postgresql/16/bin on ${context.node.name}`);
		},
	};
	const seen: string[] = [];
	const use: Step = {
		...markStep('f2'),
		async check(context) {
			seen.push(context.facts.get('binDir') ?? 'none');
			return true;
		},
	};
	await b.run([makeStage('f', [discover])]);
	await b.run([makeStage('g', [use])]);
	t.deepEqual(seen.sort(), nodeNames.map(name => `/usr/lib/postgresql/16/bin on ${name}`));
});

test('Ctrl+C while the step-mode question is open ends the run as aborted', async t => {
	const b = bench();
	const controller = new AbortController();
	const result = await b.run(twoStages(), {
		signal: controller.signal,
		async beforeStage() {
			controller.abort();
			return new Promise(() => {});
		},
	});
	t.is(result.status, 'aborted');
	t.deepEqual(b.marks('a1'), [0, 0, 0]);
});

test('a step\'s error reaches the failure question in the user\'s language, naming its node once', async t => {
	const b = bench();
	const failing: Step = {
		...markStep('a1'),
		async verify(context) {
			throw new StepError({en: `${context.node.name}: port 5432 is busy`, ru: `${context.node.name}: порт 5432 занят`});
		},
	};
	let asked: FailureInfo | undefined;
	const result = await b.run([makeStage('a', [failing])], {
		lang: 'ru',
		retry: {tries: 0},
		onFailure: async failure => {
			asked = failure;
			return 'quit';
		},
	});
	t.deepEqual(asked!.failures.map(failure => failure.text?.ru), ['pg-node-1: порт 5432 занят', 'pg-node-2: порт 5432 занят', 'pg-node-3: порт 5432 занят']);
	t.is(result.stages[0]!.failures[0]!.message, 'pg-node-1: port 5432 is busy', 'logs and the state file keep English');
});

test('a translated error that does not start with its node is given the node\'s name once', async t => {
	const b = bench();
	const failing: Step = {
		...markStep('a1', {scope: 'one-node'}),
		async verify() {
			throw new StepError({en: 'the key is not in authorized_keys', ru: 'ключа нет в authorized_keys'}, {en: 'Put the key in authorized_keys.', ru: 'Положите ключ в authorized_keys.'});
		},
	};
	let asked: FailureInfo | undefined;
	await b.run([makeStage('a', [failing])], {
		lang: 'ru',
		retry: {tries: 0},
		onFailure: async failure => {
			asked = failure;
			return 'quit';
		},
	});
	t.is(asked!.failures[0]!.text?.ru, 'pg-node-1: ключа нет в authorized_keys. Положите ключ в authorized_keys.');
	t.is(asked!.failures[0]!.text?.en, 'pg-node-1: the key is not in authorized_keys. Put the key in authorized_keys.');
});
