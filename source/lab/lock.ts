/**
 * A lock file holding its owner's PID, so two lab commands never change the lab at once.
 * A lock whose owner is gone is stale and taken over (a killed command must not block the lab).
 * Only that takeover can still race (two waiters finding the same dead owner at once).
 */
import {linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {sleep} from './process.ts';

/** Changes at every boot: a lock written before it is stale whatever its PID (the PID may be reused). */
function bootId(): string {
	try {
		return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
	} catch {
		return '';
	}
}

/** 'gone': the file vanished (its owner just unlocked): try again, never remove anything. */
function ownerState(file: string): 'alive' | 'dead' | 'gone' {
	let content: string;
	try {
		content = readFileSync(file, 'utf8');
	} catch {
		return 'gone';
	}

	const [pidText = '', boot] = content.trim().split(/\s+/);
	const pid = Number.parseInt(pidText, 10);
	if (!Number.isInteger(pid) || pid <= 0) return 'dead';
	// /run is not a tmpfs everywhere: after a reboot (or on a copied disk) the file outlives its owner.
	if (boot !== undefined && boot !== bootId()) return 'dead';
	try {
		process.kill(pid, 0);
		return 'alive';
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM' ? 'alive' : 'dead';
	}
}

/**
 * Creates the lock file with the PID already in it: a hard link to a finished temp file appears
 * atomically. (Open, then write, left a moment when another process read an empty file, called it
 * stale and took the lock too.)
 */
function create(file: string): boolean {
	const temp = `${file}.${process.pid}.tmp`;
	writeFileSync(temp, `${process.pid} ${bootId()}`.trim(), {mode: 0o600});
	try {
		linkSync(temp, file);
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw error;
	} finally {
		try {
			unlinkSync(temp);
		} catch {}
	}
}

/** Takes the lock or returns false at once. */
export function tryLock(file: string): boolean {
	mkdirSync(path.dirname(file), {recursive: true});
	for (let attempt = 0; attempt < 3; attempt++) {
		if (create(file)) return true;
		const owner = ownerState(file);
		if (owner === 'alive') return false;
		if (owner === 'dead') {
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
