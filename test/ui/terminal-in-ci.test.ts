/**
 * A terminal is a person's screen even where CI is set (a CI job's pseudo-terminal, the course's
 * lab machines): Ink would otherwise draw nothing until the end, and a question would never show.
 */
import test from 'ava';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {killPane, startPane, waitForScreen} from '../helpers/tmux.ts';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const settings = fileURLToPath(new URL('../../source/runtime-settings.js', import.meta.url));
// A live frame that changes 10 times a second for 4 s, then the program ends.
const counter = `
const React = (await import('react')).default;
const {render, Text} = await import('ink');
let n = 0;
const app = render(React.createElement(Text, null, 'frame ' + n));
const timer = setInterval(() => app.rerender(React.createElement(Text, null, 'frame ' + ++n)), 100);
setTimeout(() => { clearInterval(timer); app.unmount(); }, 4000);
`;

test('with CI set, a terminal still shows live frames while the program runs', async t => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-ci-tty-'));
	const pane = startPane(path.join(dir, 'tmux.sock'), `cd ${projectDir} && env CI=true ${process.execPath} --import ${settings} --input-type=module -e "${counter.replaceAll('"', '\\"').replaceAll('\n', ' ')}"; sleep 30`);
	t.teardown(() => {
		killPane(pane);
		rmSync(dir, {recursive: true, force: true});
	});
	// Ink's CI mode would print only the last frame (frame 39 or so) after 4 s.
	const shown = await waitForScreen(pane, /frame ([1-9]|1\d|2\d)\b/, 3000, 50);
	t.regex(shown, /frame \d+/);
});

test('with CI set and output to a pipe, the CI setting stays for the logs', t => {
	const result = spawnSync(process.execPath, ['--import', settings, '--input-type=module', '-e', 'process.stdout.write(String(process.env.CI))'], {
		cwd: projectDir,
		env: {...process.env, CI: 'true'},
		encoding: 'utf8',
	});
	t.is(result.stdout, 'true');
});
