/**
 * A real OpenSSH server for the SSH layer's tests: own host keys, own sshd_config, 127.0.0.1 on a
 * free high port (optionally inside a network namespace of our own), started and stopped by the tests.
 * Needs root and the Debian packages openssh-server, sudo and socat (.ci/run installs them).
 */
import {spawn, execFile, type ChildProcess} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, statSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import type {NodeConfig} from '../../source/core/cluster.ts';

const run = promisify(execFile);

export const SSHD_BINARY = '/usr/sbin/sshd';

export interface TestUser {
	readonly name: string;
	readonly password: string;
}

export interface TestUsers {
	/** sudo asks for the password. */
	readonly pw: TestUser;
	/** sudo without a password (NOPASSWD). */
	readonly np: TestUser;
	/** Not in sudoers at all. */
	readonly nosudo: TestUser;
	/** Private key (OpenSSH format, no passphrase) accepted for `np` and `pw`. */
	readonly keyFile: string;
}

/** Apt-installs what the tests need when this machine lacks it (CI installs it up front). */
export async function ensureTools(): Promise<void> {
	const missing: string[] = [];
	if (!existsSync(SSHD_BINARY)) missing.push('openssh-server');
	if (!existsSync('/usr/bin/sudo')) missing.push('sudo');
	if (!existsSync('/usr/bin/socat')) missing.push('socat');
	if (!existsSync('/usr/bin/pgrep')) missing.push('procps');
	if (missing.length === 0) return;
	await withLock('apt', async () => {
		const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'};
		await run('apt-get', ['update', '-qq'], {env});
		await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {env});
	});
}

const stateDir = '/tmp/pgha-test-ssh';

/** pid:start-time of a process; field 22 of /proc/PID/stat, so a recycled pid is not the same process. */
function processId(pid: number): string {
	let started = '';
	try {
		started = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19] ?? '';
	} catch {}
	return `${pid}:${started}`;
}

/**
 * The ava run this test file belongs to (ava forks one process per file; the parent is ava itself).
 * Passwords are random per run and shared by the files of one run, which run in parallel.
 */
function runId(): string {
	return processId(process.ppid);
}

/** Whether the run that set the current passwords is still going (then they must not change under it). */
function runAlive(id: string): boolean {
	const pid = Number(id.split(':')[0]);
	return pid > 0 && processId(pid) === id;
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** A mkdir lock shared by the test processes of this machine; bounded wait, stale locks are taken over. */
async function withLock<T>(name: string, body: () => Promise<T>): Promise<T> {
	mkdirSync(stateDir, {recursive: true, mode: 0o700});
	const lock = path.join(stateDir, `${name}.lock`);
	for (let attempt = 0; ; attempt++) {
		try {
			mkdirSync(lock);
			writeFileSync(path.join(lock, 'pid'), String(process.pid));
			break;
		} catch {
			let owner = 0;
			try {
				owner = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
			} catch {}
			if (owner > 0 && !alive(owner)) rmSync(lock, {recursive: true, force: true});
			if (attempt > 3000) throw new Error(`lock ${lock} held by ${owner} for too long`);
			await new Promise(resolve => setTimeout(resolve, 100));
		}
	}
	try {
		return await body();
	} finally {
		rmSync(lock, {recursive: true, force: true});
	}
}

function newPassword(tricky: boolean): string {
	const base = randomBytes(15).toString('base64url');
	// Quotes, a dollar, a backslash, a space and Cyrillic: proves the password never passes through a shell.
	return tricky ? `${base}'$" \\ж` : base;
}

async function userExists(name: string): Promise<boolean> {
	try {
		await run('id', ['-u', name]);
		return true;
	} catch {
		return false;
	}
}

async function chpasswd(lines: string): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		const child = spawn('chpasswd', [], {stdio: ['pipe', 'ignore', 'pipe']});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.on('error', reject);
		child.on('close', code => (code === 0 ? resolve() : reject(new Error(`chpasswd failed: ${stderr}`))));
		child.stdin.end(lines);
	});
}

/**
 * Creates the test users idempotently (as root) and gives them fresh passwords once per ava run;
 * a run started while another is still going shares that run's passwords.
 */
export async function ensureTestUsers(): Promise<TestUsers> {
	await ensureTools();
	return withLock('users', async () => {
		const file = path.join(stateDir, 'users.json');
		const id = runId();
		if (existsSync(file)) {
			const saved = JSON.parse(readFileSync(file, 'utf8')) as {run: string; users: TestUsers};
			if ((saved.run === id || runAlive(saved.run)) && existsSync(saved.users.keyFile)) return saved.users;
		}
		const users: TestUsers = {
			pw: {name: 'pgha-t-pw', password: newPassword(true)},
			np: {name: 'pgha-t-np', password: newPassword(false)},
			nosudo: {name: 'pgha-t-nosudo', password: newPassword(false)},
			keyFile: path.join(stateDir, 'id_ed25519'),
		};
		for (const user of [users.pw, users.np, users.nosudo]) {
			if (!(await userExists(user.name))) await run('useradd', ['-m', '-s', '/bin/bash', user.name]);
		}
		await chpasswd([users.pw, users.np, users.nosudo].map(u => `${u.name}:${u.password}\n`).join(''));
		const sudoers = [
			`Defaults:${users.pw.name} lecture=never`,
			`${users.pw.name} ALL=(ALL:ALL) ALL`,
			`${users.np.name} ALL=(ALL:ALL) NOPASSWD: ALL`,
			'',
		].join('\n');
		writeFileSync('/etc/sudoers.d/pgha-test', sudoers, {mode: 0o440});
		await run('visudo', ['-c', '-q', '-f', '/etc/sudoers.d/pgha-test']);

		rmSync(users.keyFile, {force: true});
		rmSync(`${users.keyFile}.pub`, {force: true});
		await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pgha-test', '-f', users.keyFile]);
		for (const user of [users.np, users.pw]) {
			const home = `/home/${user.name}`;
			mkdirSync(`${home}/.ssh`, {recursive: true, mode: 0o700});
			writeFileSync(`${home}/.ssh/authorized_keys`, readFileSync(`${users.keyFile}.pub`), {mode: 0o600});
			await run('chown', ['-R', `${user.name}:${user.name}`, `${home}/.ssh`]);
		}

		writeFileSync(file, JSON.stringify({run: id, users}), {mode: 0o600});
		return users;
	});
}

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

export interface SshdOptions {
	/** Run sshd inside this network namespace (it must exist, with lo up). */
	readonly netns?: string;
	/** sshd_config settings that replace the defaults below (e.g. PasswordAuthentication: 'no'). */
	readonly settings?: Readonly<Record<string, string>>;
}

export interface Sshd {
	readonly host: string;
	readonly port: number;
	readonly netns?: string;
	/** SHA256 fingerprint of the current host key, as `ssh-keygen -l` prints it. */
	fingerprint(): Promise<string>;
	/** Stops the listener and every connection it accepted (like a node rebooting). */
	stop(): Promise<void>;
	start(): Promise<void>;
	/** A new host key, then a restart: what a reinstalled VM looks like. */
	rotateHostKey(): Promise<void>;
	/** The node entry for a test user on this server. */
	node(user: TestUser | string, auth?: NodeConfig['auth']): NodeConfig;
	/** sshd's log lines so far (for failure messages). */
	log(): string;
	/** Stops sshd and deletes its temp dir. */
	dispose(): Promise<void>;
}

/** Starts sshd -D on 127.0.0.1 with a fresh host key in a temp dir; call stop() in test.after.always. */
export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
	await ensureTools();
	mkdirSync('/run/sshd', {recursive: true, mode: 0o755});
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-sshd-'));
	chmodSync(dir, 0o755);
	const hostKey = path.join(dir, 'host_ed25519');
	const config = path.join(dir, 'sshd_config');

	async function newHostKey(): Promise<void> {
		rmSync(hostKey, {force: true});
		rmSync(`${hostKey}.pub`, {force: true});
		await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pgha-test-host', '-f', hostKey]);
	}
	await newHostKey();
	const settings: Record<string, string> = {
		ListenAddress: '127.0.0.1',
		HostKey: hostKey,
		PidFile: path.join(dir, 'sshd.pid'),
		UsePAM: 'yes',
		PasswordAuthentication: 'yes',
		KbdInteractiveAuthentication: 'yes',
		PubkeyAuthentication: 'yes',
		AuthorizedKeysFile: '.ssh/authorized_keys',
		PermitRootLogin: 'no',
		AllowUsers: 'pgha-t-*',
		Subsystem: 'sftp internal-sftp',
		MaxStartups: '100',
		// OpenSSH's default, on purpose: pgha must live with 10 sessions per connection.
		MaxSessions: '10',
		LogLevel: 'VERBOSE',
		PrintMotd: 'no',
		...options.settings,
	};
	writeFileSync(config, `${Object.entries(settings).map(([key, value]) => `${key} ${value}`).join('\n')}\n`);

	let port = 0;
	let child: ChildProcess | undefined;
	let logText = '';

	async function launch(): Promise<void> {
		const argv = [SSHD_BINARY, '-D', '-e', '-f', config, '-p', String(port)];
		const command = options.netns ? ['ip', 'netns', 'exec', options.netns, ...argv] : argv;
		const proc = spawn(command[0]!, command.slice(1), {stdio: ['ignore', 'ignore', 'pipe']});
		child = proc;
		await new Promise<void>((resolve, reject) => {
			let ready = false;
			const timer = setTimeout(() => {
				proc.kill('SIGKILL');
				reject(new Error(`sshd did not start within 30 s:\n${logText}`));
			}, 30_000);
			proc.stderr!.setEncoding('utf8');
			proc.stderr!.on('data', (chunk: string) => {
				logText += chunk;
				if (!ready && /Server listening on 127\.0\.0\.1 port/.test(logText)) {
					ready = true;
					clearTimeout(timer);
					resolve();
				}
			});
			proc.on('exit', code => {
				if (child === proc) child = undefined;
				if (!ready) {
					clearTimeout(timer);
					reject(new Error(`sshd exited with ${code}:\n${logText}`));
				}
			});
		});
	}

	async function start(): Promise<void> {
		if (child) return;
		const pinned = port !== 0;
		for (let attempt = 0; ; attempt++) {
			if (!pinned) port = await freePort();
			try {
				await launch();
				return;
			} catch (error) {
				// Another process may take the port between probing and binding; only then try again.
				if (pinned || attempt >= 4 || !/Address already in use/.test(String(error))) throw error;
			}
		}
	}

	async function stop(): Promise<void> {
		const proc = child;
		if (!proc?.pid) return;
		// Connection handlers, their privilege-separated children and the sessions' commands are
		// descendants of the listener in their own sessions: end them all, as a reboot would.
		const descendants: number[] = [];
		const queue = [proc.pid];
		while (queue.length > 0 && descendants.length < 10_000) {
			const parent = queue.shift()!;
			try {
				const {stdout} = await run('pgrep', ['-P', String(parent)]);
				const found = stdout.split('\n').filter(Boolean).map(Number);
				descendants.push(...found);
				queue.push(...found);
			} catch {}
		}
		const exited = new Promise<void>(resolve => proc.once('exit', () => resolve()));
		proc.kill('SIGTERM');
		for (const pid of descendants) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {}
		}
		await exited;
		child = undefined;
	}

	await start();

	return {
		host: '127.0.0.1',
		get port() {
			return port;
		},
		netns: options.netns,
		async fingerprint() {
			const {stdout} = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`]);
			return stdout.split(' ')[1]!;
		},
		stop: async () => {
			await stop();
		},
		start,
		async rotateHostKey() {
			await stop();
			await newHostKey();
			await start();
		},
		node(user, auth = {kind: 'password'}) {
			return {
				name: 'test-node',
				ip: '127.0.0.1',
				sshPort: port,
				sshUser: typeof user === 'string' ? user : user.name,
				auth,
			};
		},
		log: () => logText,
		async dispose() {
			await stop();
			rmSync(dir, {recursive: true, force: true});
		},
	} satisfies Sshd;
}

/** For test.after.always: stops sshd if it was started; safe to call twice. */
export async function stopSshd(sshd: Sshd | undefined): Promise<void> {
	await sshd?.dispose();
}

export interface Netns {
	readonly name: string;
	remove(): Promise<void>;
}

/** A network namespace of our own with only lo (up); stale ones of dead test processes are removed first. */
export async function createNetns(prefix = 'pgha-t-ssh'): Promise<Netns> {
	try {
		const {stdout} = await run('ip', ['netns', 'list']);
		for (const line of stdout.split('\n')) {
			const name = line.split(' ')[0] ?? '';
			const owner = Number(name.slice(prefix.length + 1));
			if (name.startsWith(`${prefix}-`) && owner > 0 && !alive(owner)) {
				await run('ip', ['netns', 'del', name]).catch(() => undefined);
			}
		}
	} catch {}
	const name = `${prefix}-${process.pid}`;
	await run('ip', ['netns', 'del', name]).catch(() => undefined);
	await run('ip', ['netns', 'add', name]);
	await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
	return {
		name,
		async remove() {
			if (existsSync(`/run/netns/${name}`)) await run('ip', ['netns', 'del', name]);
		},
	};
}

/** Live processes whose command line matches a pattern (for "is the remote process gone?"). */
export async function pgrep(pattern: string): Promise<number[]> {
	try {
		const {stdout} = await run('pgrep', ['-f', pattern]);
		return stdout.split('\n').filter(Boolean).map(Number);
	} catch {
		return [];
	}
}

/** Mode, owner and group of a file, as `stat` shows them. */
export function statFile(file: string): {mode: number; uid: number; gid: number} {
	const s = statSync(file);
	return {mode: s.mode & 0o7777, uid: s.uid, gid: s.gid};
}
