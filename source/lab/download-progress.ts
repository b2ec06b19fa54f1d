/**
 * How far the repository download is, measured rather than guessed: apt's own list of what it will
 * fetch (`--print-uris`: URL, file name, size) against the files present in the pool, with the bytes
 * of the one being written in `partial/`.
 */
import {statSync} from 'node:fs';
import path from 'node:path';

export interface WantedFile {
	readonly file: string;
	readonly size: number;
}

/** The quoted lines of `apt-get --print-uris install`: `'URL' FILE SIZE HASH`. */
export function parsePrintUris(stdout: string): WantedFile[] {
	const wanted: WantedFile[] = [];
	for (const line of stdout.split('\n')) {
		const match = /^'[^']+' (\S+) (\d+) /.exec(line);
		if (match) wanted.push({file: match[1]!, size: Number(match[2])});
	}

	return wanted;
}

function sizeOf(file: string): number | undefined {
	try {
		return statSync(file).size;
	} catch {
		return undefined;
	}
}

export interface PoolFigures {
	/** Files complete in the pool. */
	readonly files: number;
	/** Their bytes and those of the files still in partial/. */
	readonly bytes: number;
}

/** What of `wanted` is in the pool now (apt moves a file from partial/ once it is whole). */
export function poolFigures(poolDir: string, wanted: readonly WantedFile[]): PoolFigures {
	let files = 0;
	let bytes = 0;
	for (const {file, size} of wanted) {
		const whole = sizeOf(path.join(poolDir, file));
		if (whole !== undefined && whole >= size) {
			files++;
			bytes += size;
			continue;
		}

		bytes += Math.min(size, sizeOf(path.join(poolDir, 'partial', file)) ?? 0);
	}

	return {files, bytes};
}
