/** The questions asked before Ink mounts, behind an interface so tests can answer them. */
import {confirm, input, password, select} from '@inquirer/prompts';

export interface Choice<T extends string> {
	readonly value: T;
	readonly name: string;
	readonly description?: string;
}

export interface Prompter {
	input(options: {message: string; default?: string; validate?: (value: string) => boolean | string | Promise<boolean | string>}): Promise<string>;
	password(options: {message: string}): Promise<string>;
	select<T extends string>(options: {message: string; choices: ReadonlyArray<Choice<T>>; default?: T}): Promise<T>;
	confirm(options: {message: string; default?: boolean}): Promise<boolean>;
}

export const inquirerPrompter: Prompter = {
	input: async options => input(options),
	// mask: false: nothing is echoed, not even stars.
	password: async options => password({message: options.message, mask: false}),
	select: async options => select({message: options.message, choices: [...options.choices], default: options.default}),
	confirm: async options => confirm(options),
};
