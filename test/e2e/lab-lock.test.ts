/**
 * The lab lock under contention: lab test files (ava runs two at once), the bench and `pgha lab`
 * commands wait on it together, so it must never have two holders. Three processes take and release
 * it in a tight loop; a holder that finds another holder inside counts an overlap.
 */
import test from 'ava';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {runCommand} from '../helpers/lab.ts';

const worker = fileURLToPath(new URL('../fixtures/e2e/lock-worker.ts', import.meta.url));

test('the lock file never has two holders, even when processes race for it', async t => {
	const dir = mkdtempSync(join(tmpdir(), 'pgha-lock-race-'));
	try {
		const runs = await Promise.all([1, 2, 3].map(async () =>
			runCommand(process.execPath, ['--import=tsx', worker, join(dir, 'test.lock'), join(dir, 'holder'), '3000'], {timeoutMs: 60_000})));
		const counts = runs.map(run => {
			t.is(run.code, 0, run.stderr);
			return JSON.parse(run.stdout) as {takes: number; overlaps: number};
		});
		t.log(counts);
		t.true(counts.every(count => count.takes > 0), 'every process got the lock at times');
		t.is(counts.reduce((sum, count) => sum + count.overlaps, 0), 0);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});
