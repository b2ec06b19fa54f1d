/** curl's own progress meter as lines (a 20.8 MB download captured with bookworm's curl 7.88 and trixie's 8.14). */
import test from 'ava';
import {readFileSync} from 'node:fs';
import {CurlProgress, curlSize} from '../../steps/curl-progress.ts';
import type {Progress} from '../../source/core/progress.ts';

const lines = readFileSync(new URL('../fixtures/progress/curl-meter-bookworm.txt', import.meta.url), 'utf8').split('\n');
const phase = {ru: 'скачивание', en: 'downloading'};

function readAll(input: readonly string[]): Progress[] {
	const reader = new CurlProgress(phase);
	return input.map(line => reader.read(line)).filter((figures): figures is Progress => figures !== undefined);
}

test('curl sizes are 1024-based with k, M and G', t => {
	t.is(curlSize('5120k'), 5120 * 1024);
	t.is(curlSize('20.8M'), 20.8 * 1024 ** 2);
	t.is(curlSize('900'), 900);
	t.is(curlSize('--:--:--'), undefined);
});

test('each meter line gives bytes received against the total, the headers nothing', t => {
	const figures = readAll(lines);
	t.deepEqual(figures.map(item => [item.done, item.total]), [
		[0, undefined],
		[5120 * 1024, 20.8 * 1024 ** 2],
		[8791 * 1024, 20.8 * 1024 ** 2],
		[14.1 * 1024 ** 2, 20.8 * 1024 ** 2],
		[20.8 * 1024 ** 2, 20.8 * 1024 ** 2],
	]);
	t.true(figures.every(item => item.unit === 'bytes' && item.phase === phase));
});

test('trixie\'s curl 8.14 meter reads the same way', t => {
	const trixie = readFileSync(new URL('../fixtures/progress/curl-meter-trixie.txt', import.meta.url), 'utf8').split('\n');
	t.deepEqual(readAll(trixie).map(item => item.done), [0, 4512 * 1024, 12.4 * 1024 ** 2, 20.4 * 1024 ** 2, 20.8 * 1024 ** 2]);
});
