/** The lab's user-facing messages (Russian and English) and how they reach the terminal. */
import {clearLine, cursorTo} from 'node:readline';
import {LocalizedError, type ExitClass} from '../core/error.ts';
import {nextView, type Progress, type ProgressView} from '../core/progress.ts';
import {fitProgress, progressLine} from '../core/progress-text.ts';
import type {Lang, Text} from '../core/text.ts';

export {pickLang, t, type Lang} from '../core/text.ts';

/** A failure the user can act on: the message says what to do; `exit` names the process exit code. */
export class LabError extends LocalizedError {
	constructor(text: Text, exit: ExitClass = 'failure') {
		super(text, {exit});
		this.name = 'LabError';
	}
}

/**
 * Progress of long jobs: plain lines with elapsed seconds, fine for a TTY and for CI logs, and the
 * figures of long work (the repository download) as a bar that redraws itself in place on a terminal,
 * or, in a log, a plain line when a phase begins and then at most every 10 s.
 */
export interface Reporter {
	readonly lang: Lang;
	line(text: Text): void;
	/** Optional: a reporter made by hand (a test's, a quiet one) may show no figures. */
	progress?(figures: Progress): void;
	/** Ends a bar drawn in place, so whatever is written next starts on a line of its own. */
	endProgress?(): void;
	/** Seconds since the command started. */
	elapsed(): number;
}

/** A terminal line the bar is redrawn on. */
export interface ProgressScreen {
	/** Replaces the current line with `text` (no newline). */
	draw(text: string): void;
	/** Ends the current line. */
	end(): void;
	readonly columns: () => number;
}

/** Node's own terminal calls on stdout: back to the line's start, clear it, write. */
export function stdoutScreen(stream: NodeJS.WriteStream = process.stdout): ProgressScreen {
	return {
		draw(text) {
			cursorTo(stream, 0);
			clearLine(stream, 0);
			stream.write(text);
		},
		end() {
			stream.write('\n');
		},
		columns: () => stream.columns || 80,
	};
}

const plainProgressEveryMs = 10_000;
const redrawEveryMs = 100;

/**
 * `write` gets whole lines. The bar is drawn when there is a `screen`: by default when stdout is a
 * terminal and nothing else was asked to write; otherwise progress comes as plain lines.
 */
export function reporter(
	lang: Lang,
	write?: (line: string) => void,
	screen: ProgressScreen | undefined = write === undefined && process.stdout.isTTY ? stdoutScreen() : undefined,
	clock: () => number = Date.now,
): Reporter {
	const out = write ?? ((line: string) => process.stdout.write(`${line}\n`));
	const started = clock();
	const elapsed = () => (clock() - started) / 1000;
	const stamp = () => `[${elapsed().toFixed(0).padStart(4)}s] `;
	let view: ProgressView | undefined;
	let drawn = false;
	/** Figures not drawn yet: dpkg can print hundreds of lines a second, the bar redraws at most ten times. */
	let behind = false;
	let drawnAt = -Infinity;
	let printedAt = 0;
	const draw = (now: number) => {
		if (!screen || !view) return;
		// The terminal's last column is left free: a line that fills it wraps in some terminals.
		const prefix = `${stamp()}${view.figures.phase[lang]} `;
		screen.draw(fitProgress(prefix, view, lang, now, Math.max(20, screen.columns() - 1)));
		drawn = true;
		behind = false;
		drawnAt = now;
	};

	const endProgress = () => {
		if (behind) draw(clock());
		if (drawn) screen?.end();
		drawn = false;
	};

	return {
		lang,
		elapsed,
		line(text) {
			endProgress();
			out(`${stamp()}${text[lang]}`);
		},
		progress(figures) {
			const now = clock();
			const newPhase = view?.figures.phase.en !== figures.phase.en;
			if (screen) {
				// A finished phase keeps its last figures on a line of their own.
				if (newPhase) endProgress();
				view = nextView(view, figures, now);
				behind = true;
				if (newPhase || now - drawnAt >= redrawEveryMs) draw(now);
				return;
			}

			view = nextView(view, figures, now);

			if (!newPhase && now - printedAt < plainProgressEveryMs) return;
			printedAt = now;
			out(`${stamp()}${progressLine(view, lang, now)}`);
		},
		endProgress,
	};
}
