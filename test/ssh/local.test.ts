/** The host executor: the same exec contract as over SSH, on this machine. */
import test from 'ava';
import {randomBytes} from 'node:crypto';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {CommandError, SshError} from '../../source/ssh/errors.ts';
import {localRemote} from '../../source/ssh/local.ts';
import {ensureTestUsers, pgrep, statFile} from '../helpers/sshd.ts';

const host = localRemote();

test('lines stream as they arrive; output and exit code come back', async t => {
	const lines: Array<[string, string]> = [];
	const result = await host.exec(`printf 'a\\nжёлтый\\n'; echo err >&2; printf tail`, {
		onLine: (line, stream) => lines.push([stream, line]),
	});
	t.deepEqual(
		lines.filter(([stream]) => stream === 'stdout'),
		[
			['stdout', 'a'],
			['stdout', 'жёлтый'],
			['stdout', 'tail'],
		],
	);
	t.deepEqual(result, {code: 0, signal: undefined, stdout: 'a\nжёлтый\ntail', stderr: 'err\n'});
});

test('non-zero exits throw a CommandError naming the host; signals are reported', async t => {
	const error = await t.throwsAsync(host.exec('echo bad >&2; exit 4'), {instanceOf: CommandError});
	t.is(error!.code, 4);
	t.true(error!.message.startsWith('On host the command "echo bad >&2; exit 4" failed with exit code 4: bad'));
	t.is((await host.exec('exit 4', {allowFailure: true})).code, 4);
	const killed = await host.exec('kill -9 $$', {allowFailure: true});
	t.is(killed.signal, 'SIGKILL');
	t.is(killed.code, 137);
	t.is((await host.exec('cat', {stdin: 'in\n'})).stdout, 'in\n');
});

test('cancel and timeout stop the whole process tree', async t => {
	const seconds = `${400 + (randomBytes(1)[0]! % 100)}.${randomBytes(3).readUIntBE(0, 3)}`;
	const controller = new AbortController();
	const running = host.exec(`echo started; sleep ${seconds} | cat`, {
		signal: controller.signal,
		onLine: line => line === 'started' && controller.abort(),
	});
	await t.throwsAsync(running, {name: 'AbortError'});
	t.deepEqual(await pgrep(`sleep ${seconds}`), []);
	const timeout = await t.throwsAsync(host.exec(`sleep ${seconds}`, {timeoutMs: 300}), {instanceOf: SshError});
	t.is(timeout!.kind, 'command-timeout');
	t.deepEqual(await pgrep(`sleep ${seconds}`), []);
});

test('upload writes atomically with the mode, and with owner and group through install', async t => {
	const users = await ensureTestUsers();
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-local-'));
	t.teardown(() => rmSync(dir, {recursive: true, force: true}));
	const file = path.join(dir, 'config');
	writeFileSync(file, 'old');
	await host.upload('новое\n', file, {mode: 0o600});
	t.is(readFileSync(file, 'utf8'), 'новое\n');
	t.is(statFile(file).mode, 0o600);
	await host.upload(Buffer.from('owned\n'), file, {mode: 0o640, owner: users.np.name, group: users.np.name});
	t.is(readFileSync(file, 'utf8'), 'owned\n');
	const stat = statFile(file);
	t.is(stat.mode, 0o640);
	t.not(stat.uid, 0);
	t.is((await host.exec(`stat -c %U ${file}`)).stdout, `${users.np.name}\n`);
});

test('asUser runs the command as that user', async t => {
	const users = await ensureTestUsers();
	t.is((await host.exec('id -un', {asUser: users.np.name})).stdout, `${users.np.name}\n`);
});
