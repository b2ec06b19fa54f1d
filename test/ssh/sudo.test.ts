/** sudo and upload against a real sshd and the real sudo, with the three kinds of test users. */
import test from 'ava';
import {randomBytes} from 'node:crypto';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {connect, type ConnectOptions, type SshRemote} from '../../source/ssh/connection.ts';
import {CommandError, SshError} from '../../source/ssh/errors.ts';
import type {NodeConfig} from '../../source/core/cluster.ts';
import {ensureTestUsers, pgrep, startSshd, statFile, stopSshd, type Sshd, type TestUsers} from '../helpers/sshd.ts';

let sshd: Sshd | undefined;
let users: TestUsers;
let dir: string;
const opened: SshRemote[] = [];

test.before(async () => {
	users = await ensureTestUsers();
	sshd = await startSshd();
	dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-sudo-'));
});

test.after.always(async () => {
	for (const remote of opened) remote.close();
	await stopSshd(sshd);
	if (dir) rmSync(dir, {recursive: true, force: true});
});

async function open(node: NodeConfig, options: Partial<ConnectOptions> = {}): Promise<SshRemote> {
	const remote = await connect(node, {knownHostsFile: path.join(dir, 'known_hosts'), ...options});
	opened.push(remote);
	return remote;
}

function uid(name: string): number {
	const line = readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find(entry => entry.startsWith(`${name}:`));
	return Number(line!.split(':')[2]);
}

/** Upload temp files of a user still in /tmp. */
function leftoverTemps(user: string): string[] {
	return readdirSync('/tmp').filter(name => {
		try {
			return name.startsWith('pgha-upload-') && statFile(`/tmp/${name}`).uid === uid(user);
		} catch {
			return false;
		}
	});
}

test('sudo with a password: root, with pipes and redirections running as root too', async t => {
	const remote = await open(sshd!.node(users.pw), {password: users.pw.password});
	t.is(await remote.sudoMode(), 'password');
	const file = `/root/pgha-t-${randomBytes(4).toString('hex')}`;
	t.teardown(() => rmSync(file, {force: true}));
	const result = await remote.exec(`id -un; echo written > ${file} && cat ${file} | tr a-z A-Z`, {sudo: true});
	t.is(result.stdout, 'root\nWRITTEN\n');
	t.is(result.stderr, '');
	t.is(statFile(file).uid, 0);
	// Extra stdin comes after the password line, which sudo consumed.
	t.is((await remote.exec('cat', {sudo: true, stdin: 'payload\n'})).stdout, 'payload\n');
});

test('sudo without a password (NOPASSWD) and sudo -u another user', async t => {
	const remote = await open(sshd!.node(users.np), {password: users.np.password});
	t.is(await remote.sudoMode(), 'nopasswd');
	t.is((await remote.exec('id -u', {sudo: true})).stdout, '0\n');
	t.is((await remote.exec('id -un; echo "$HOME"', {asUser: users.pw.name})).stdout, `${users.pw.name}\n/home/${users.pw.name}\n`);
	t.is((await remote.exec('cat', {sudo: true, stdin: 'no password line here\n'})).stdout, 'no password line here\n');
});

test('sudo -u with a password', async t => {
	const remote = await open(sshd!.node(users.pw), {password: users.pw.password});
	t.is((await remote.exec('id -un', {asUser: users.np.name})).stdout, `${users.np.name}\n`);
});

test('the sudo password appears neither in any process command line nor in the sshd log', async t => {
	const remote = await open(sshd!.node(users.pw), {password: users.pw.password});
	// While sudo and the command run, list every process's arguments on the machine.
	const {stdout} = await remote.exec('ps -eo args', {sudo: true});
	t.true(stdout.includes('ps -eo args'));
	t.false(stdout.includes(users.pw.password));
	t.false(sshd!.log().includes(users.pw.password));
});

test('a wrong sudo password is a clear error', async t => {
	const remote = await open(sshd!.node(users.pw), {password: users.pw.password, sudoPassword: 'not-the-password'});
	t.is((await remote.exec('echo plain')).stdout, 'plain\n');
	const error = await t.throwsAsync(remote.exec('id', {sudo: true}), {instanceOf: SshError});
	t.is(error!.kind, 'sudo-password');
	t.is(
		error!.message,
		`sudo on test-node rejected the password of user "${users.pw.name}"; enter that user's own login password (the one you type in the VM's console).`,
	);
	t.true(error!.text.ru.startsWith('sudo на test-node не принял пароль'));
	// Asking again gives the same answer, without running anything.
	const again = await t.throwsAsync(remote.exec('id', {sudo: true}), {instanceOf: SshError});
	t.is(again!.kind, 'sudo-password');
	// The user types it again, right this time.
	remote.setSudoPassword(users.pw.password);
	t.is((await remote.exec('id -u', {sudo: true})).stdout, '0\n');
});

test('a user not in sudoers gets a clear error naming the fix', async t => {
	const remote = await open(sshd!.node(users.nosudo), {password: users.nosudo.password});
	const error = await t.throwsAsync(remote.exec('id', {sudo: true}), {instanceOf: SshError});
	t.is(error!.kind, 'sudo-denied');
	t.true(error!.message.includes(`sudo usermod -aG sudo ${users.nosudo.name}`), error!.message);
	t.true(error!.message.includes('test-node'));
});

test('sudo asking for a password when pgha has none (key login) is a clear error', async t => {
	const remote = await open(sshd!.node(users.pw, {kind: 'key', keyFile: users.keyFile}), {password: undefined});
	t.is((await remote.exec('whoami')).stdout, `${users.pw.name}\n`);
	const error = await t.throwsAsync(remote.exec('id', {sudo: true}), {instanceOf: SshError});
	t.is(error!.kind, 'sudo-password-needed');
	t.true(error!.message.includes('PGHA_SSH_PASSWORD'));
});

test('a failing command under sudo is a CommandError with its own stderr, not a sudo error', async t => {
	const remote = await open(sshd!.node(users.pw), {password: users.pw.password});
	const error = await t.throwsAsync(remote.exec('ls /nonexistent-pgha-dir', {sudo: true}), {instanceOf: CommandError});
	t.is(error!.code, 2);
	t.regex(error!.stderr, /No such file or directory/);
	t.false(error!.stderr.includes(users.pw.password));
});

test('upload writes content with mode, owner and group, through a private temp file', async t => {
	const remote = await open(sshd!.node(users.pw), {password: users.pw.password});
	const target = path.join(dir, `up-${randomBytes(3).toString('hex')}`);
	mkdirSync(target, {recursive: true});
	const file = path.join(target, 'patroni.yml');
	const content = 'scope: demo\nпароль: секрет\n';
	await remote.upload(content, file, {mode: 0o640, owner: users.np.name, group: users.np.name});
	t.is(readFileSync(file, 'utf8'), content);
	t.deepEqual(statFile(file), {mode: 0o640, uid: uid(users.np.name), gid: uid(users.np.name)});
	// Replacing keeps it atomic and leaves nothing behind: no staged file, no temp file in /tmp.
	await remote.upload(Buffer.from('v2\n'), file, {mode: 0o600});
	t.is(readFileSync(file, 'utf8'), 'v2\n');
	t.deepEqual(statFile(file), {mode: 0o600, uid: 0, gid: 0});
	t.deepEqual(readdirSync(target), ['patroni.yml']);
	t.deepEqual(leftoverTemps(users.pw.name), []);
});

test('upload to a missing owner fails clearly and cleans up its temp file', async t => {
	const remote = await open(sshd!.node(users.np), {password: users.np.password});
	const file = path.join(dir, `bad-owner-${randomBytes(3).toString('hex')}`);
	const error = await t.throwsAsync(remote.upload('x', file, {mode: 0o644, owner: 'no-such-user-pgha'}), {instanceOf: CommandError});
	t.regex(error!.stderr, /invalid user/);
	t.false(existsSync(file));
	t.deepEqual(leftoverTemps(users.np.name), []);
});

test('cancelling a command running as root through sudo stops its root processes too', async t => {
	const remote = await open(sshd!.node(users.pw), {password: users.pw.password});
	const seconds = `${700 + (randomBytes(1)[0]! % 100)}.${randomBytes(3).readUIntBE(0, 3)}`;
	const controller = new AbortController();
	const running = remote.exec(`echo started; sleep ${seconds}; echo never`, {
		sudo: true,
		signal: controller.signal,
		onLine: line => line === 'started' && controller.abort(),
	});
	await t.throwsAsync(running, {name: 'AbortError'});
	t.deepEqual(await pgrep(`sleep ${seconds}`), []);
});
