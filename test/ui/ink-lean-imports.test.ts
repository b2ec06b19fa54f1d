/**
 * Ink gets a leaner version of one of its imports (source/module-hooks.js): the run screen must look
 * exactly as it did, and the hooks must still fit the Ink that is installed.
 */
import test from 'ava';
import {spawnSync} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {resolve, type Resolved} from '../../source/module-hooks.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const inkBuild = path.join(projectDir, 'node_modules/ink/build');
const settings = path.join(projectDir, 'source/runtime-settings.js');

test('Ink imports one function from es-toolkit/compat, as the hooks expect', t => {
	const imports: string[] = [];
	for (const name of readdirSync(inkBuild, {recursive: true, encoding: 'utf8'})) {
		if (!name.endsWith('.js')) continue;
		const source = readFileSync(path.join(inkBuild, name), 'utf8');
		for (const match of source.matchAll(/^import [^;]*?from '(es-toolkit[^']*)';/gms)) imports.push(`${name}: ${match[0].replace(/\s+/g, ' ')}`);
	}

	t.deepEqual(imports.sort(), [
		"ink.js: import { throttle } from 'es-toolkit/compat';",
	]);
});

test('the hooks give Ink its lean import and leave every other importer alone', async t => {
	const inkFile = pathToFileURL(path.join(inkBuild, 'ink.js')).href;
	const next = (specifier: string): Resolved => ({url: `file:///resolved/${specifier}`});

	const throttle = await resolve('es-toolkit/compat', {parentURL: inkFile}, next);
	t.true(throttle.url.startsWith('data:text/javascript,'));
	t.is(decodeURIComponent(throttle.url.slice('data:text/javascript,'.length)), 'export {default as throttle} from "file:///resolved/es-toolkit/compat/throttle";');
	const elsewhere = pathToFileURL(path.join(projectDir, 'source/ui/run-screen.tsx')).href;
	t.is((await resolve('es-toolkit/compat', {parentURL: elsewhere}, next)).url, 'file:///resolved/es-toolkit/compat');
});

test('a screen drawn through the hooks is the same as without them', t => {
	const script = `
const React = (await import('react')).default;
const {renderToString, Box, Text} = await import('ink');
const h = React.createElement;
const row = (...parts) => h(Text, {wrap: 'truncate'}, ...parts);
process.stdout.write(renderToString(h(Box, {flexDirection: 'column'},
	row(h(Text, {color: 'yellow'}, '⠴ '), h(Text, {bold: true}, 'Установка пакетов'), '  pg-node-1 ', h(Text, {color: 'green'}, '✔'), h(Text, {dimColor: true}, '  41s')),
	h(Text, {bold: true}, 'What and why: 漢字 😀'),
	h(Text, {color: 'cyan'}, 'pg-node-1 $ apt-get install -y postgresql'),
	h(Text, {wrap: 'truncate'}, '  Setting up postgresql-15 (15.14-0+deb12u1) ... ' + 'x'.repeat(200)),
	h(Box, {borderStyle: 'round', paddingX: 1}, h(Text, {color: 'red'}, 'failed: exit code 100')),
), {columns: 60}));
`;
	const draw = (args: readonly string[]) => spawnSync(process.execPath, [...args, '--input-type=module', '-e', script], {cwd: projectDir, encoding: 'utf8', env: {...process.env, FORCE_COLOR: '1'}});
	const withHooks = draw(['--import', settings]);
	const without = draw([]);
	t.is(withHooks.status, 0, withHooks.stderr);
	t.is(without.status, 0, without.stderr);
	t.true(withHooks.stdout.includes('\u001B['), 'the frame is styled');
	t.is(withHooks.stdout, without.stdout);
});
