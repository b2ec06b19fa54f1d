/** The progress file: private, whole or not at all, and the score it keeps. */
import test from 'ava';
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {emptyProgress, finish, points, progressFileFor, readProgress, score, takeHint, writeProgress, type Progress} from '../../source/practice/progress.ts';
import {pghaPaths} from '../../source/config/paths.ts';

function folder(): string {
	return mkdtempSync(path.join(os.tmpdir(), 'pgha-practice-'));
}

test('the file lives in .pgha beside the cluster file', t => {
	t.is(progressFileFor(pghaPaths('/course/pgha.yaml').dir), path.resolve('/course/.pgha/practice.json'));
});

test('written with mode 0600 in a 0700 folder, read back the same; a missing file is a fresh start', async t => {
	const dir = folder();
	try {
		const file = path.join(dir, '.pgha', 'practice.json');
		t.deepEqual(await readProgress(file), emptyProgress);
		const progress: Progress = {version: 1, current: {scenario: 'paused', node: 'pg-node-1', leader: 'pg-node-1', replica: 'pg-node-2', startedAt: '2026-12-03T10:00:00.000Z', hints: 1}, attempts: []};
		await writeProgress(file, progress);
		t.is(statSync(file).mode & 0o777, 0o600);
		t.is(statSync(path.dirname(file)).mode & 0o777, 0o700);
		t.deepEqual(await readProgress(file), progress);
		// A file someone loosened is tightened by the next write.
		const {chmodSync} = await import('node:fs');
		chmodSync(file, 0o644);
		await writeProgress(file, emptyProgress);
		t.is(statSync(file).mode & 0o777, 0o600);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});

test('a file that is not a practice file is refused, not replaced', async t => {
	const dir = folder();
	try {
		const file = path.join(dir, 'practice.json');
		writeFileSync(file, '{"stages": {}}\n');
		await t.throwsAsync(readProgress(file), {message: /not a pgha practice file/});
		t.is(readFileSync(file, 'utf8'), '{"stages": {}}\n');
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});

test('hints: one more each time, never past the last', t => {
	let progress: Progress = {version: 1, current: {scenario: 'paused', node: 'n', leader: 'n', replica: 'm', startedAt: '2026-12-03T10:00:00.000Z', hints: 0}, attempts: []};
	const shown: number[] = [];
	for (let i = 0; i < 4; i++) {
		const next = takeHint(progress, 3);
		progress = next.progress;
		shown.push(next.shown);
	}
	t.deepEqual(shown, [1, 2, 3, 3]);
	t.is(progress.current!.hints, 3);
	t.is(takeHint(emptyProgress, 3).shown, 0);
});

test('score: difficulty earns, hints cost, giving up earns nothing; time counts solved attempts', t => {
	t.is(points(2, 0, 'solved'), 20);
	t.is(points(2, 3, 'solved'), 11);
	t.is(points(1, 3, 'solved'), 1);
	t.is(points(3, 0, 'undone'), 0);
	const start: Progress = {version: 1, current: {scenario: 'etcd-v2', node: 'pg-node-2', leader: 'pg-node-1', replica: 'pg-node-2', startedAt: '2026-12-03T10:00:00.000Z', hints: 2}, attempts: []};
	const solved = finish(start, 2, 'solved', new Date('2026-12-03T10:05:30.000Z'));
	t.is(solved.current, undefined);
	t.deepEqual(solved.attempts, [{scenario: 'etcd-v2', node: 'pg-node-2', outcome: 'solved', hints: 2, seconds: 330, points: 14, endedAt: '2026-12-03T10:05:30.000Z'}]);
	const again = finish({...solved, current: {...start.current!, scenario: 'paused', hints: 1, startedAt: '2026-12-03T11:00:00.000Z'}}, 1, 'undone', new Date('2026-12-03T11:01:00.000Z'));
	t.deepEqual(score(again), {solved: 1, undone: 1, points: 14, hints: 3, seconds: 330});
});
