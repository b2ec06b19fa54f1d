/** Mount table queries and clean-up, limited to the lab's own mounts and directories. */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {run} from './process.ts';

export interface MountEntry {
	readonly point: string;
	readonly fstype: string;
	/** The "device" field; the lab names its own mounts pgha-lab-*, so they are recognisable later. */
	readonly source: string;
}

/** Octal escapes in /proc/self/mountinfo (\040 for a space, ...). */
function unescape(field: string): string {
	return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

export function mounts(): MountEntry[] {
	return readFileSync('/proc/self/mountinfo', 'utf8')
		.split('\n')
		.filter(Boolean)
		.map(line => {
			const [before = '', after = ''] = line.split(' - ');
			const [fstype = '', source = ''] = after.split(' ');
			return {point: unescape(before.split(' ')[4] ?? ''), fstype, source: unescape(source)};
		});
}

export function isMountPoint(dir: string): boolean {
	const target = path.resolve(dir);
	return mounts().some(entry => entry.point === target);
}

/** Mount points at or below `dir`, deepest first (the order they must be unmounted in). */
export function mountsUnder(dir: string): string[] {
	const root = path.resolve(dir);
	return [...new Set(mounts()
		.map(entry => entry.point)
		.filter(point => point === root || point.startsWith(`${root}/`)))]
		.sort((a, b) => b.length - a.length);
}

export async function unmount(point: string): Promise<void> {
	const result = await run('umount', [point], {allowFailure: true});
	// A busy mount is detached lazily so that clean-up never hangs on it.
	if (result.code !== 0 && isMountPoint(point)) await run('umount', ['-l', point], {allowFailure: true});
}

/** Unmounts everything at or below `dir` (stacked mounts included). */
export async function unmountUnder(dir: string): Promise<void> {
	for (let round = 0; round < 5; round++) {
		const points = mountsUnder(dir);
		if (points.length === 0) return;
		for (const point of points) await unmount(point);
	}
}

/** Mounts the lab created, recognised by their source name. */
export function labMounts(): MountEntry[] {
	return mounts().filter(entry => entry.source.startsWith('pgha-lab'));
}
