/** The lab's user-facing messages (Russian and English) and how they reach the terminal. */
import type {Text} from '../../steps/types.ts';

export type Lang = 'ru' | 'en';

/** A failure the user can act on: the message says what to do; `code` is the process exit code. */
export class LabError extends Error {
	constructor(
		readonly text: Text,
		readonly code = 1,
	) {
		super(text.en);
	}
}

export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
	if (flag === 'ru' || flag === 'en') return flag;
	const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
	return locale.toLowerCase().startsWith('ru') ? 'ru' : 'en';
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

export function t(ru: string, en: string): Text {
	return {ru, en};
}
