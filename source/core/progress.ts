/**
 * Figures of long work (apt unpacking, pip collecting, a download), as the tool doing the work counts
 * them: steps and the lab build report them, screens turn them into a bar or a periodic line.
 */
import type {Text} from './text.ts';

/** What `done` and `total` count; bytes are shown in MB. */
export type ProgressUnit = 'packages' | 'files' | 'bytes';

export interface Progress {
	/** What is being done now, e.g. "apt: unpacking". A new phase starts its own clock for rate and ETA. */
	readonly phase: Text;
	readonly done: number;
	/** Unknown while the tool has not said (pip resolves as it goes): then no bar, only the count. */
	readonly total?: number;
	readonly unit: ProgressUnit;
	/** Bytes beside a count (a download of packages), when the tool says them. */
	readonly bytes?: {readonly done: number; readonly total?: number};
}

/** Figures with the moment their phase began, which rate, elapsed time and ETA are measured from. */
export interface ProgressView {
	readonly figures: Progress;
	readonly since: number;
}

/** The next view of a node's figures: the clock keeps running within a phase (same English words), a new phase starts it again. */
export function nextView(previous: ProgressView | undefined, figures: Progress, now: number): ProgressView {
	return previous !== undefined && previous.figures.phase.en === figures.phase.en ? {figures, since: previous.since} : {figures, since: now};
}

/** Reads a tool's output line by line; returns new figures when a line moved them. */
export interface ProgressReader {
	read(line: string): Progress | undefined;
}
