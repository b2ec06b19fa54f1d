/**
 * Ink gets leaner versions of two of its imports (source/module-hooks.js): the run screen must look
 * exactly as it did, and the hooks must still fit the Ink that is installed.
 */
import test from 'ava';
import {spawnSync} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import * as original from '@alcalzone/ansi-tokenize';
import * as lean from '../../source/ui/ink-ansi.js';
import {resolve, type ResolveContext, type Resolved} from '../../source/module-hooks.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const inkBuild = path.join(projectDir, 'node_modules/ink/build');
const settings = path.join(projectDir, 'source/runtime-settings.js');

test('Ink imports one function from es-toolkit/compat and the tokenizer from its package, as the hooks expect', t => {
	const imports: string[] = [];
	for (const name of readdirSync(inkBuild, {recursive: true, encoding: 'utf8'})) {
		if (!name.endsWith('.js')) continue;
		const source = readFileSync(path.join(inkBuild, name), 'utf8');
		for (const match of source.matchAll(/^import [^;]*?from '(es-toolkit[^']*|@alcalzone\/ansi-tokenize)';/gms)) imports.push(`${name}: ${match[0].replace(/\s+/g, ' ')}`);
	}

	t.deepEqual(imports.sort(), [
		"ink.js: import { throttle } from 'es-toolkit/compat';",
		"output.js: import { styledCharsFromTokens, styledCharsToString, tokenize, } from '@alcalzone/ansi-tokenize';",
	]);
});

test('the hooks give Ink its lean imports and leave every other importer alone', async t => {
	const inkFile = pathToFileURL(path.join(inkBuild, 'output.js')).href;
	const ours = pathToFileURL(path.join(projectDir, 'source/ui/ink-ansi.js')).href;
	const asked: Array<[string, string | undefined]> = [];
	const next = (specifier: string, context: ResolveContext = {}): Resolved => {
		asked.push([specifier, context.parentURL]);
		return {url: `file:///resolved/${specifier}`};
	};

	const throttle = await resolve('es-toolkit/compat', {parentURL: inkFile}, next);
	t.true(throttle.url.startsWith('data:text/javascript,'));
	t.is(decodeURIComponent(throttle.url.slice('data:text/javascript,'.length)), 'export {default as throttle} from "file:///resolved/es-toolkit/compat/throttle";');
	t.is((await resolve('@alcalzone/ansi-tokenize', {parentURL: inkFile}, next)).url, ours);
	// ink-ansi.js gets the real tokenizer from where Ink would.
	t.is((await resolve('@alcalzone/ansi-tokenize', {parentURL: ours}, next)).url, 'file:///resolved/@alcalzone/ansi-tokenize');
	t.is(asked.at(-1)?.[1], inkFile);
	const elsewhere = pathToFileURL(path.join(projectDir, 'source/ui/run-screen.tsx')).href;
	t.is((await resolve('es-toolkit/compat', {parentURL: elsewhere}, next)).url, 'file:///resolved/es-toolkit/compat');
	t.is((await resolve('@alcalzone/ansi-tokenize', {parentURL: elsewhere}, next)).url, 'file:///resolved/@alcalzone/ansi-tokenize');
});

// Styled the way Ink styles text (chalk's SGR codes), with wide characters and unstyled runs.
const samples = [
	'',
	'plain apt line: Setting up postgresql-15 (15.14-0+deb12u1) ...',
	'\u001B[36mpg-node-1 $ apt-get install -y postgresql\u001B[39m',
	'\u001B[33m⠴ \u001B[39m\u001B[1mУстановка пакетов\u001B[22m  pg-node-1 \u001B[33m⠴\u001B[39m\u001B[2m  41s\u001B[22m',
	'\u001B[1m\u001B[2mbold and dim\u001B[22m then \u001B[31mred \u001B[1mbold red\u001B[22m\u001B[39m plain',
	'\u001B[32m✔\u001B[39m 漢字 and 😀 wide \u001B[4munder\u001B[24mline',
	'\u001B[2mdim to the end',
	'\u001B[31mred\u001B[0m reset \u001B[7minverse\u001B[27m',
];

/** A row as Ink's Output builds it: the line's cells, then blank cells to the width. */
function row(cells: ReturnType<typeof original.styledCharsFromTokens>, width: number) {
	const blanks = Array.from({length: Math.max(0, width - cells.length)}, () => ({type: 'char' as const, value: ' ', fullWidth: false, styles: []}));
	return [...cells, ...blanks];
}

test('ink-ansi.js parses lines and writes rows exactly as the original does', t => {
	for (const sample of samples) {
		t.deepEqual(lean.tokenize(sample), original.tokenize(sample), sample);
		// Twice: the second answer comes from its cache.
		for (let pass = 0; pass < 2; pass++) {
			const cells = lean.styledCharsFromTokens(lean.tokenize(sample));
			t.deepEqual(cells, original.styledCharsFromTokens(original.tokenize(sample)), sample);
			for (const width of [0, cells.length, 120]) {
				const cellsOfRow = row(cells, width);
				t.is(lean.styledCharsToString(cellsOfRow), original.styledCharsToString(cellsOfRow), `${sample} at ${width}`);
			}
		}
	}

	// Two lines in a row with different styles, as neighbouring writes leave them on one row.
	const mixed = [...lean.styledCharsFromTokens(lean.tokenize(samples[2]!)), ...lean.styledCharsFromTokens(lean.tokenize(samples[4]!)), ...lean.styledCharsFromTokens(lean.tokenize(samples[6]!))];
	t.is(lean.styledCharsToString(mixed), original.styledCharsToString(mixed));
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
