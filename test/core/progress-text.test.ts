/** Progress figures as text: the bar and its figures, the plain line. */
import test from 'ava';
import {fitProgress, formatMb, progressFraction, progressLine} from '../../source/core/progress-text.ts';
import type {ProgressView} from '../../source/core/progress.ts';

const collecting: ProgressView = {figures: {phase: {ru: 'pip: сбор пакетов', en: 'pip: collecting'}, unit: 'packages', done: 7, bytes: {done: 1.2e6}}, since: 0};
const tarball: ProgressView = {figures: {phase: {ru: 'etcd: скачивание архива', en: 'etcd: downloading the tarball'}, unit: 'bytes', done: 5 * 1024 ** 2, total: 20 * 1024 ** 2}, since: 0};

test('megabytes have one decimal below ten', t => {
	t.is(formatMb(2_423_000), '2.4');
	t.is(formatMb(80_200_000), '80');
});

test('how far along goes by bytes when their total is known, by count otherwise, and is unknown without a total', t => {
	t.is(progressFraction({phase: collecting.figures.phase, unit: 'packages', done: 1, total: 66, bytes: {done: 40e6, total: 80e6}}), 0.5);
	t.is(progressFraction({phase: collecting.figures.phase, unit: 'packages', done: 33, total: 66}), 0.5);
	t.is(progressFraction(collecting.figures), undefined);
});

test('without a total there is no bar, only the count, the bytes and the rate', t => {
	t.is(fitProgress('pg-node-1 ', collecting, 'en', 4000, 79), 'pg-node-1 7 packages  1.2 MB  0.3 MB/s  4s');
});

test('a download in bytes reads as MB of MB with its rate and estimate', t => {
	t.is(progressLine(tarball, 'en', 5000), 'etcd: downloading the tarball: 5.2/21 MB, 25%, 1.0 MB/s, 5s, ~15s left');
	t.is(progressLine(tarball, 'ru', 5000), 'etcd: скачивание архива: 5.2/21 MB, 25%, 1.0 MB/s, 5s, ещё ~15s');
});

test('no estimate in the first two seconds: it would be a guess', t => {
	t.false(progressLine(tarball, 'en', 1500).includes('left'));
});
