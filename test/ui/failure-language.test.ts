/**
 * Issue 12 item 6: a Russian user sees a node's failure in Russian, its node named once, and no ✔
 * over it: in plain output and on the run screen in a real terminal (engine on fake nodes).
 */
import test from 'ava';
import {execFile} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {fileURLToPath} from 'node:url';
import {killPane, screen, sendKeys, startPane, waitForScreen} from '../helpers/tmux.ts';

const run = promisify(execFile);
const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/failing-run.ts', import.meta.url));
const sentence = 'pg-node-2: порт 5432 занят другим PostgreSQL; удалите кластер из пакета.';

function workDir(t: {teardown(fn: () => void): void}): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-failure-ru-'));
	t.teardown(() => rmSync(dir, {recursive: true, force: true}));
	return dir;
}

test('plain output: the failure in Russian, the node named once, the step and the stage marked failed', async t => {
	const output = await run(process.execPath, ['--import=tsx', fixture, workDir(t), 'plain', 'ru'], {cwd: projectDir, env: {...process.env, NO_COLOR: '1'}});
	// listr2 prints failures to stderr.
	const stdout = output.stdout + output.stderr;
	const lines = stdout.split('\n');
	t.true(lines.includes(`✖ Проверка виртуальных машин [FAILED: ${sentence}]`), stdout);
	t.true(lines.includes(`✖ Шаг ports [FAILED: ${sentence}]`), 'no ✔ for a step with a failed node');
	t.false(stdout.includes('pg-node-2: pg-node-2'));
	t.false(stdout.includes('port 5432 is taken'), 'no English sentence');
});

test('run screen in a terminal: the failure dialog and the stage line in Russian, no ✔ over the failed node', async t => {
	const dir = workDir(t);
	const pane = startPane(path.join(dir, 'tmux.sock'), `cd ${projectDir} && LANG=C.UTF-8 ${process.execPath} --import=tsx ${fixture} ${dir} screen ru; echo "exit $?"; sleep 60`, {columns: 80, rows: 24});
	t.teardown(() => killPane(pane));
	const dialog = await waitForScreen(pane, /Этап остановлен: Проверка виртуальных машин/, 30_000);
	t.true(dialog.replace(/[│\s]+/g, ' ').includes(sentence), dialog);
	t.false(dialog.includes('pg-node-2: pg-node-2'));
	sendKeys(pane, 'q');
	const final = await waitForScreen(pane, /^exit 0$/m, 30_000);
	t.regex(final, /^✖ Проверка виртуальных машин {2}pg-node-1 ✔ {2}pg-node-2 ✖ {2}pg-node-3 ✔/m, screen(pane));
	t.notRegex(final, /handles still open/);
});
