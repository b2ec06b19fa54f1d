/**
 * The one error type that carries a translation. Every layer throws it (or a subclass), so whoever
 * reports an error asks `instanceof LocalizedError` instead of guessing from the object's shape.
 */
import type {Lang, Text} from './text.ts';

/** What kind of failure ended the command, and so the process exit code. */
export const exitCodes = {
	/** Something went wrong while working (a node, a step, a check). */
	failure: 1,
	/** The user asked for something that cannot be done as written (flags, cluster file). */
	usage: 2,
	/** A precondition is missing (e.g. the lab is not up). */
	notReady: 3,
} as const;

export type ExitClass = keyof typeof exitCodes;

export interface LocalizedErrorOptions {
	/** What to do next, said after the problem. */
	readonly fix?: Text;
	readonly exit?: ExitClass;
	readonly cause?: unknown;
}

export class LocalizedError extends Error {
	/** The problem, naming what it is about. */
	readonly text: Text;
	readonly fix?: Text;
	readonly exit: ExitClass;

	constructor(text: Text, options: LocalizedErrorOptions = {}) {
		super(sentence(text, options.fix, 'en'), options.cause === undefined ? undefined : {cause: options.cause});
		this.name = 'LocalizedError';
		this.text = text;
		this.fix = options.fix;
		this.exit = options.exit ?? 'failure';
	}

	/** The whole sentence in one language: the problem, then what to do. */
	say(lang: Lang): string {
		return sentence(this.text, this.fix, lang);
	}

	/** Both languages, problem and fix together. */
	get sentence(): Text {
		return {ru: this.say('ru'), en: this.say('en')};
	}

	get exitCode(): number {
		return exitCodes[this.exit];
	}
}

/** Problem and fix joined as one sentence; a full stop goes between them unless the problem ends a sentence. */
function sentence(text: Text, fix: Text | undefined, lang: Lang): string {
	const problem = text[lang];
	if (!fix) return problem;
	return /[.!?:;]$/.test(problem) ? `${problem} ${fix[lang]}` : `${problem}. ${fix[lang]}`;
}
