/** The lab's user-facing messages (Russian and English) and how they reach the terminal. */
import {LocalizedError, type ExitClass} from '../core/error.ts';
import type {Lang, Text} from '../core/text.ts';

export {pickLang, t, type Lang} from '../core/text.ts';

/** A failure the user can act on: the message says what to do; `exit` names the process exit code. */
export class LabError extends LocalizedError {
	constructor(text: Text, exit: ExitClass = 'failure') {
		super(text, {exit});
		this.name = 'LabError';
	}
}

/** Progress lines for long jobs: plain lines with elapsed seconds, fine for a TTY and for CI logs. */
export interface Reporter {
	readonly lang: Lang;
	line(text: Text): void;
	/** Seconds since the command started. */
	elapsed(): number;
}

export function reporter(lang: Lang, write: (line: string) => void = line => process.stdout.write(`${line}\n`)): Reporter {
	const started = Date.now();
	const elapsed = () => (Date.now() - started) / 1000;
	return {
		lang,
		elapsed,
		line(text) {
			write(`[${elapsed().toFixed(0).padStart(4)}s] ${text[lang]}`);
		},
	};
}
