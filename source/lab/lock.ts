/**
 * A lock file holding its owner's PID, so two lab commands never change the lab at once.
 * A lock whose owner is gone is stale and taken over (a killed command must not block the lab).
 */
import {mkdirSync, openSync, closeSync, readFileSync, unlinkSync, writeSync} from 'node:fs';
import path from 'node:path';
import {sleep} from './process.ts';

function ownerAlive(file: string): boolean {
	let pid: number;
	try {
		pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
	} catch {
		return false;
	}

	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Takes the lock or returns false at once. */
export function tryLock(file: string): boolean {
	mkdirSync(path.dirname(file), {recursive: true});
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			const fd = openSync(file, 'wx', 0o600);
			writeSync(fd, String(process.pid));
			closeSync(fd);
			return true;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			if (ownerAlive(file)) return false;
			try {
				unlinkSync(file);
			} catch {}
		}
	}

	return false;
}

export function unlock(file: string): void {
	try {
		if (Number.parseInt(readFileSync(file, 'utf8'), 10) === process.pid) unlinkSync(file);
	} catch {}
}

/** Waits for the lock up to `timeoutMs`; returns false when it stayed taken. */
export async function lock(file: string, timeoutMs: number, pollMs = 500): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (tryLock(file)) return true;
		if (Date.now() >= deadline) return false;
		await sleep(pollMs);
	}
}
