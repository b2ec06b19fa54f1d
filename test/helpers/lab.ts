/**
 * The lab for tests: is it up, one test file at a time, commands on nodes (root, no SSH), commands
 * from the switch namespace (where the nodes' addresses are reachable), and the lab's CLI.
 *
 * Every test file that uses the lab calls `useLab(test)` once and starts each test with
 * `if (!requireLab(t)) return;`. useLab serialises lab files across ava's worker processes (a file
 * may reset the nodes or even take the lab down and up again) and gives each file fresh nodes.
 */
import type {ExecutionContext, TestFn} from 'ava';
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {nodeExecArgv, pickNode} from '../../source/lab/lab.ts';
import {lock, unlock} from '../../source/lab/lock.ts';
import {labPassword, labUser, switchNetns, type NodeSpec} from '../../source/lab/settings.ts';
import {layoutOf, readState, type LabState} from '../../source/lab/state.ts';

export const labSshUser = labUser;
export const labSshPassword = labPassword;
export const labSwitchNetns = switchNetns;

const bin = fileURLToPath(new URL('../../source/bin.js', import.meta.url));
/** Outside /run/pgha-lab, which `pgha lab down` removes. */
const testLockFile = '/run/pgha-lab-tests.lock';

export interface Result {
	readonly code: number;
	readonly stdout: string;
	readonly stderr: string;
}

export interface RunOptions {
	readonly input?: string;
	readonly env?: NodeJS.ProcessEnv;
	readonly cwd?: string;
	/** Kill the command after this long (a hung command must not hang the suite). Default 120 s. */
	readonly timeoutMs?: number;
}

/** Runs a host command and captures its output; never throws on a non-zero exit. */
export function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<Result> {
	return new Promise(resolve => {
		const child = spawn(command, args, {stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd});
		let stdout = '';
		let stderr = '';
		child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		if (child.stdin) {
			// A command may exit without reading its input; that is its answer, not an error here.
			child.stdin.on('error', () => {});
			child.stdin.end(options.input);
		}

		const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
		child.on('error', error => {
			clearTimeout(timer);
			resolve({code: 127, stdout, stderr: stderr + error.message});
		});
		child.on('close', code => {
			clearTimeout(timer);
			resolve({code: code ?? 128, stdout, stderr});
		});
	});
}

export function labState(): LabState | undefined {
	return readState();
}

/** The lab is up: `pgha lab up` finished and its switch namespace exists. */
export function labAvailable(): boolean {
	const state = readState();
	return state?.phase === 'up' && existsSync(`/run/netns/${state.switchNetns}`);
}

/** The cluster file `pgha lab up` wrote (e.g. /tmp/pgha-ci-lab.yaml in CI). */
export function labClusterFile(): string | undefined {
	return readState()?.clusterFile;
}

export function labNodes(): readonly NodeSpec[] {
	const state = readState();
	return state ? layoutOf(state).nodes : [];
}

/** A node by number (1-based), name (pg-node-2) or spec. */
export function labNode(node: number | string | NodeSpec): NodeSpec {
	if (typeof node === 'object') return node;
	const state = readState();
	if (!state) throw new Error('the lab is not up');
	return pickNode(layoutOf(state), String(node));
}

/**
 * True when the lab is up. When it is not: fails the test if PGHA_REQUIRE_LAB=1 (CI), otherwise
 * logs why and passes, so a developer without root or Linux can still run the rest of the suite.
 */
export function requireLab(t: ExecutionContext): boolean {
	if (labAvailable()) return true;
	const why = 'the lab is not up (run: sudo node source/bin.js lab build && sudo node source/bin.js lab up)';
	if (process.env.PGHA_REQUIRE_LAB === '1') {
		t.fail(`${why}; PGHA_REQUIRE_LAB=1 requires it`);
	} else {
		t.log(`skipped: ${why}`);
		t.pass();
	}

	return false;
}

/** Takes the lab for this test file (waits while another file holds it). Returns the release. */
export async function lockLab(timeoutMs = 45 * 60_000): Promise<() => void> {
	if (!(await lock(testLockFile, timeoutMs, 1000))) throw new Error(`the lab stayed locked by another test file (${testLockFile})`);
	return () => unlock(testLockFile);
}

/** Registers hooks: take the lab before the file's tests, give fresh nodes, release it afterwards. */
export function useLab(test: TestFn, options: {readonly fresh?: boolean} = {}): void {
	let release: (() => void) | undefined;
	test.before(async () => {
		if (process.getuid?.() !== 0) return;
		// Take the lock even when the lab looks down: the file holding it may be taking the lab down
		// and up again, and this file's tests would then run on the lab without the lock.
		release = await lockLab();
		if (labAvailable() && (options.fresh ?? true)) await labResetNodes();
	});
	test.after.always(() => release?.());
}

/** `pgha lab ARGS...` through the real CLI. */
export function labCli(args: readonly string[], options: RunOptions = {}): Promise<Result> {
	// English messages whatever the developer's locale, so tests can match them.
	return runCommand(process.execPath, [bin, 'lab', '--lang', 'en', ...args], {timeoutMs: 300_000, ...options});
}

/** All nodes back to fresh overlays (`pgha lab reset`); throws when that fails. */
export async function labResetNodes(): Promise<void> {
	const result = await labCli(['reset']);
	if (result.code !== 0) throw new Error(`pgha lab reset failed (${result.code}): ${result.stderr}`);
}

/** A root shell command inside a node, without SSH (nsenter into the node's PID 1 namespaces). */
export function labExec(node: number | string | NodeSpec, command: string, options: RunOptions = {}): Promise<Result> {
	return runCommand('nsenter', nodeExecArgv(labNode(node), [command]), options);
}

/** A command inside the switch namespace (lab-sw), where the nodes' addresses and names are reachable. */
export function inSwitch(command: string, args: readonly string[], options: RunOptions = {}): Promise<Result> {
	return runCommand('ip', ['netns', 'exec', switchNetns, command, ...args], options);
}

/**
 * OpenSSH with the lab password from the switch namespace, as `student` unless `user` is given.
 * The password goes through the environment (sshpass -e), never the command line.
 */
export function labSsh(node: number | string | NodeSpec, command: string, options: RunOptions & {readonly user?: string; readonly password?: string} = {}): Promise<Result> {
	const spec = labNode(node);
	const env = {...process.env, SSHPASS: options.password ?? labPassword};
	return inSwitch('sshpass', [
		'-e', 'ssh',
		'-o', 'StrictHostKeyChecking=no',
		'-o', 'UserKnownHostsFile=/dev/null',
		'-o', 'LogLevel=ERROR',
		'-o', 'ConnectTimeout=5',
		'-o', 'PubkeyAuthentication=no',
		'-o', 'NumberOfPasswordPrompts=1',
		`${options.user ?? labUser}@${spec.ip}`,
		command,
	], {...options, env});
}

/** A TCP connection from the switch to node:port succeeds within 3 s. */
export async function tcpOpen(ip: string, port: number): Promise<boolean> {
	const result = await inSwitch('timeout', ['3', 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${port}`]);
	return result.code === 0;
}
