/**
 * The command line, parsed by Node's own strict parser (util.parseArgs) against one definition per
 * command. Anything it cannot run exactly as typed is a CliUsageError: unknown options and commands
 * (with the nearest known one), missing or empty values, values outside their set, options that
 * contradict each other. All of it is decided before a file is read, a password asked or a node touched.
 */
import {parseArgs, type ParseArgsConfig} from 'node:util';
import type {Lang, Text} from '../core/text.ts';
import type {ParsedArgs} from '../cli-args.ts';
import {closestMatch} from './closest.ts';
import {conflictIn, type RunContext} from './conflicts.ts';
import {CliUsageError, cliMsg} from './messages.ts';
import {labCommands, practiceCommands, topCommands, type CommandSpec, type OptionSpec} from './spec.ts';
import {allStageIds, allTestChoices} from './stage-selection.ts';

export type CommandLine =
	| {readonly kind: 'help'; readonly spec: CommandSpec; readonly subcommands: readonly CommandSpec[]}
	| {readonly kind: 'version'}
	| {readonly kind: 'run'; readonly args: ParsedArgs};

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

let stageIdCache: readonly string[] | undefined;
const stageIds = (): readonly string[] => (stageIdCache ??= allStageIds());

let testChoiceCache: readonly string[] | undefined;
const testChoiceList = (): readonly string[] => (testChoiceCache ??= allTestChoices());

export const commands = topCommands(stageIds, testChoiceList);

// Every string value is collected as a list so a repeated option is seen, not silently replaced.
function nodeOptions(options: readonly OptionSpec[]): NonNullable<ParseArgsConfig['options']> {
	return Object.fromEntries(options.map(option => [option.name, {
		type: option.value ? 'string' as const : 'boolean' as const,
		...(option.short ? {short: option.short} : {}),
		...(option.value ? {multiple: true} : {}),
	}]));
}

/** Tokens without rejecting anything: used to find the command word and to explain a rejection. */
function looseTokens(args: readonly string[], options: readonly OptionSpec[]): Token[] {
	return parseArgs({args: [...args], options: nodeOptions(options), strict: false, allowPositionals: true, tokens: true}).tokens;
}

/** The first word that is not an option (nor an option's value): the command, and the rest of argv. */
function splitCommand(args: readonly string[], specs: readonly CommandSpec[]): {word?: string; rest: string[]} {
	const options = uniqueOptions(specs.flatMap(spec => spec.options));
	const first = looseTokens(args, options).find(token => token.kind === 'positional' || token.kind === 'option-terminator');
	if (!first || first.kind !== 'positional') return {rest: [...args]};
	return {word: first.value, rest: args.filter((_, index) => index !== first.index)};
}

function uniqueOptions(options: readonly OptionSpec[]): OptionSpec[] {
	return [...new Map(options.map(option => [option.name, option])).values()];
}

const display = (option: OptionSpec): string => `--${option.name}`;

/** Why strict parsing refused: the first offending token, as a sentence. */
function explainRejection(spec: CommandSpec, args: readonly string[], error: unknown): CliUsageError {
	for (const token of looseTokens(args, spec.options)) {
		if (token.kind !== 'option') continue;
		const option = spec.options.find(item => item.name === token.name);
		if (!option) {
			const names = spec.options.flatMap(item => [`--${item.name}`, ...(item.short ? [`-${item.short}`] : [])]);
			return new CliUsageError(cliMsg.unknownOption(token.rawName, closestMatch(token.rawName, names)), spec.name);
		}

		if (option.value && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-') && token.value !== '-'))) {
			return new CliUsageError(cliMsg.missingValue(token.rawName, option.value.hint), spec.name);
		}

		if (!option.value && token.value !== undefined) return new CliUsageError(cliMsg.noValueTaken(token.rawName), spec.name);
	}

	const detail = error instanceof Error ? error.message.split('\n')[0]! : String(error);
	return new CliUsageError({ru: detail, en: detail}, spec.name);
}

const controlCharacter = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const noControl: Text = {ru: 'значение без управляющих символов', en: 'control characters are not allowed'};

/** One option's values, checked and normalised (lists joined with commas). */
function optionValue(spec: CommandSpec, option: OptionSpec, raw: readonly string[]): string {
	const value = option.value!;
	const label = display(option);
	const distinct = [...new Set(raw)];
	if (!value.list && distinct.length > 1) throw new CliUsageError(cliMsg.givenTwice(label, distinct[0]!, distinct[1]!), spec.name);
	const items = value.list ? raw.flatMap(item => item.split(',')).map(item => item.trim()) : [raw[0]!];
	const present = items.filter(item => item !== '');
	if (present.length === 0 || (!value.list && items[0]!.trim() === '')) throw new CliUsageError(cliMsg.emptyValue(label), spec.name);
	for (const item of present) {
		if (controlCharacter.test(item)) throw new CliUsageError(cliMsg.badValue(label, JSON.stringify(item).slice(1, -1), noControl), spec.name);
		const allowed = value.choices?.();
		if (allowed && !allowed.includes(item)) throw new CliUsageError(cliMsg.notInSet(label, item, allowed, closestMatch(item, allowed)), spec.name);
		const problem = value.check?.(item);
		if (problem) throw new CliUsageError(cliMsg.badValue(label, item, problem), spec.name);
	}

	return value.list ? [...new Set(present)].join(',') : present[0]!;
}

interface Parsed {
	readonly flags: Map<string, string | true>;
	readonly positionals: string[];
	readonly rest: string[];
	readonly terminated: boolean;
}

function strictParse(spec: CommandSpec, args: readonly string[]): Parsed {
	let result;
	try {
		result = parseArgs({args: [...args], options: nodeOptions(spec.options), strict: true, allowPositionals: true, tokens: true});
	} catch (error) {
		throw explainRejection(spec, args, error);
	}

	const flags = new Map<string, string | true>();
	for (const option of spec.options) {
		const raw = result.values[option.name];
		if (raw === undefined) continue;
		flags.set(option.name, option.value ? optionValue(spec, option, raw as string[]) : true);
	}

	const terminator = result.tokens.find(token => token.kind === 'option-terminator');
	const positionals: string[] = [];
	const rest: string[] = [];
	for (const token of result.tokens) {
		if (token.kind !== 'positional') continue;
		(terminator && token.index > terminator.index ? rest : positionals).push(token.value);
	}

	return {flags, positionals, rest, terminated: terminator !== undefined};
}

function checkPositionals(spec: CommandSpec, parsed: Parsed): void {
	const expected = spec.positionals ?? [];
	if (parsed.positionals.length > expected.length) throw new CliUsageError(cliMsg.unexpectedArgument(parsed.positionals[expected.length]!), spec.name);
	for (const [index, item] of expected.entries()) {
		const value = parsed.positionals[index];
		if (value === undefined) throw new CliUsageError(cliMsg.missingArgument(item.name), spec.name);
		const problem = item.check?.(value);
		if (problem) throw new CliUsageError(cliMsg.badArgument(item.name, value, problem), spec.name);
	}

	if (spec.rest && parsed.rest.length === 0) throw new CliUsageError(cliMsg.restMissing(spec.rest), spec.name);
	if (!spec.rest && parsed.rest.length > 0) throw new CliUsageError(cliMsg.unexpectedArgument(parsed.rest[0]!), spec.name);
}

function wantsHelp(spec: CommandSpec, args: readonly string[]): boolean {
	return looseTokens(args, spec.options).some(token => token.kind === 'option' && token.name === 'help');
}

function unknownCommand(word: string, specs: readonly CommandSpec[], within: string): CliUsageError {
	const names = specs.map(spec => spec.name.split(' ').at(-1)!).filter(Boolean);
	return new CliUsageError(cliMsg.unknownCommand(word, closestMatch(word, names)), within);
}

export function subcommandsOf(name: string | undefined): readonly CommandSpec[] {
	return name === 'lab' ? labCommands : name === 'practice' ? practiceCommands : [];
}

function parseLab(args: readonly string[], context: RunContext): CommandLine {
	const lab = commands.find(spec => spec.name === 'lab')!;
	const {word, rest} = splitCommand(args, labCommands);
	if (word === undefined || word === 'help') {
		if (word === 'help' || wantsHelp(lab, args)) return {kind: 'help', spec: lab, subcommands: labCommands};
		throw new CliUsageError(cliMsg.whichLabCommand(), 'lab');
	}

	const spec = labCommands.find(item => item.name === `lab ${word}`);
	if (!spec) throw unknownCommand(word, labCommands, 'lab');
	return finish(spec, rest, context, 'lab', [word]);
}

/** `pgha practice [options]` starts a scenario; `pgha practice hint|check|undo` follow it up. */
function parsePractice(args: readonly string[], context: RunContext): CommandLine {
	const practice = commands.find(spec => spec.name === 'practice')!;
	const {word, rest} = splitCommand(args, [practice, ...practiceCommands]);
	if (word === undefined && !wantsHelp(practice, args)) return finish(practice, args, context, 'practice');
	if (word === undefined || word === 'help') return {kind: 'help', spec: practice, subcommands: practiceCommands};
	const spec = practiceCommands.find(item => item.name === `practice ${word}`);
	if (!spec) throw unknownCommand(word, practiceCommands, 'practice');
	return finish(spec, rest, context, 'practice', [word]);
}

/** Parse, check and build what the commands read. */
function finish(spec: CommandSpec, args: readonly string[], context: RunContext, command: string, leading: readonly string[] = []): CommandLine {
	if (wantsHelp(spec, args)) return {kind: 'help', spec, subcommands: []};
	const parsed = strictParse(spec, args);
	if (parsed.flags.has('version')) return {kind: 'version'};
	checkPositionals(spec, parsed);
	const conflict = conflictIn(command, parsed.flags, context);
	if (conflict) throw new CliUsageError(conflict, spec.name);
	return {kind: 'run', args: {command, positionals: [...leading, ...parsed.positionals], flags: parsed.flags, rest: parsed.rest}};
}

export function parseCommandLine(argv: readonly string[], context: RunContext): CommandLine {
	const {word, rest} = splitCommand(argv, commands);
	if (word === 'help') {
		const target = commands.find(spec => spec.name !== '' && spec.name === rest.find(item => !item.startsWith('-')));
		return {kind: 'help', spec: target ?? commands[0]!, subcommands: subcommandsOf(target?.name)};
	}

	if (word === 'lab') return parseLab(rest, context);
	if (word === 'practice') return parsePractice(rest, context);
	const spec = commands.find(item => item.name === (word ?? ''));
	if (!spec) throw unknownCommand(word!, commands, '');
	return finish(spec, rest, context, spec.name);
}

/** The language a rejection is told in: a valid --lang on the line, else the locale's. */
export function langOnLine(argv: readonly string[]): Lang | undefined {
	const lang = commands[0]!.options.find(option => option.name === 'lang')!;
	for (const token of looseTokens(argv, [lang])) {
		if (token.kind === 'option' && token.name === 'lang' && (token.value === 'ru' || token.value === 'en')) return token.value;
	}

	return undefined;
}
