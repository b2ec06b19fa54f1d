/**
 * The screen's one clock. The engine's store may notify 25 times a second while apt talks; a person
 * reads a log tail at a few frames a second, so the screen takes the engine's newest snapshot (as it
 * is: parts that did not change keep their identity, and the screen redraws only those that did) at
 * most `fps` times a second, and the spinner moves on the same beat. With nothing new from the engine
 * the beat slows to `idleFps`: an idle screen (a step waiting, no output) only keeps its clock going.
 */
import type {RunReader, RunSnapshot} from '../engine/store.ts';

export interface ScreenFrame {
	readonly run: RunSnapshot;
	/** The log folder to name: the run's own once it has begun. */
	readonly logDir: string;
	/** Counts frames while something runs: the spinner is drawn from it. */
	readonly tick: number;
}

export interface ScreenFeed {
	readonly subscribe: (listener: () => void) => () => void;
	readonly getSnapshot: () => ScreenFrame;
}

export interface FeedOptions {
	readonly fps: number;
	readonly idleFps: number;
	/** Until the run has its own folder. */
	readonly logDir: string;
	/** A dialog is open: the spinner holds still (the run waits for the answer anyway). */
	readonly paused: () => boolean;
}

export function followRun(run: RunReader, options: FeedOptions): ScreenFeed & {stop(): void} {
	const listeners = new Set<() => void>();
	const frameOf = (snapshot: RunSnapshot, tick: number): ScreenFrame => ({run: snapshot, logDir: snapshot.logDir ?? options.logDir, tick});
	let frame = frameOf(run.getSnapshot(), 0);
	let changed = false;
	let quietBeats = 0;
	const beatsPerIdleFrame = Math.max(1, Math.round(options.fps / options.idleFps));
	const show = (next: ScreenFrame) => {
		frame = next;
		for (const listener of [...listeners]) listener();
	};

	const unsubscribe = run.subscribe(() => {
		changed = true;
	});
	const beat = setInterval(() => {
		if (changed) {
			changed = false;
			quietBeats = 0;
			show(frameOf(run.getSnapshot(), frame.tick + 1));
			return;
		}

		const animating = !options.paused() && frame.run.stages.some(stage => stage.status === 'running');
		if (animating && ++quietBeats >= beatsPerIdleFrame) {
			quietBeats = 0;
			show({...frame, tick: frame.tick + 1});
		}
	}, 1000 / options.fps);
	// The screen never keeps pgha alive by itself, whatever path ends the command.
	beat.unref();
	return {
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		getSnapshot: () => frame,
		stop() {
			clearInterval(beat);
			unsubscribe();
			if (run.getSnapshot() !== frame.run) show(frameOf(run.getSnapshot(), frame.tick));
		},
	};
}
