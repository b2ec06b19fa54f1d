/** Issue 12, item 4: a secrets file lost after the build is a stop with an explanation, never new passwords. */
import test from 'ava';
import {existsSync, mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {ConfigError} from '../../source/config/errors.ts';
import {guardSecrets} from '../../source/config/secrets-guard.ts';
import {secretKeys} from '../../source/config/secrets.ts';
import {emptyState, type StateData} from '../../source/engine/state.ts';

const full = secretKeys.map(([key], index) => `${key}: Abcdefgh${index}Ijklmnop${index}Qrstuv`).join('\n') + '\n';

function built(): StateData {
	const state = emptyState();
	state.stages.user = {nodes: {'pg-node-1': {status: 'done', fingerprint: 'f', runId: 'r', startedAt: 't'}}};
	return state;
}

/** The guard's sentence (English) for this secrets file content (undefined: no file), or undefined when it lets the run go on. */
async function guard(content: string | undefined, state: StateData): Promise<string | undefined> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-guard-'));
	const file = path.join(dir, 'pgha.secrets.yaml');
	if (content !== undefined) writeFileSync(file, content);
	try {
		await guardSecrets(file, path.join(dir, '.pgha', 'state.json'), state, ['user', 'patroni']);
		return undefined;
	} catch (error) {
		if (!(error instanceof ConfigError)) throw error;
		return error.issues[0]!.text.en;
	} finally {
		// The guard only reads: a missing file stays missing.
		if (content === undefined && existsSync(file)) throw new Error('the guard created the secrets file');
	}
}

test('after the build: empty, missing or cut short is a stop that says how to recover', async t => {
	t.regex((await guard('', built()))!, /^is empty, but .*state\.json records a cluster built .* Restore the file from a backup\./);
	t.regex((await guard('# only the comment\n', built()))!, /^is empty/);
	t.regex((await guard(undefined, built()))!, /^does not exist, but/);
	t.regex((await guard(full.slice(0, full.indexOf('\n', 40)), built()))!, /^is cut short/);
});

test('after the build: a deleted line is still the documented way to get a new password', async t => {
	t.is(await guard(full.split('\n').slice(1).join('\n'), built()), undefined);
	t.is(await guard(full, built()), undefined);
});

test('before the build: an empty or missing file is simply made anew', async t => {
	t.is(await guard('', emptyState()), undefined);
	t.is(await guard(undefined, emptyState()), undefined);
});

test('in any case: a file that is not UTF-8 text is refused with what to do', async t => {
	const error = await guard('\uFFFE', emptyState());
	t.is(error, undefined, 'a lone BOM-like character is still UTF-8 text');
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-guard-'));
	const file = path.join(dir, 'pgha.secrets.yaml');
	writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(full, 'utf16le')]));
	const refused = await t.throwsAsync(guardSecrets(file, path.join(dir, 'state.json'), emptyState(), ['user']), {instanceOf: ConfigError});
	t.is(refused.issues[0]!.text.en, 'is saved as UTF-16 (Notepad\'s "Unicode"); save it as UTF-8');
});
