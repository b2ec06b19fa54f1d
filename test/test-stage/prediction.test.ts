/** The outage predicted before each fault, from the cluster file's timing: ranges, phases, words. */
import test from 'ava';
import {timingSettings} from '../../source/cluster-test/bounds.ts';
import {placeOf, predictedVsMeasured, predictionLine, predictOutage, type PredictedKind, type Prediction} from '../../source/cluster-test/prediction.ts';
import {sampleCluster} from '../helpers/install-fixtures.ts';

const defaults = timingSettings(sampleCluster());
const fast = timingSettings(sampleCluster('timing: {preset: fast}'));
/** The lab's measured rows ran HAProxy with inter 1s (readme, test/bench/results.md). */
const fastInter1 = timingSettings(sampleCluster('timing: {preset: fast}\nhaproxy: {inter: 1s}'));
const defaultInter1 = timingSettings(sampleCluster('synchronous_mode: true\nhaproxy: {inter: 1s}'));

function predict(settings = defaults, kind: PredictedKind = 'kill', vip = false): Prediction {
	const prediction = predictOutage(settings, kind, {vip});
	if (!prediction) throw new Error(`no prediction for ${kind}`);
	return prediction;
}

const ranges = (prediction: Prediction) => prediction.phases.map(item => [item.id, item.minMs / 1000, item.maxMs / 1000]);

test('default timing (30/10/10, HAProxy inter 3s rise 2): a killed leader waits for its key, 23.5–40 s in four phases', t => {
	const kill = predict();
	t.deepEqual(ranges(kill), [['detection', 20, 30], ['election', 0.5, 3], ['routing', 3, 6], ['client', 0, 1]]);
	t.deepEqual([kill.minMs, kill.maxMs], [23_500, 40_000]);
	t.is(predictionLine(kill, 'en'), 'predicted outage 23.5–40 s: leader key expiry 20–30 s (79 %), election and promotion 0.5–3 s (6 %), HAProxy checks 3–6 s (14 %), client reconnect 0–1 s (2 %)');
	t.is(predictionLine(kill, 'ru'), 'ожидаемый простой 23.5–40 с: истечение ключа лидера 20–30 с (79 %), выборы и повышение 0.5–3 с (6 %), проверки HAProxy 3–6 с (14 %), переподключение клиента 0–1 с (2 %)');
	t.is(Math.round(kill.phases.reduce((sum, item) => sum + item.share, 0) * 1000), 1000);
});

test('default timing: power-off and cut add the unanswered REST API and etcd re-electing its own leader', t => {
	for (const kind of ['poweroff', 'cut'] as const) {
		t.deepEqual(ranges(predict(defaults, kind)), [['detection', 20, 32], ['election', 1, 5], ['routing', 3, 6], ['client', 0, 1]], kind);
	}
});

test('a graceful stop and a switchover hand the key back: no ttl in them, only HAProxy\'s checks change them', t => {
	for (const kind of ['graceful', 'switchover'] as const) {
		const planned = predict(defaults, kind);
		t.deepEqual([planned.minMs, planned.maxMs], [4000, 13_000], kind);
		t.deepEqual(predict(fast, kind).phases.map(item => [item.minMs, item.maxMs]), planned.phases.map(item => [item.minMs, item.maxMs]), 'ttl and loop_wait do not enter');
	}

	t.deepEqual([predict(fastInter1, 'graceful').minMs, predict(fastInter1, 'graceful').maxMs], [2000, 9000]);
	t.regex(predict(defaults, 'switchover').phases[0]!.explain.en, /gives the leader key back itself/);
});

test('the fast preset (20/5/5): the key lives 15–20 s, so a kill costs 18.5–30 s with inter 3s and 16.5–26 s with inter 1s', t => {
	t.deepEqual(ranges(predict(fast)), [['detection', 15, 20], ['election', 0.5, 3], ['routing', 3, 6], ['client', 0, 1]]);
	t.deepEqual([predict(fast).minMs, predict(fast).maxMs], [18_500, 30_000]);
	t.deepEqual([predict(fastInter1).minMs, predict(fastInter1).maxMs], [16_500, 26_000]);
	t.regex(predict(fast).phases[0]!.explain.en, /every loop_wait = 5 s\), so the key lives out the rest of ttl = 20 s: 15 to 20 s\.$/);
	t.regex(predict(fast).phases[0]!.explain.ru, /loop_wait = 5 с.*ttl = 20 с: от 15 до 20 с\.$/);
});

test('the outages the lab measured fall inside the predictions (soak: default timing, inter 3s; readme and bench: inter 1s)', t => {
	const measured: Array<[typeof defaults, PredictedKind, number[], boolean?]> = [
		[defaults, 'graceful', [8.3, 8.4, 8.5]],
		[defaults, 'kill', [26.1, 29.4, 29.8, 31.4, 32.5, 32.3, 33.4, 35.2]],
		[defaults, 'poweroff', [29.6, 30.4, 30.9, 33.4, 38.5]],
		[defaults, 'cut', [32.1, 32.6, 32.8, 39.2, 40.3]],
		[defaultInter1, 'switchover', [4.2]],
		[defaultInter1, 'kill', [25.4, 25.6]],
		[defaultInter1, 'poweroff', [26.5, 27.0, 31.6]],
		[defaultInter1, 'cut', [27.6, 35.6]],
		[defaultInter1, 'entry-poweroff', [3.5], true],
		[defaultInter1, 'entry-haproxy', [2.7], true],
		[fastInter1, 'graceful', [4.2]],
		[fastInter1, 'kill', [18.5]],
		[fastInter1, 'poweroff', [26.3]],
	];
	for (const [settings, kind, figures, vip] of measured) {
		const prediction = predict(settings, kind, vip);
		for (const figure of figures) t.is(placeOf(prediction, figure * 1000), 'within', `${kind} ${figure} s in ${prediction.minMs}–${prediction.maxMs} ms`);
	}

	t.is(placeOf(predict(), 41_000), 'above');
	t.is(placeOf(predict(), 20_000), 'below');
});

test('front-door faults: predicted only with a floating address; a synchronous standby lost adds up to two loops', t => {
	t.is(predictOutage(defaults, 'entry-haproxy', {vip: false}), undefined);
	t.is(predictOutage(defaults, 'entry-poweroff', {vip: false}), undefined);
	t.deepEqual(ranges(predict(defaults, 'entry-haproxy', true)), [['detection', 1, 2], ['routing', 0.2, 1.5], ['client', 0, 1]]);
	t.deepEqual(ranges(predict(defaults, 'entry-poweroff', true)), [['detection', 2, 4], ['routing', 0.2, 1.5], ['client', 0, 1.5]]);
	t.deepEqual(ranges(predict(defaultInter1, 'entry-poweroff', true)), [['detection', 2, 4], ['election', 0, 20], ['routing', 0.2, 1.5], ['client', 0, 1.5]]);
	t.regex(predict(defaults, 'entry-poweroff', true).phases[0]!.explain.en, /VRRP/);
});

test('every phase is explained in both languages with the cluster\'s own values', t => {
	const routing = predict().phases.find(item => item.id === 'routing')!;
	t.is(routing.explain.en, 'HAProxy asks every node\'s /primary each inter = 3s and sends writes to the new leader after rise = 2 good answers in a row: 3–6 s.');
	t.is(routing.explain.ru, 'HAProxy спрашивает /primary у каждого узла каждые inter = 3s и пускает запись к новому лидеру после rise = 2 удачных ответов подряд: 3–6 с.');
	for (const kind of ['switchover', 'graceful', 'kill', 'poweroff', 'cut', 'entry-haproxy', 'entry-poweroff'] as const) {
		for (const item of predict(defaultInter1, kind, true).phases) {
			t.not(item.explain.ru, item.explain.en, `${kind} ${item.id}`);
			t.regex(item.explain.ru, /[а-я]/, `${kind} ${item.id}`);
			t.regex(item.explain.en, /\.$/, `${kind} ${item.id}`);
			t.false(/[а-я]/i.test(item.explain.en), `${kind} ${item.id}`);
		}
	}
});

test('predicted against measured, the way the report puts it', t => {
	t.is(predictedVsMeasured(predict(), 27_300, 'en'), 'predicted 23.5–40 s, measured 27.3 s');
	t.is(predictedVsMeasured(predict(), 27_300, 'ru'), 'ожидалось 23.5–40 с, измерено 27.3 с');
	t.is(predictedVsMeasured(predict(), null, 'en'), 'predicted 23.5–40 s, measured —');
});
