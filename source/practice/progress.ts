/**
 * The practice progress file, `.pgha/practice.json` beside the cluster file: the scenario now broken
 * (so `hint`, `check` and `undo` know which one and on which node, even from another terminal) and
 * every finished attempt with its score. Mode 0600: it names the cluster's nodes.
 */
import {promises as fs} from 'node:fs';
import path from 'node:path';

export interface Current {
	readonly scenario: string;
	/** The node broken, and the leader and a replica as they were at the start (names). */
	readonly node: string;
	readonly leader: string;
	readonly replica: string;
	/** ISO time of the break. */
	readonly startedAt: string;
	readonly hints: number;
}

export interface Attempt {
	readonly scenario: string;
	readonly node: string;
	readonly outcome: 'solved' | 'undone';
	readonly hints: number;
	readonly seconds: number;
	readonly points: number;
	readonly endedAt: string;
}

export interface Progress {
	readonly version: 1;
	readonly current?: Current;
	readonly attempts: readonly Attempt[];
}

export const emptyProgress: Progress = {version: 1, attempts: []};

export function progressFileFor(pghaDir: string): string {
	return path.join(pghaDir, 'practice.json');
}

/** A missing file is a fresh start; a file that is not ours is an error, never silently replaced. */
export async function readProgress(file: string): Promise<Progress> {
	let text: string;
	try {
		text = await fs.readFile(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyProgress;
		throw error;
	}

	const parsed = JSON.parse(text) as Partial<Progress>;
	if (parsed.version !== 1 || !Array.isArray(parsed.attempts)) throw new Error(`${file}: not a pgha practice file`);
	return parsed as Progress;
}

/** Written whole to a temporary file and renamed, so a crash never leaves half a file. */
export async function writeProgress(file: string, progress: Progress): Promise<void> {
	await fs.mkdir(path.dirname(file), {recursive: true, mode: 0o700});
	const temporary = `${file}.${process.pid}.tmp`;
	await fs.writeFile(temporary, JSON.stringify(progress, null, '\t') + '\n', {mode: 0o600});
	// writeFile keeps an existing file's mode; a leftover temporary must not stay readable.
	await fs.chmod(temporary, 0o600);
	await fs.rename(temporary, file);
}

/** Ten points per difficulty level, three off per hint, never below one for a solved scenario. */
export function points(difficulty: number, hints: number, outcome: Attempt['outcome']): number {
	if (outcome === 'undone') return 0;
	return Math.max(1, difficulty * 10 - hints * 3);
}

export function finish(progress: Progress, difficulty: number, outcome: Attempt['outcome'], now: Date): Progress {
	const current = progress.current;
	if (!current) return progress;
	const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(current.startedAt)) / 1000));
	const attempt: Attempt = {
		scenario: current.scenario, node: current.node, outcome, hints: current.hints, seconds,
		points: points(difficulty, current.hints, outcome), endedAt: now.toISOString(),
	};
	return {version: 1, attempts: [...progress.attempts, attempt]};
}

export function takeHint(progress: Progress, available: number): {progress: Progress; shown: number} {
	const current = progress.current;
	if (!current) return {progress, shown: 0};
	const shown = Math.min(available, current.hints + 1);
	return {progress: {...progress, current: {...current, hints: shown}}, shown};
}

export interface Score {
	readonly solved: number;
	readonly undone: number;
	readonly points: number;
	readonly hints: number;
	readonly seconds: number;
}

export function score(progress: Progress): Score {
	const solved = progress.attempts.filter(attempt => attempt.outcome === 'solved');
	return {
		solved: solved.length,
		undone: progress.attempts.length - solved.length,
		points: progress.attempts.reduce((sum, attempt) => sum + attempt.points, 0),
		hints: progress.attempts.reduce((sum, attempt) => sum + attempt.hints, 0),
		seconds: solved.reduce((sum, attempt) => sum + attempt.seconds, 0),
	};
}
