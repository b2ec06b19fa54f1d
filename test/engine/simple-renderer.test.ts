import test from 'ava';
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import {fileURLToPath} from 'node:url';
import {tempDir} from '../helpers/engine-fixtures.ts';

const run = promisify(execFile);
const child = fileURLToPath(new URL('../fixtures/engine-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

async function plainRun(dir: string): Promise<string> {
	const {stdout} = await run(process.execPath, ['--import=tsx', child, dir], {cwd: root, env: {...process.env, PGHA_TEST_RENDERER: 'simple', NO_COLOR: '1'}});
	return stdout;
}

test('outside a terminal each stage, step, node and command is one plain line', async t => {
	const dir = tempDir('pgha-simple-');
	const first = await plainRun(dir);
	const lines = first.split('\n');
	for (const expected of ['❯ Stage a', '❯ Step a1', '❯ pg-node-2: Step a1', '› pg-node-2: $ sudo mark a1', '✔ pg-node-2: Step a1', '✔ Stage b']) {
		t.true(lines.includes(expected), expected);
	}

	t.false(first.includes('\u001B['), 'no escape sequences with NO_COLOR');
	const second = await plainRun(dir);
	t.true(second.split('\n').includes('↓ pg-node-3: Step b3 [SKIPPED: already done]'));
});
