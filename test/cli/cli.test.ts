import test from 'ava';
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import {fileURLToPath} from 'node:url';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../source/bin.js', import.meta.url));

test('pgha --version prints the package version', async t => {
	const {stdout} = await run(process.execPath, [bin, '--version']);
	t.regex(stdout, /^\d+\.\d+\.\d+\n$/);
});

test('pgha --help lists the commands in both languages', async t => {
	const {stdout} = await run(process.execPath, [bin, '--help']);
	t.true(stdout.includes('Usage: pgha'));
	t.true(stdout.includes('кластера PostgreSQL'));
	for (const command of ['apply', 'status', 'test', 'runbook', 'lab']) t.true(stdout.includes(`  ${command} `));
});

test('an unknown command fails with a hint', async t => {
	const error = await t.throwsAsync(run(process.execPath, [bin, 'frobnicate'])) as Error & {code: number; stderr: string};
	t.is(error.code, 2);
	t.true(error.stderr.includes('unknown command'));
});
