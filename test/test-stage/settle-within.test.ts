import test from 'ava';
import {settleWithin} from '../../source/cluster-test/env.ts';

const timers = () => process.getActiveResourcesInfo().filter(kind => kind === 'Timeout').length;

test.serial('work that ends in time leaves no clock behind to hold pgha open', async t => {
	const before = timers();
	t.true(await settleWithin(Promise.resolve('done'), 120_000));
	t.is(timers(), before);
});

test('the time running out answers false', async t => {
	t.false(await settleWithin(new Promise(() => {}), 20));
});

test('the work\'s own error comes through', async t => {
	await t.throwsAsync(settleWithin(Promise.reject(new Error('writer failed')), 1000), {message: 'writer failed'});
});

test('an abort ends the wait with its reason', async t => {
	const controller = new AbortController();
	const waiting = settleWithin(new Promise(() => {}), 60_000, controller.signal);
	controller.abort(new Error('interrupted'));
	await t.throwsAsync(waiting, {message: 'interrupted'});
});
