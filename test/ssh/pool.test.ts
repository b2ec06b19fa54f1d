/** Connecting to every node at once, against real sshd servers. */
import test from 'ava';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {NodeConfig} from '../../source/core/cluster.ts';
import {closeAll, connectAll, ConnectAllError} from '../../source/ssh/pool.ts';
import {ensureTestUsers, startSshd, stopSshd, type Sshd, type TestUsers} from '../helpers/sshd.ts';

let users: TestUsers;
let first: Sshd | undefined;
let second: Sshd | undefined;
let dir: string;

test.before(async () => {
	users = await ensureTestUsers();
	[first, second] = await Promise.all([startSshd(), startSshd()]);
	dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-pool-'));
});

test.after.always(async () => {
	await stopSshd(first);
	await stopSshd(second);
	if (dir) rmSync(dir, {recursive: true, force: true});
});

function node(name: string, sshd: Sshd): NodeConfig {
	return {...sshd.node(users.np), name};
}

test.serial('connects all nodes in parallel, asks about new host keys one at a time, default known hosts beside the cluster file', async t => {
	const file = path.join(dir, 'pgha.yaml');
	let asking = 0;
	let overlap = false;
	let secondArrived: (() => void) | undefined;
	const asked: string[] = [];
	const remotes = await connectAll(
		{file, nodes: [node('pg-node-1', first!), node('pg-node-2', second!)]},
		{
			password: users.np.password,
			onNewHostKey: async (fingerprint, target) => {
				asking++;
				overlap ||= asking > 1;
				asked.push(`${target.name} ${fingerprint}`);
				if (asking > 1) secondArrived?.();
				// The first question stays open a while: without queueing, the other node's question
				// (its handshake is milliseconds behind) would arrive meanwhile.
				if (asked.length === 1) {
					await new Promise<void>(resolve => {
						secondArrived = resolve;
						setTimeout(resolve, 2000);
					});
				}
				asking--;
				return true;
			},
		},
	);
	t.teardown(() => closeAll(remotes));
	t.deepEqual([...remotes.keys()], ['pg-node-1', 'pg-node-2']);
	t.false(overlap);
	t.deepEqual(asked.sort(), [`pg-node-1 ${await first!.fingerprint()}`, `pg-node-2 ${await second!.fingerprint()}`].sort());
	t.true(existsSync(path.join(dir, '.pgha', 'known_hosts')));
	const outputs = await Promise.all([...remotes.values()].map(remote => remote.exec('echo $SSH_CONNECTION')));
	t.deepEqual(
		outputs.map(output => output.stdout.trim().split(' ')[3]),
		[String(first!.port), String(second!.port)],
	);
});

test.serial('a node that cannot be reached fails the whole set with every reason listed', async t => {
	const down = node('pg-node-3', second!);
	await second!.stop();
	t.teardown(() => second!.start());
	const error = await t.throwsAsync(
		connectAll(
			{file: path.join(dir, 'pgha.yaml'), nodes: [node('pg-node-1', first!), down]},
			{password: users.np.password},
		),
		{instanceOf: ConnectAllError},
	);
	t.deepEqual([...error!.failures.keys()], ['pg-node-3']);
	t.is(error!.failures.get('pg-node-3')!.kind, 'refused');
	t.true(error!.text.ru.includes('pg-node-3'));
	t.true(error!.message.startsWith(`pg-node-3 (127.0.0.1:${second!.port}) refused the SSH connection`));
});

test.serial('a node connected before a host-key question is kept alive while the question waits, and works after it', async t => {
	const file = path.join(mkdtempSync(path.join(dir, 'alive-')), 'pgha.yaml');
	// pg-node-1's key is known already; pg-node-2 is new, so its question comes after pg-node-1 logged in.
	closeAll(await connectAll({file, nodes: [node('pg-node-1', first!)]}, {password: users.np.password}));
	let keepalives = 0;
	let counted: (() => void) | undefined;
	const remotes = await connectAll(
		{file, nodes: [node('pg-node-1', first!), node('pg-node-2', second!)]},
		{
			password: users.np.password,
			// A short interval stands in for minutes of a student reading the fingerprint.
			keepaliveIntervalMs: 100,
			keepaliveCountMax: 3,
			debug: message => {
				if (!message.includes('keepalive@openssh.com')) return;
				keepalives++;
				if (keepalives >= 10) counted?.();
			},
			onNewHostKey: async () => {
				// More keepalive rounds than keepaliveCountMax: a connection without answers would be dead by now.
				await new Promise<void>(resolve => {
					counted = resolve;
				});
				return true;
			},
		},
	);
	t.teardown(() => closeAll(remotes));
	t.true(keepalives >= 10);
	const outputs = await Promise.all([...remotes.values()].map(remote => remote.exec('echo ok')));
	t.deepEqual(outputs.map(output => output.stdout), ['ok\n', 'ok\n']);
});
