import test from 'ava';
import {mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {rememberedLang, rememberLang} from '../../source/config/remembered-lang.ts';
import {commonOptions} from '../../source/app/with-session.ts';
import type {ParsedArgs} from '../../source/cli-args.ts';

function args(flags: Array<[string, string]>): ParsedArgs {
	return {command: 'status', positionals: [], flags: new Map(flags), rest: []};
}

function folder(): {dir: string; file: string; done: () => void} {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-lang-'));
	return {dir, file: path.join(dir, 'pgha.yaml'), done: () => rmSync(dir, {recursive: true, force: true})};
}

test('the language chosen in the wizard is what later commands speak, unless --lang says otherwise', async t => {
	const {dir, file, done} = folder();
	t.teardown(done);
	t.is(rememberedLang(file), undefined);
	await rememberLang(file, 'ru');
	t.is(rememberedLang(file), 'ru');
	t.is(statSync(path.join(dir, '.pgha', 'lang')).mode & 0o777, 0o600);
	t.is(commonOptions(args([['config', file]])).lang, 'ru');
	t.is(commonOptions(args([['config', file], ['lang', 'en']])).lang, 'en');
});

test('a damaged language file is ignored, not an error', t => {
	const {dir, file, done} = folder();
	t.teardown(done);
	mkdirSync(path.join(dir, '.pgha'));
	writeFileSync(path.join(dir, '.pgha', 'lang'), 'klingon\n');
	t.is(rememberedLang(file), undefined);
});
