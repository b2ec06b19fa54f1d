import test from 'ava';
import type {Stage} from '../../source/core/stage.ts';
import type {StageSummary} from '../../source/engine/state.ts';
import {askResume} from '../../source/wizard/resume-choice.ts';
import {scripted, type Asked} from '../helpers/scripted-prompter.ts';

const stage = (id: string, en: string, ru: string): Stage => ({id, title: {en, ru}, explain: {en, ru}, steps: []});
const stages = [stage('packages', 'Package installation', 'Установка пакетов'), stage('etcd', 'etcd cluster', 'Кластер etcd'), stage('haproxy', 'HAProxy', 'HAProxy')];

const halfDone: StageSummary[] = [
	{id: 'packages', status: 'done'},
	{id: 'etcd', status: 'failed', node: 'pg-node-2', error: 'etcd did not become healthy in 60 s'},
	{id: 'haproxy', status: 'pending'},
];

test('every stage is listed with its state and the reason of a failure (en)', async t => {
	let shown = '';
	await askResume(scripted(['continue']), stages, halfDone, 'en', text => (shown += text));
	t.regex(shown, /This setup was started before/);
	t.regex(shown, /✔ Package installation \(done\)/);
	t.regex(shown, /✖ etcd cluster \(failed: pg-node-2: etcd did not become healthy in 60 s\)/);
	t.regex(shown, /· HAProxy \(pending\)/);
});

test('continuing from the first unfinished stage is the default (ru)', async t => {
	const asked: Asked[] = [];
	let shown = '';
	const choice = await askResume(scripted(['continue'], {refused: [], asked}), stages, halfDone, 'ru', text => (shown += text));
	t.regex(shown, /✖ Кластер etcd \(ошибка: pg-node-2: /);
	t.is(asked[0]!.default, 'continue');
	t.is(asked[0]!.choices![0], 'Продолжить с этапа «Кластер etcd»');
	t.deepEqual(choice, {kind: 'continue', from: 'etcd'});
});

test('start over asks first, defaults to no, and a no continues instead', async t => {
	const asked: Asked[] = [];
	const choice = await askResume(scripted(['start-over', 'n'], {refused: [], asked}), stages, halfDone, 'en', () => {});
	t.is(asked.length, 2);
	t.regex(asked[1]!.message, /check the nodes again/);
	t.is(asked[1]!.default, false);
	t.deepEqual(choice, {kind: 'continue', from: 'etcd'});
});

test('start over, confirmed, is start over; quit is quit', async t => {
	t.deepEqual(await askResume(scripted(['start-over', 'y']), stages, halfDone, 'en', () => {}), {kind: 'start-over'});
	t.deepEqual(await askResume(scripted(['quit']), stages, halfDone, 'en', () => {}), {kind: 'quit'});
});

test('when everything is done the default re-checks the cluster', async t => {
	const asked: Asked[] = [];
	const done: StageSummary[] = stages.map(({id}) => ({id, status: 'done'}));
	const choice = await askResume(scripted(['continue'], {refused: [], asked}), stages, done, 'en', () => {});
	t.is(asked[0]!.choices![0], 'All done: check the cluster again');
	t.deepEqual(choice, {kind: 'continue', from: undefined});
});
