/** The lab's reporter: progress as a bar redrawn in place on a terminal, as periodic plain lines in a log. */
import test from 'ava';
import {reporter, type ProgressScreen} from '../../source/lab/text.ts';
import type {Progress} from '../../source/core/progress.ts';

const downloading = {ru: 'Репозиторий: скачивание', en: 'Repository: downloading'};

function figures(done: number, bytes: number): Progress {
	return {phase: downloading, unit: 'packages', done, total: 475, bytes: {done: bytes, total: 284e6}};
}

function fakeClock(): {now: () => number; advance: (ms: number) => void} {
	let now = 1_000_000;
	return {now: () => now, advance: ms => {
		now += ms;
	}};
}

test('on a terminal each figure redraws one bar line in place, and a line after it starts on its own', t => {
	const events: string[] = [];
	const screen: ProgressScreen = {draw: text => events.push(`draw ${text}`), end: () => events.push('end'), columns: () => 100};
	const clock = fakeClock();
	const lines: string[] = [];
	const report = reporter('en', line => lines.push(line), screen, clock.now);
	report.progress!(figures(10, 5e6));
	clock.advance(20_000);
	report.progress!(figures(200, 120e6));
	report.line({ru: 'готово', en: 'done'});
	t.is(events.length, 3);
	t.regex(events[0]!, /^draw \[ {3}0s\] Repository: downloading [█░]{30} {2}10\/475 packages {2}5\.0\/284 MB/);
	t.regex(events[1]!, /^draw \[ {2}20s\] Repository: downloading █+░+ {2}200\/475 packages {2}120\/284 MB {2}~2\ds left {2}6\.0 MB\/s {2}20s$/);
	t.is(events[2], 'end');
	t.deepEqual(lines, ['[  20s] done']);
	for (const event of events) t.true(event.length - 'draw '.length <= 99, event);
});

test('in a log the figures come as a plain line when the phase begins, then at most every 10 s', t => {
	const clock = fakeClock();
	const lines: string[] = [];
	const report = reporter('en', line => lines.push(line), undefined, clock.now);
	report.progress!(figures(1, 1e6));
	for (let second = 1; second <= 25; second++) {
		clock.advance(1000);
		report.progress!(figures(1 + second * 10, second * 5e6));
	}

	t.is(lines.length, 3);
	t.is(lines[0], '[   0s] Repository: downloading: 1/475 packages, 1.0/284 MB, 0%, 0s');
	t.regex(lines[1]!, /^\[ {2}10s\] Repository: downloading: 101\/475 packages, 50\/284 MB, 17%, 5\.0 MB\/s, 10s, ~4\ds left$/);
	t.regex(lines[2]!, /^\[ {2}20s\] Repository: downloading: 201\/475 packages, 100\/284 MB, 35%/);
});

test('on a terminal the bar redraws at most ten times a second, and a phase ends on its last figures', t => {
	const draws: string[] = [];
	const screen: ProgressScreen = {draw: text => draws.push(text), end: () => draws.push('end'), columns: () => 120};
	const clock = fakeClock();
	const report = reporter('en', () => undefined, screen, clock.now);
	for (let done = 1; done <= 100; done++) {
		clock.advance(5);
		report.progress!({phase: {ru: 'распаковка', en: 'unpacking'}, unit: 'packages', done, total: 100});
	}

	report.progress!({phase: {ru: 'настройка', en: 'setting up'}, unit: 'packages', done: 1, total: 100});
	const unpacking = draws.filter(text => text.includes('unpacking'));
	t.true(unpacking.length <= 6, `${unpacking.length} draws in half a second`);
	t.regex(unpacking.at(-1)!, /100\/100 packages/);
	t.is(draws.at(-2), 'end');
	t.regex(draws.at(-1)!, /setting up .* 1\/100 packages/);
});
