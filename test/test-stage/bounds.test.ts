import test from 'ava';
import {boundFormula, computeBounds, faultBoundMs, haproxyRiseMs, parseHaproxyDuration, timingSettings} from '../../source/cluster-test/bounds.ts';
import {sampleCluster} from '../helpers/install-fixtures.ts';

test('HAProxy durations read the way HAProxy reads them', t => {
	t.is(parseHaproxyDuration('3s'), 3000);
	t.is(parseHaproxyDuration('500ms'), 500);
	t.is(parseHaproxyDuration('1m'), 60_000);
	t.is(parseHaproxyDuration('1.5s'), 1500);
	// A bare number is milliseconds to HAProxy.
	t.is(parseHaproxyDuration('2000'), 2000);
	t.is(parseHaproxyDuration('fast'), undefined);
});

test('the default timing gives the bounds the design notes predict', t => {
	const settings = timingSettings(sampleCluster());
	t.like(settings, {ttl: 30, loopWait: 10, retryTimeout: 10, inter: '3s', interMs: 3000, fall: 3, rise: 2, synchronousMode: false});
	t.is(haproxyRiseMs(settings), 6000);
	const bounds = computeBounds(settings);
	// loop_wait + rise × inter + slack
	t.is(bounds.gracefulMs, 10_000 + 6000 + 5000);
	t.is(bounds.switchoverMs, bounds.gracefulMs);
	// ttl + loop_wait + rise × inter + slack
	t.is(bounds.hardMs, 40_000 + 6000 + 5000);
	t.is(faultBoundMs(bounds, 'graceful'), bounds.gracefulMs);
	for (const kind of ['kill', 'poweroff', 'cut'] as const) t.is(faultBoundMs(bounds, kind), bounds.hardMs);
});

test('the bounds follow the cluster file: faster timing, faster HAProxy checks, tighter bounds', t => {
	const settings = timingSettings(sampleCluster('timing: {preset: fast}\nhaproxy: {inter: 1s, rise: 3}\nsynchronous_mode: true'));
	t.like(settings, {ttl: 20, loopWait: 5, interMs: 1000, rise: 3, synchronousMode: true});
	const bounds = computeBounds(settings);
	t.is(bounds.gracefulMs, 5000 + 3000 + 5000);
	t.is(bounds.hardMs, 25_000 + 3000 + 5000);
});

test('the report states each bound with its formula and the numbers in it', t => {
	const settings = timingSettings(sampleCluster());
	t.is(boundFormula(settings, 'graceful'), 'loop_wait + rise × inter + 5 s = 10 + 6 + 5 = 21 s');
	t.is(boundFormula(settings, 'switchover'), boundFormula(settings, 'graceful'));
	t.is(boundFormula(settings, 'kill'), 'ttl + loop_wait + rise × inter + 5 s = 30 + 10 + 6 + 5 = 51 s');
	const half = timingSettings(sampleCluster('haproxy: {inter: 750ms}'));
	t.is(boundFormula(half, 'cut'), 'ttl + loop_wait + rise × inter + 5 s = 30 + 10 + 1.5 + 5 = 46.5 s');
});
