/** The apt repository's HTTP server: python's http.server bound to the switch address inside lab-sw. */
import {closeSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {spawn} from 'node:child_process';
import {probeTcp} from './network.ts';
import {pidAlive, processCommandLine} from './pids.ts';
import {sleep} from './process.ts';
import {cacheRoot, hostPython, releasePaths, repoServerLog, repoServerPidFile, switchNetns, type LabRelease} from './settings.ts';

function serverPid(): number | undefined {
	try {
		const pid = Number.parseInt(readFileSync(repoServerPidFile, 'utf8'), 10);
		return Number.isInteger(pid) && pid > 0 ? pid : undefined;
	} catch {
		return undefined;
	}
}

/** The recorded PID, only while it still is our server (a reused PID is never signalled). */
export function runningServerPid(): number | undefined {
	const pid = serverPid();
	if (pid === undefined || !pidAlive(pid)) return undefined;
	const commandLine = processCommandLine(pid);
	return commandLine.includes('http.server') && commandLine.includes(cacheRoot) ? pid : undefined;
}

export async function startRepoServer(switchIp: string, release: LabRelease): Promise<void> {
	const log = openSync(repoServerLog, 'a', 0o644);
	// `ip netns exec` execs the command in place, so the child's PID is the server's PID.
	// `detached` gives it its own session: it outlives this command and ignores the terminal's Ctrl+C.
	const child = spawn('ip', ['netns', 'exec', switchNetns, hostPython, '-m', 'http.server', '80', '--bind', switchIp, '--directory', releasePaths(release).repoDir], {
		detached: true,
		stdio: ['ignore', log, log],
	});
	closeSync(log);
	if (child.pid === undefined) throw new Error('could not start the repository server');
	writeFileSync(repoServerPidFile, `${child.pid}\n`);
	child.unref();
	for (let attempt = 0; attempt < 50; attempt++) {
		if (await probeTcp(switchIp, 80)) return;
		if (!pidAlive(child.pid)) break;
		await sleep(200);
	}

	throw new Error(`the repository server did not start listening on ${switchIp}:80 (see ${repoServerLog})`);
}

export async function stopRepoServer(): Promise<void> {
	const pid = runningServerPid();
	if (pid !== undefined) {
		process.kill(pid, 'SIGTERM');
		for (let attempt = 0; attempt < 25 && pidAlive(pid); attempt++) await sleep(200);
		if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
	}

	rmSync(repoServerPidFile, {force: true});
}
