/** A Prompter for tests: answers the questions in order and records what was asked. */
import type {Prompter} from '../../source/wizard/prompter.ts';

export interface Asked {
	readonly message: string;
	readonly choices?: readonly string[];
	readonly default?: unknown;
}

export interface Transcript {
	/** Validation messages shown for refused answers, as a student would see them while typing. */
	readonly refused: string[];
	readonly asked: Asked[];
}

/** Answers are typed text; a confirm takes 'y' as yes. Validation runs as it would while typing. */
export function scripted(answers: string[], transcript: Transcript = {refused: [], asked: []}): Prompter {
	const next = async (message: string, validate?: (value: string) => boolean | string | Promise<boolean | string>) => {
		for (;;) {
			const answer = answers.shift();
			if (answer === undefined) throw new Error(`no answer for: ${message}`);
			const verdict = validate ? await validate(answer) : true;
			if (verdict === true) return answer;
			transcript.refused.push(String(verdict));
		}
	};

	return {
		async input(options) {
			transcript.asked.push({message: options.message, default: options.default});
			return next(options.message, options.validate);
		},
		async password(options) {
			transcript.asked.push({message: options.message});
			return next(options.message);
		},
		async select(options) {
			transcript.asked.push({message: options.message, choices: options.choices.map(choice => choice.name), default: options.default});
			return (await next(options.message)) as never;
		},
		async confirm(options) {
			transcript.asked.push({message: options.message, default: options.default});
			return (await next(options.message)) === 'y';
		},
	};
}
