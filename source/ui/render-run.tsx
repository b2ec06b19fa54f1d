/**
 * Mounts the run screen. Ink is the only renderer in a terminal; it reads the engine's RunStore
 * through the screen's clock (screen-feed.ts) and the questions from a UiStore. Ctrl+C is not Ink's:
 * the command that owns the run handles it.
 */
import {render} from 'ink';
import type {RunReader} from '../engine/store.ts';
import type {Lang} from '../core/text.ts';
import {RunScreen} from './run-screen.tsx';
import {followRun} from './screen-feed.ts';
import {createUiStore, type UiStore} from './ui-store.ts';

/** A person reads a log tail at a few frames a second; more frames only cost CPU (issue 8: < 5 % of a core). */
const screenFps = 4;
/** With no output the spinner and the elapsed seconds are all that move (issue 11: idle under 1 % of a core). */
const idleFps = 1;

export interface MountedRun {
	readonly ui: UiStore;
	/** Stops following the engine and unmounts, leaving the last frame on screen. */
	finish(): Promise<void>;
}

export function renderRun(run: RunReader, lang: Lang, logDir: string, onInterrupt: () => void): MountedRun {
	const ui = createUiStore();
	const feed = followRun(run, {
		fps: screenFps,
		idleFps,
		logDir,
		paused: () => {
			const state = ui.getSnapshot();
			return state.question !== undefined || state.log !== undefined;
		},
	});
	const instance = render(<RunScreen feed={feed} store={ui} lang={lang} onInterrupt={onInterrupt} />, {exitOnCtrlC: false, patchConsole: true, maxFps: screenFps});
	return {
		ui,
		async finish() {
			feed.stop();
			await new Promise(resolve => setTimeout(resolve, 50));
			instance.unmount();
			await instance.waitUntilExit().catch(() => undefined);
		},
	};
}
