/**
 * The lab transport: sshd runs inside a network namespace of this test's own (only lo, up), and
 * pgha reaches it through `ip netns exec NS socat`, as it reaches pgha lab nodes in lab-sw.
 */
import test from 'ava';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {connect, type SshRemote} from '../../source/ssh/connection.ts';
import {SshError} from '../../source/ssh/errors.ts';
import {createNetns, ensureTestUsers, startSshd, stopSshd, type Netns, type Sshd, type TestUsers} from '../helpers/sshd.ts';

let netns: Netns | undefined;
let sshd: Sshd | undefined;
let users: TestUsers;
let dir: string;
const opened: SshRemote[] = [];

test.before(async () => {
	users = await ensureTestUsers();
	netns = await createNetns();
	sshd = await startSshd({netns: netns.name});
	dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-netns-'));
});

test.after.always(async () => {
	for (const remote of opened) remote.close();
	await stopSshd(sshd);
	await netns?.remove();
	if (dir) rmSync(dir, {recursive: true, force: true});
});

test.serial('a node inside the namespace is reached through it, with sudo and upload working', async t => {
	const remote = await connect(sshd!.node(users.pw), {
		password: users.pw.password,
		knownHostsFile: path.join(dir, 'known_hosts'),
		netns: netns!.name,
	});
	opened.push(remote);
	t.is(remote.hostKeyFingerprint, await sshd!.fingerprint());
	// The command runs in the namespace: its only interface is lo.
	const links = await remote.exec('ls /sys/class/net');
	t.is(links.stdout, 'lo\n');
	t.is((await remote.exec('id -u', {sudo: true})).stdout, '0\n');
	const file = path.join(dir, 'via-netns.conf');
	await remote.upload('через namespace\n', file, {mode: 0o644});
	t.is((await remote.exec(`cat ${file}`, {sudo: true})).stdout, 'через namespace\n');
	// Large output through the socat pipe arrives whole.
	const big = await remote.exec(`seq 1 200000 | sha256sum; seq 1 200000 | wc -l`);
	let lines = 0;
	await remote.exec('seq 1 200000', {onLine: () => lines++});
	t.is(lines, Number(big.stdout.split('\n')[1]));
});

test.serial('the same address outside the namespace has nothing listening', async t => {
	const error = await t.throwsAsync(
		connect(sshd!.node(users.pw), {password: users.pw.password, knownHostsFile: path.join(dir, 'outside')}),
		{instanceOf: SshError},
	);
	t.is(error!.kind, 'refused');
});

test.serial('refused, unreachable and a missing namespace are told apart', async t => {
	const knownHostsFile = path.join(dir, 'errors');
	const refusedNode = {...sshd!.node(users.pw), sshPort: sshd!.port + 1 > 65535 ? 1 : sshd!.port + 1};
	const refused = await t.throwsAsync(connect(refusedNode, {password: 'x', knownHostsFile, netns: netns!.name}), {
		instanceOf: SshError,
	});
	t.is(refused!.kind, 'refused');

	// The namespace has no route anywhere but lo.
	const farNode = {...sshd!.node(users.pw), name: 'pg-node-1', ip: '192.168.0.30', sshPort: 22};
	const unreachable = await t.throwsAsync(connect(farNode, {password: 'x', knownHostsFile, netns: netns!.name}), {
		instanceOf: SshError,
	});
	t.is(unreachable!.kind, 'unreachable');
	t.true(unreachable!.message.startsWith('There is no route to pg-node-1 (192.168.0.30)'));

	const missing = await t.throwsAsync(connect(sshd!.node(users.pw), {password: 'x', knownHostsFile, netns: 'pgha-t-no-such-ns'}), {
		instanceOf: SshError,
	});
	t.is(missing!.kind, 'netns');
	t.true(missing!.message.includes('"pgha-t-no-such-ns"'));
	t.true(missing!.message.includes('pgha lab up'));
});

test.serial('after sshd in the namespace restarts, exec reconnects through the namespace', async t => {
	const remote = await connect(sshd!.node(users.np), {
		password: users.np.password,
		knownHostsFile: path.join(dir, 'restart'),
		netns: netns!.name,
	});
	opened.push(remote);
	t.is((await remote.exec('echo one')).stdout, 'one\n');
	await sshd!.stop();
	await sshd!.start();
	t.is((await remote.exec('echo two')).stdout, 'two\n');
});
