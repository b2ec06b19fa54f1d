/** Colours and status glyphs. NO_COLOR (https://no-color.org) turns every colour off. */
import type {TaskStatus} from '../engine/store.ts';

const noColor = 'NO_COLOR' in process.env && process.env['NO_COLOR'] !== '';

export function color(name: string): string | undefined {
	return noColor ? undefined : name;
}

export const statusGlyph: Record<Exclude<TaskStatus, 'running'>, string> = {
	pending: '·',
	done: '✔',
	'already-done': '✔',
	checked: '✔',
	skipped: '↷',
	failed: '✖',
};

export const statusColor: Record<TaskStatus, string> = {
	pending: 'gray',
	running: 'yellow',
	done: 'green',
	'already-done': 'green',
	checked: 'green',
	skipped: 'gray',
	failed: 'red',
};

/** Braille spinner, one frame per screen frame. */
export const spinnerFrames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;
