/**
 * Mounts the run screen. Ink is the only renderer in a terminal; it reads a UiStore that follows the
 * engine's RunStore. Ctrl+C is not Ink's: the command that owns the run handles it.
 */
import {render} from 'ink';
import type {RunStore} from '../engine/store.ts';
import type {Lang} from '../core/text.ts';
import {RunScreen} from './run-screen.tsx';
import {toRunView} from './from-engine.ts';
import {createUiStore, type UiStore} from './ui-store.ts';

/** A person reads a log tail at a few frames a second; more frames only cost CPU (issue 8: < 5 % of a core). */
const screenFps = 4;

export interface MountedRun {
	readonly ui: UiStore;
	/** Stops following the engine and unmounts, leaving the last frame on screen. */
	finish(): Promise<void>;
}

export function renderRun(runStore: RunStore, lang: Lang, logDir: string, onInterrupt: () => void): MountedRun {
	const ui = createUiStore({run: toRunView(runStore.getSnapshot(), logDir, lang), frame: 0});
	// One clock for the screen: engine changes (up to 25 a second while apt talks) are picked up at
	// the frame rate, together with the spinner and the elapsed times, so React renders 4 times a
	// second at most instead of once per batch of output plus once per spinner tick.
	let changed = false;
	const unsubscribe = runStore.subscribe(() => {
		changed = true;
	});
	const clock = setInterval(() => {
		const state = ui.getSnapshot();
		const animating = !state.question && !state.log && state.run.stages.some(stage => stage.status === 'running');
		if (!changed && !animating) return;
		const run = changed ? toRunView(runStore.getSnapshot(), logDir, lang) : state.run;
		changed = false;
		ui.update(current => ({...current, run, frame: (current.frame ?? 0) + 1}));
	}, 1000 / screenFps);
	// The screen never keeps pgha alive by itself, whatever path ends the command.
	clock.unref();
	const instance = render(<RunScreen store={ui} lang={lang} onInterrupt={onInterrupt} />, {exitOnCtrlC: false, patchConsole: true, maxFps: screenFps});
	return {
		ui,
		async finish() {
			clearInterval(clock);
			unsubscribe();
			ui.update(state => ({...state, run: toRunView(runStore.getSnapshot(), logDir, lang)}));
			await new Promise(resolve => setTimeout(resolve, 50));
			instance.unmount();
			await instance.waitUntilExit().catch(() => undefined);
		},
	};
}
