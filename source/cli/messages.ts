/** The sentences of a rejected command line, in Russian and English; each names the option or word. */
import {LocalizedError} from '../core/error.ts';
import type {Text} from '../core/text.ts';

const hint = (suggestion: string | undefined): Text =>
	suggestion ? {ru: ` Может быть, ${suggestion}?`, en: ` Did you mean ${suggestion}?`} : {ru: '', en: ''};

function join(first: Text, second: Text): Text {
	return {ru: first.ru + second.ru, en: first.en + second.en};
}

export const cliMsg = {
	unknownCommand: (word: string, suggestion?: string) =>
		join({ru: `неизвестная команда "${word}".`, en: `unknown command "${word}".`}, hint(suggestion)),
	unknownOption: (raw: string, suggestion?: string) =>
		join({ru: `неизвестный параметр ${raw}.`, en: `unknown option ${raw}.`}, hint(suggestion)),
	missingValue: (option: string, valueHint: string) =>
		({ru: `${option}: не указано значение (${option} ${valueHint}).`, en: `${option} needs a value (${option} ${valueHint}).`}),
	emptyValue: (option: string) =>
		({ru: `${option}: пустое значение.`, en: `${option}: the value is empty.`}),
	noValueTaken: (option: string) =>
		({ru: `${option} не принимает значения.`, en: `${option} takes no value.`}),
	notInSet: (option: string, value: string, allowed: readonly string[], suggestion?: string) =>
		join({ru: `${option}: "${value}" — допустимо одно из: ${allowed.join(', ')}.`, en: `${option}: "${value}" is not one of ${allowed.join(', ')}.`}, hint(suggestion)),
	badValue: (option: string, value: string, why: Text) =>
		({ru: `${option}: "${value}" — нужно: ${why.ru}.`, en: `${option}: "${value}" is not valid: ${why.en}.`}),
	givenTwice: (option: string, first: string, second: string) =>
		({ru: `${option} указан дважды ("${first}" и "${second}"): оставьте один.`, en: `${option} is given twice ("${first}" and "${second}"): keep one.`}),
	unexpectedArgument: (word: string) =>
		({ru: `лишний аргумент "${word}".`, en: `unexpected argument "${word}".`}),
	missingArgument: (name: string) =>
		({ru: `не указан ${name}.`, en: `${name} is missing.`}),
	badArgument: (name: string, value: string, why: Text) =>
		({ru: `${name}: "${value}" — нужно: ${why.ru}.`, en: `${name}: "${value}" is not valid: ${why.en}.`}),
	restMissing: (name: string) =>
		({ru: `после -- нужна команда ${name} (например: pgha lab exec 1 -- hostname).`, en: `the ${name} to run goes after -- (e.g. pgha lab exec 1 -- hostname).`}),
	restNotTaken: () =>
		({ru: 'после -- ничего не ожидается.', en: 'nothing is expected after --.'}),
	listAlone: (option: string) =>
		({ru: `--list только показывает список сценариев; ${option} с ним ничего не делает.`, en: `--list only shows the scenarios; ${option} does nothing with it.`}),
	whichLabCommand: () =>
		({ru: 'укажите команду лаборатории.', en: 'which lab command?'}),
	nothingSelected: (from: string, only: string) =>
		({ru: `--from ${from} и --only ${only} вместе не выбирают ни одного этапа.`, en: `--from ${from} and --only ${only} together select no stage.`}),
	hostStageLeftOut: (option: string, stage: string) =>
		({ru: `${option} ${stage}: это этап на этом компьютере, а --no-host такие этапы исключает.`, en: `${option} ${stage}: that stage runs on this computer, and --no-host leaves such stages out.`}),
	forceWithoutOutput: () =>
		({ru: '--force имеет смысл только вместе с -o ФАЙЛ.', en: '--force only applies together with -o FILE.'}),
	stepNeedsTerminal: () =>
		({ru: '--step задаёт вопросы перед каждым этапом, а терминала нет.', en: '--step asks before each stage, and there is no terminal to ask in.'}),
} satisfies Record<string, (...args: any[]) => Text>;

/** A command line that cannot be run: exit 2, the sentence, the command's usage. Nothing was done. */
export class CliUsageError extends LocalizedError {
	override readonly name = 'CliUsageError';
	constructor(
		text: Text,
		/** The command whose usage is shown ("" for pgha itself). */
		readonly command: string,
	) {
		super(text, {exit: 'usage'});
	}
}
