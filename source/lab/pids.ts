/** Process and cgroup queries used to find (and only ever signal) processes the lab started. */
import {existsSync, readdirSync, readFileSync, rmdirSync} from 'node:fs';
import path from 'node:path';

export function pidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch {
		return false;
	}

	// A zombie still answers kill(0) but is already dead.
	try {
		return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
	} catch {
		return false;
	}
}

export function processCommandLine(pid: number): string {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
	} catch {
		return '';
	}
}

/** PIDs in a cgroup directory and all its children. */
export function cgroupPids(dir: string): number[] {
	if (!existsSync(dir)) return [];
	const pids: number[] = [];
	const visit = (current: string) => {
		try {
			for (const line of readFileSync(path.join(current, 'cgroup.procs'), 'utf8').split('\n')) {
				const pid = Number.parseInt(line, 10);
				if (pid > 0) pids.push(pid);
			}

			for (const entry of readdirSync(current, {withFileTypes: true})) {
				if (entry.isDirectory()) visit(path.join(current, entry.name));
			}
		} catch {}
	};

	visit(dir);
	return pids;
}

/** Removes a cgroup tree bottom-up (cgroup directories go away with rmdir once empty). */
export function removeCgroupTree(dir: string): void {
	if (!existsSync(dir)) return;
	try {
		for (const entry of readdirSync(dir, {withFileTypes: true})) {
			if (entry.isDirectory()) removeCgroupTree(path.join(dir, entry.name));
		}

		rmdirSync(dir);
	} catch {}
}

/** The process that is PID 1 in its own PID namespace (a container's init), among `pids`. */
export function namespaceInit(pids: readonly number[]): number | undefined {
	for (const pid of pids) {
		try {
			const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.trim().split(/\s+/);
			if (nspid && nspid.length > 1 && nspid.at(-1) === '1') return pid;
		} catch {}
	}

	return undefined;
}
