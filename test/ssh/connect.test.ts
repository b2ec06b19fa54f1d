/** Connecting to a real sshd: logins, host key trust, the errors users hit, reconnecting. */
import test from 'ava';
import {mkdtempSync, readFileSync, rmSync, existsSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {connect, PASSWORD_ENV, type SshRemote} from '../../source/ssh/connection.ts';
import {SshError} from '../../source/ssh/errors.ts';
import {ensureTestUsers, startSshd, stopSshd, type Sshd, type TestUsers} from '../helpers/sshd.ts';

let users: TestUsers;
let dir: string;
const servers: Sshd[] = [];
const opened: SshRemote[] = [];

test.before(async () => {
	users = await ensureTestUsers();
	dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-connect-'));
});

test.after.always(async () => {
	for (const remote of opened) remote.close();
	for (const server of servers) await stopSshd(server);
	if (dir) rmSync(dir, {recursive: true, force: true});
});

async function server(settings?: Record<string, string>): Promise<Sshd> {
	const started = await startSshd({settings});
	servers.push(started);
	return started;
}

let fileCounter = 0;
function knownHosts(): string {
	return path.join(dir, `known_hosts-${++fileCounter}`);
}

function track(remote: SshRemote): SshRemote {
	opened.push(remote);
	return remote;
}

/** A port nothing listens on: bound, read and released. */
async function closedPort(): Promise<number> {
	return new Promise(resolve => {
		const probe = net.createServer().listen(0, '127.0.0.1', () => {
			const {port} = probe.address() as net.AddressInfo;
			probe.close(() => resolve(port));
		});
	});
}

test('password login; the first host key is trusted and recorded with its SHA256 fingerprint', async t => {
	const sshd = await server();
	const file = knownHosts();
	const offered: string[] = [];
	const remote = track(
		await connect(sshd.node(users.np), {
			password: users.np.password,
			knownHostsFile: file,
			onNewHostKey: async fingerprint => {
				offered.push(fingerprint);
				return true;
			},
		}),
	);
	const fingerprint = await sshd.fingerprint();
	t.deepEqual(offered, [fingerprint]);
	t.is(remote.hostKeyFingerprint, fingerprint);
	t.true(readFileSync(file, 'utf8').startsWith(`[127.0.0.1]:${sshd.port} ssh-ed25519 `));
	t.is((await remote.exec('whoami')).stdout, `${users.np.name}\n`);
	// The second time the key is known: nobody is asked.
	const again = track(
		await connect(sshd.node(users.np), {
			password: users.np.password,
			knownHostsFile: file,
			onNewHostKey: async () => t.fail('asked again') as never,
		}),
	);
	t.is((await again.exec('echo ok')).stdout, 'ok\n');
});

test('a declined host key stops the connection and records nothing', async t => {
	const sshd = await server();
	const file = knownHosts();
	const error = await t.throwsAsync(
		connect(sshd.node(users.np), {password: users.np.password, knownHostsFile: file, onNewHostKey: async () => false}),
		{instanceOf: SshError},
	);
	t.is(error!.kind, 'host-key-rejected');
	t.true(error!.message.includes(await sshd.fingerprint()));
	t.false(existsSync(file));
});

test('a changed host key is detected and both fingerprints are shown', async t => {
	const sshd = await server();
	const file = knownHosts();
	track(await connect(sshd.node(users.np), {password: users.np.password, knownHostsFile: file})).close();
	const before = await sshd.fingerprint();
	const recorded = readFileSync(file, 'utf8');
	await sshd.rotateHostKey();
	const after = await sshd.fingerprint();
	t.not(before, after);
	const error = await t.throwsAsync(connect(sshd.node(users.np), {password: users.np.password, knownHostsFile: file}), {
		instanceOf: SshError,
	});
	t.is(error!.kind, 'host-key-changed');
	t.is(
		error!.message,
		`The host key of test-node (127.0.0.1:${sshd.port}) has changed: pgha knows ${before}, the server now shows ${after}; if you reinstalled this VM, delete its line from ${file}, otherwise someone may be intercepting the connection, so do not continue.`,
	);
	t.true(error!.text.ru.includes(before) && error!.text.ru.includes(after));
	t.is(readFileSync(file, 'utf8'), recorded);
	t.false(error!.transient);
});

test('a wrong SSH password is a clear error naming the node and the user', async t => {
	const sshd = await server();
	const error = await t.throwsAsync(connect(sshd.node(users.np), {password: 'wrong-password', knownHostsFile: knownHosts()}), {
		instanceOf: SshError,
	});
	t.is(error!.kind, 'auth');
	t.is(
		error!.message,
		`test-node (127.0.0.1:${sshd.port}) rejected the login of user "${users.np.name}": the password or key is wrong, or the user does not exist; check the user name in the cluster file and the password.`,
	);
	t.true(error!.text.ru.includes(`не пустил пользователя «${users.np.name}»`));
});

test('keyboard-interactive login (password logins switched off, as some VMs have it)', async t => {
	const sshd = await server({PasswordAuthentication: 'no'});
	const remote = track(await connect(sshd.node(users.pw), {password: users.pw.password, knownHostsFile: knownHosts()}));
	t.is((await remote.exec('whoami')).stdout, `${users.pw.name}\n`);
	const error = await t.throwsAsync(connect(sshd.node(users.pw), {password: 'wrong', knownHostsFile: knownHosts()}), {
		instanceOf: SshError,
	});
	t.is(error!.kind, 'auth');
});

test('key file login, and a missing key file is a clear error', async t => {
	const sshd = await server();
	const remote = track(
		await connect(sshd.node(users.np, {kind: 'key', keyFile: users.keyFile}), {knownHostsFile: knownHosts()}),
	);
	t.is((await remote.exec('whoami')).stdout, `${users.np.name}\n`);
	const missing = path.join(dir, 'no-such-key');
	const error = await t.throwsAsync(
		connect(sshd.node(users.np, {kind: 'key', keyFile: missing}), {knownHostsFile: knownHosts()}),
		{instanceOf: SshError},
	);
	t.is(error!.kind, 'key-file');
	t.true(error!.message.includes(missing));
});

test('the password can come from PGHA_SSH_PASSWORD', async t => {
	const sshd = await server();
	const saved = process.env[PASSWORD_ENV];
	process.env[PASSWORD_ENV] = users.np.password;
	t.teardown(() => {
		if (saved === undefined) delete process.env[PASSWORD_ENV];
		else process.env[PASSWORD_ENV] = saved;
	});
	const remote = track(await connect(sshd.node(users.np), {knownHostsFile: knownHosts()}));
	t.is((await remote.exec('whoami')).stdout, `${users.np.name}\n`);
});

test('connection refused names the node and the SSH server stage', async t => {
	const port = await closedPort();
	const node = {name: 'pg-node-9', ip: '127.0.0.1', sshPort: port, sshUser: users.np.name, auth: {kind: 'password'}} as const;
	const error = await t.throwsAsync(connect(node, {password: 'x', knownHostsFile: knownHosts()}), {instanceOf: SshError});
	t.is(error!.kind, 'refused');
	t.true(error!.transient);
	t.true(error!.message.startsWith(`pg-node-9 (127.0.0.1:${port}) refused the SSH connection`));
	t.true(error!.message.includes('sudo apt install openssh-server'));
	t.true(error!.text.ru.includes('этап «SSH-сервер»'));
});

test('a server that never answers is a timeout naming the node', async t => {
	// Accepts TCP and then says nothing, like a half-dead VM.
	const sockets = new Set<net.Socket>();
	const silent = net.createServer(socket => {
		sockets.add(socket);
		socket.on('error', () => undefined);
		socket.resume();
	});
	await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
	t.teardown(() => {
		for (const socket of sockets) socket.destroy();
		silent.close();
	});
	const {port} = silent.address() as net.AddressInfo;
	const node = {name: 'pg-node-8', ip: '127.0.0.1', sshPort: port, sshUser: 'nobody', auth: {kind: 'password'}} as const;
	const error = await t.throwsAsync(connect(node, {password: 'x', knownHostsFile: knownHosts(), connectTimeoutMs: 1000}), {
		instanceOf: SshError,
	});
	t.is(error!.kind, 'timeout');
	t.true(error!.message.startsWith(`pg-node-8 (127.0.0.1:${port}) did not answer within 1 s`));
});

test('after sshd restarts, exec reconnects once by itself and a new connect works', async t => {
	const sshd = await server();
	const file = knownHosts();
	const remote = track(await connect(sshd.node(users.np), {password: users.np.password, knownHostsFile: file}));
	const firstPid = (await remote.exec('echo $PPID')).stdout;
	await sshd.stop();
	// While sshd is down the reconnect attempt fails with the translated error.
	const down = await t.throwsAsync(remote.exec('echo hi'), {instanceOf: SshError});
	t.is(down!.kind, 'refused');
	t.false(remote.connected);
	await sshd.start();
	t.is((await remote.exec('echo back')).stdout, 'back\n');
	t.true(remote.connected);
	t.not((await remote.exec('echo $PPID')).stdout, firstPid);
	const fresh = track(await connect(sshd.node(users.np), {password: users.np.password, knownHostsFile: file}));
	t.is((await fresh.exec('echo fresh')).stdout, 'fresh\n');
});

test('a connection lost while a command runs is an error, not a silent re-run', async t => {
	const sshd = await server();
	const remote = track(await connect(sshd.node(users.np), {password: users.np.password, knownHostsFile: knownHosts()}));
	const running = remote.exec('echo started; sleep 30; echo done', {
		onLine: line => {
			if (line === 'started') void sshd.stop();
		},
	});
	const error = await t.throwsAsync(running, {instanceOf: SshError});
	t.is(error!.kind, 'connection-lost');
	t.true(error!.transient);
	await sshd.start();
});

test('close() ends the connection for good', async t => {
	const sshd = await server();
	const remote = await connect(sshd.node(users.np), {password: users.np.password, knownHostsFile: knownHosts()});
	remote.close();
	await t.throwsAsync(remote.exec('true'), {message: /closed by pgha/});
});

test('a host-key question answered after the server gave up waiting for a login still connects', async t => {
	// sshd drops a connection that has not logged in within LoginGraceTime (2 minutes by default);
	// here 3 s (a PAM password login on a busy machine takes about one), and the answer comes only after
	// the server has dropped an idle probe connection for it.
	const sshd = await server({LoginGraceTime: '3'});
	const file = knownHosts();
	const remote = track(
		await connect(sshd.node(users.np), {
			password: users.np.password,
			knownHostsFile: file,
			onNewHostKey: async () => {
				await outlastLoginGrace(sshd);
				return true;
			},
		}),
	);
	t.is((await remote.exec('echo ok')).stdout, 'ok\n');
});

test('while a host-key question waits, no half-open connection is left to the node', async t => {
	const sshd = await server();
	const file = knownHosts();
	let open = -1;
	const remote = track(
		await connect(sshd.node(users.np), {
			password: users.np.password,
			knownHostsFile: file,
			onNewHostKey: async () => {
				open = await sshdSessions(sshd);
				return true;
			},
		}),
	);
	t.is(open, 0, 'no sshd child serves a connection while the student decides');
	t.true(remote.connected);
});

/** Established TCP connections from this machine to the server's port (client side, /proc/net/tcp). */
async function sshdSessions(sshd: Sshd): Promise<number> {
	const port = sshd.port.toString(16).toUpperCase().padStart(4, '0');
	const rows = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1);
	return rows.filter(row => {
		const [, , remote = '', state = ''] = row.trim().split(/\s+/);
		return remote.endsWith(`:${port}`) && state === '01';
	}).length;
}

/** Opens a raw TCP connection that never logs in and waits until sshd closes it: LoginGraceTime has passed. */
async function outlastLoginGrace(sshd: Sshd): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		const socket = net.connect(sshd.port, sshd.host);
		socket.on('data', () => undefined);
		socket.on('error', () => resolve());
		socket.on('close', () => resolve());
		socket.setTimeout(30_000, () => reject(new Error('sshd kept an idle connection past LoginGraceTime')));
	});
}
