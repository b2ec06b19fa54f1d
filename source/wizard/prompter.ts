/** The questions asked before Ink mounts, behind an interface so tests can answer them. */
import {styleText} from 'node:util';
import {confirm, input, password, select} from '@inquirer/prompts';
import type {Lang} from '../core/text.ts';

export interface Choice<T extends string> {
	readonly value: T;
	readonly name: string;
	readonly description?: string;
	/** Shown greyed out with this reason, and cannot be chosen. */
	readonly disabled?: string;
}

export interface Prompter {
	input(options: {message: string; default?: string; validate?: (value: string) => boolean | string | Promise<boolean | string>}): Promise<string>;
	password(options: {message: string}): Promise<string>;
	select<T extends string>(options: {message: string; choices: ReadonlyArray<Choice<T>>; default?: T}): Promise<T>;
	confirm(options: {message: string; default?: boolean}): Promise<boolean>;
}

/** The select prompt's key hints ("↑↓ navigate • ⏎ select") in Russian. */
const russianKeyWords: Readonly<Record<string, string>> = {navigate: 'выбор', select: 'подтвердить'};

export function keysHelpTip(lang: Lang): (keys: Array<[key: string, action: string]>) => string {
	return keys => keys
		.map(([key, action]) => `${styleText('bold', key)} ${styleText('dim', lang === 'ru' ? russianKeyWords[action] ?? action : action)}`)
		.join(styleText('dim', ' • '));
}

/** Inquirer's prompts; `lang` is read at each question (the first one chooses it). */
export function inquirerPrompter(lang: () => Lang): Prompter {
	return {
		input: async options => input(options),
		// mask: false: nothing is echoed, not even stars.
		password: async options => password({message: options.message, mask: false}),
		select: async options => select({message: options.message, choices: [...options.choices], default: options.default, theme: {style: {keysHelpTip: keysHelpTip(lang())}}}),
		confirm: async options => confirm(options),
	};
}
