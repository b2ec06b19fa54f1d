/**
 * One lab node: an overlay of the shared rootfs, its own identity, and systemd-nspawn booting it
 * under a small supervisor (node-run.sh) in a cgroup of its own.
 */
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, rmSync, unlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {isMountPoint, unmountUnder} from './mounts.ts';
import {netnsPath, probeTcp} from './network.ts';
import {cgroupPids, namespaceInit, pidAlive, processCommandLine, removeCgroupTree} from './pids.ts';
import {run, sleep} from './process.ts';
import {type LabLayout, mergedDir, type NodeSpec, releasePaths, runDir} from './settings.ts';

const supervisorScript = fileURLToPath(new URL('node-run.sh', import.meta.url));

/** cgroup hierarchies a node is placed in: name=systemd + unified on a hybrid host, the one tree on cgroup2. */
export function cgroupRoots(): string[] {
	if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return ['/sys/fs/cgroup'];
	return ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'].filter(dir => existsSync(dir));
}

export function nodeCgroups(node: NodeSpec): string[] {
	return cgroupRoots().map(root => path.join(root, 'pgha-lab', node.name));
}

/** The lab's two cgroup parents in each hierarchy (removed by `down` once empty). */
export function cgroupParents(): string[] {
	return cgroupRoots().flatMap(root => [path.join(root, 'pgha-lab'), path.join(root, 'pgha-lab-wrap')]);
}

function wrapCgroups(node: NodeSpec): string[] {
	return cgroupRoots().map(root => path.join(root, 'pgha-lab-wrap', node.name));
}

export function consoleLog(node: NodeSpec): string {
	return path.join(runDir, `${node.name}.console.log`);
}

function pidFile(node: NodeSpec): string {
	return path.join(runDir, `${node.name}.pid`);
}

/** The supervisor's PID while it runs (checked against its command line, never a reused PID). */
export function supervisorPid(node: NodeSpec): number | undefined {
	let pid: number;
	try {
		pid = Number.parseInt(readFileSync(pidFile(node), 'utf8'), 10);
	} catch {
		return undefined;
	}

	if (!(pid > 0) || !pidAlive(pid)) return undefined;
	const commandLine = processCommandLine(pid);
	return commandLine.includes('node-run.sh') && commandLine.includes(` ${node.name} `) ? pid : undefined;
}

/** Every process of the node, the supervisor's cgroup included. */
function nodePids(node: NodeSpec): number[] {
	return [...new Set([...nodeCgroups(node), ...wrapCgroups(node)].flatMap(dir => cgroupPids(dir)))];
}

/** The node's systemd (PID 1 inside it), seen from the host. */
export function leaderPid(node: NodeSpec): number | undefined {
	const [first] = nodeCgroups(node);
	return first ? namespaceInit(cgroupPids(first)) : undefined;
}

export function nodeRunning(node: NodeSpec): boolean {
	return supervisorPid(node) !== undefined || leaderPid(node) !== undefined;
}

function writeInto(root: string, file: string, content: string, mode = 0o644): void {
	const target = path.join(root, file);
	try {
		// resolv.conf and friends may be symlinks in the image; write a plain file instead.
		if (lstatSync(target).isSymbolicLink()) unlinkSync(target);
	} catch {}

	mkdirSync(path.dirname(target), {recursive: true});
	writeFileSync(target, content, {mode});
}

/** Hostname, machine-id, ssh host keys and apt sources: what makes each node a distinct machine. */
async function writeIdentity(node: NodeSpec, layout: LabLayout): Promise<void> {
	const root = mergedDir(node);
	writeInto(root, 'etc/hostname', `${node.name}\n`);
	// Like a freshly installed VM: it knows its own name, not its neighbours'.
	writeInto(root, 'etc/hosts', [
		'127.0.0.1\tlocalhost',
		`127.0.1.1\t${node.name}`,
		'',
		'::1\tlocalhost ip6-localhost ip6-loopback',
		'ff02::1\tip6-allnodes',
		'ff02::2\tip6-allrouters',
		'',
	].join('\n'));
	writeInto(root, 'etc/machine-id', `${randomBytes(16).toString('hex')}\n`, 0o444);
	writeInto(root, 'etc/apt/sources.list', `deb [trusted=yes] http://${layout.switchIp}/debian ${layout.release} main\n`);
	// Nothing answers DNS in the lab: lookups fail at once instead of hanging.
	writeInto(root, 'etc/resolv.conf', `nameserver ${layout.switchIp}\n`);
	await run('ssh-keygen', ['-A', '-f', root]);
}

/** Mounts the node's overlay; `fresh` first throws away the old upper layer and writes a new identity. */
export async function prepareNode(node: NodeSpec, layout: LabLayout, fresh: boolean): Promise<void> {
	if (fresh) {
		await unmountUnder(node.dir);
		if (existsSync(node.dir)) await run('rm', ['-rf', '--one-file-system', node.dir]);
	}

	const dirs = {upper: path.join(node.dir, 'upper'), work: path.join(node.dir, 'work'), merged: mergedDir(node)};
	for (const dir of Object.values(dirs)) mkdirSync(dir, {recursive: true});
	if (!isMountPoint(dirs.merged)) {
		await run('mount', ['-t', 'overlay', `pgha-lab-${node.name}`, '-o', `lowerdir=${releasePaths(layout.release).rootfsDir},upperdir=${dirs.upper},workdir=${dirs.work}`, dirs.merged]);
	}

	if (fresh) await writeIdentity(node, layout);
}

export async function bootNode(node: NodeSpec): Promise<void> {
	const wrap = wrapCgroups(node);
	const own = nodeCgroups(node);
	for (const dir of [...wrap, ...own]) mkdirSync(dir, {recursive: true});
	mkdirSync(runDir, {recursive: true});
	const log = openSync(consoleLog(node), 'a', 0o600);
	const child = spawn('bash', [supervisorScript, node.name, mergedDir(node), netnsPath(node.netns), wrap.join(':'), own.join(':')], {
		detached: true,
		stdio: ['ignore', log, log],
	});
	closeSync(log);
	if (child.pid === undefined) throw new Error(`could not start the supervisor of ${node.name}`);
	writeFileSync(pidFile(node), `${child.pid}\n`);
	child.unref();
}

/**
 * Powers the node off: SIGTERM to the supervisor (nspawn turns it into a clean poweroff); whatever
 * is left after `graceMs` is SIGKILLed by PID from the node's own cgroups. Then unmounts the overlay.
 */
export async function stopNode(node: NodeSpec, graceMs: number): Promise<void> {
	const supervisor = supervisorPid(node);
	if (supervisor !== undefined && graceMs > 0) {
		process.kill(supervisor, 'SIGTERM');
		const deadline = Date.now() + graceMs;
		while (Date.now() < deadline && nodePids(node).length > 0) await sleep(200);
	}

	for (let round = 0; round < 50; round++) {
		const pids = nodePids(node);
		if (pids.length === 0) break;
		for (const pid of pids) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {}
		}

		await sleep(100);
	}

	if (supervisor !== undefined && pidAlive(supervisor)) process.kill(supervisor, 'SIGKILL');
	for (const dir of [...nodeCgroups(node), ...wrapCgroups(node)]) removeCgroupTree(dir);
	await unmountUnder(node.dir);
	rmSync(pidFile(node), {force: true});
}

/** Removes the node's overlay directories (after stopNode). */
export async function wipeNode(node: NodeSpec): Promise<void> {
	await unmountUnder(node.dir);
	if (existsSync(node.dir)) await run('rm', ['-rf', '--one-file-system', node.dir]);
}

/** The tail of the node's console, for error messages. */
export function consoleTail(node: NodeSpec, lines = 15): string {
	try {
		return readFileSync(consoleLog(node), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

export type Readiness = 'ready' | 'booting' | 'down';

/** Ready = sshd answers from the switch and logins are allowed (systemd removed /run/nologin). */
export async function readiness(node: NodeSpec): Promise<Readiness> {
	const leader = leaderPid(node);
	if (leader === undefined) return supervisorPid(node) === undefined ? 'down' : 'booting';
	if (existsSync(`/proc/${leader}/root/run/nologin`)) return 'booting';
	return (await probeTcp(node.ip, 22, 'SSH-')) ? 'ready' : 'booting';
}

/** Waits until every node is ready; returns the ones that were not by the deadline or stopped. */
export async function waitReady(nodes: readonly NodeSpec[], timeoutMs: number, onReady: (node: NodeSpec) => void): Promise<NodeSpec[]> {
	const deadline = Date.now() + timeoutMs;
	const failed: NodeSpec[] = [];
	await Promise.all(nodes.map(async node => {
		while (Date.now() < deadline) {
			const state = await readiness(node);
			if (state === 'ready') {
				onReady(node);
				return;
			}

			if (state === 'down') break;
			await sleep(250);
		}

		failed.push(node);
	}));
	return failed;
}
