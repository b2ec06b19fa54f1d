import test from 'ava';
import type {Stage} from '../../steps/types.ts';
import type {StageSummary} from '../../source/engine/state.ts';
import {askResume} from '../../source/wizard/resume-choice.ts';
import type {Prompter} from '../../source/wizard/prompter.ts';

const stage = (id: string, en: string, ru: string): Stage => ({id, title: {en, ru}, explain: {en, ru}, steps: []});
const stages = [stage('packages', 'Package installation', 'Установка пакетов'), stage('etcd', 'etcd cluster', 'Кластер etcd'), stage('haproxy', 'HAProxy', 'HAProxy')];

interface Asked {
	readonly message: string;
	readonly choices?: readonly string[];
	readonly default?: unknown;
}

/** Picks the given answers in order and records what was asked. */
function answering(answers: Array<string | boolean>, asked: Asked[]): Prompter {
	return {
		input: async () => {
			throw new Error('not asked here');
		},
		password: async () => {
			throw new Error('not asked here');
		},
		async select(options) {
			asked.push({message: options.message, choices: options.choices.map(choice => choice.name), default: options.default});
			return answers.shift() as never;
		},
		async confirm(options) {
			asked.push({message: options.message, default: options.default});
			return answers.shift() as boolean;
		},
	};
}

const halfDone: StageSummary[] = [
	{id: 'packages', status: 'done'},
	{id: 'etcd', status: 'failed', node: 'pg-node-2', error: 'etcd did not become healthy in 60 s'},
	{id: 'haproxy', status: 'pending'},
];

test('every stage is listed with its state and the reason of a failure (en)', async t => {
	let shown = '';
	await askResume(answering(['continue'], []), stages, halfDone, 'en', text => (shown += text));
	t.regex(shown, /This setup was started before/);
	t.regex(shown, /✔ Package installation \(done\)/);
	t.regex(shown, /✖ etcd cluster \(failed: pg-node-2: etcd did not become healthy in 60 s\)/);
	t.regex(shown, /· HAProxy \(pending\)/);
});

test('continuing from the first unfinished stage is the default (ru)', async t => {
	const asked: Asked[] = [];
	let shown = '';
	const choice = await askResume(answering(['continue'], asked), stages, halfDone, 'ru', text => (shown += text));
	t.regex(shown, /✖ Кластер etcd \(ошибка: pg-node-2: /);
	t.is(asked[0]!.default, 'continue');
	t.is(asked[0]!.choices![0], 'Продолжить с этапа «Кластер etcd»');
	t.deepEqual(choice, {kind: 'continue', from: 'etcd'});
});

test('start over asks first, defaults to no, and a no continues instead', async t => {
	const asked: Asked[] = [];
	const choice = await askResume(answering(['start-over', false], asked), stages, halfDone, 'en', () => {});
	t.is(asked.length, 2);
	t.regex(asked[1]!.message, /check the nodes again/);
	t.is(asked[1]!.default, false);
	t.deepEqual(choice, {kind: 'continue', from: 'etcd'});
});

test('start over, confirmed, is start over; quit is quit', async t => {
	t.deepEqual(await askResume(answering(['start-over', true], []), stages, halfDone, 'en', () => {}), {kind: 'start-over'});
	t.deepEqual(await askResume(answering(['quit'], []), stages, halfDone, 'en', () => {}), {kind: 'quit'});
});

test('when everything is done the default re-checks the cluster', async t => {
	const asked: Asked[] = [];
	const done: StageSummary[] = stages.map(({id}) => ({id, status: 'done'}));
	const choice = await askResume(answering(['continue'], asked), stages, done, 'en', () => {});
	t.is(asked[0]!.choices![0], 'All done: check the cluster again');
	t.deepEqual(choice, {kind: 'continue', from: undefined});
});
