/** Host commands of the lab: output streamed to the log file and, when asked, line by line to the caller. */
import test from 'ava';
import {closeSync, mkdtempSync, openSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {run} from '../../source/lab/process.ts';

test('with onLine every line reaches the caller as it comes and the log file still gets all of the output', async t => {
	const dir = mkdtempSync(path.join(tmpdir(), 'pgha-run-'));
	t.teardown(() => rmSync(dir, {recursive: true, force: true}));
	const file = path.join(dir, 'build.log');
	const logFd = openSync(file, 'w');
	const lines: string[] = [];
	let firstAt = 0;
	const started = Date.now();
	try {
		await run('sh', ['-c', 'echo one; sleep 0.5; printf "two\\nthree"; echo warn >&2'], {logFd, onLine: line => {
			lines.push(line);
			if (line === 'one') firstAt = Date.now();
		}});
	} finally {
		closeSync(logFd);
	}

	t.deepEqual([...lines].sort(), ['one', 'three', 'two', 'warn']);
	t.true(firstAt - started < 400, 'the first line came before the command ended');
	const logged = readFileSync(file, 'utf8');
	for (const part of ['one\n', 'two\nthree', 'warn\n']) t.true(logged.includes(part), part);
});
