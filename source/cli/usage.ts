/** Usage and `--help` text, rendered from the command definitions in the user's language. */
import type {Lang} from '../core/text.ts';
import type {CommandSpec, OptionSpec} from './spec.ts';

const words = {
	usage: {ru: 'Запуск', en: 'Usage'},
	options: {ru: 'Параметры', en: 'Options'},
	commands: {ru: 'Команды', en: 'Commands'},
	values: {ru: 'значения', en: 'values'},
	wizard: {ru: '(без команды)', en: '(no command)'},
};

function optionLabel(option: OptionSpec): string {
	const long = `--${option.name}${option.value ? ` ${option.value.hint}` : ''}`;
	return option.short ? `-${option.short}, ${long}` : long;
}

function optionLines(options: readonly OptionSpec[], lang: Lang): string[] {
	const width = Math.max(...options.map(option => optionLabel(option).length)) + 2;
	return options.flatMap(option => {
		const lines = [`  ${optionLabel(option).padEnd(width)}${option.help[lang]}`];
		const choices = option.value?.choices?.();
		if (choices && choices.length > 2) lines.push(`  ${''.padEnd(width)}${words.values[lang]}: ${choices.join(', ')}`);
		return lines;
	});
}

export function synopsis(spec: CommandSpec): string {
	const positionals = (spec.positionals ?? []).map(item => ` ${item.name}`).join('');
	const rest = spec.rest ? ` -- ${spec.rest}` : '';
	return `pgha${spec.name ? ` ${spec.name}` : ''}${positionals} [options]${rest}`;
}

/** One command's usage: synopsis, what it does, every option it accepts. */
export function commandUsage(spec: CommandSpec, lang: Lang, subcommands: readonly CommandSpec[] = []): string {
	const lines = [`${words.usage[lang]}: ${synopsis(spec)}`, `  ${spec.summary[lang]}`];
	if (subcommands.length > 0) {
		lines.push('', `${words.commands[lang]}:`);
		const width = Math.max(...subcommands.map(sub => synopsis(sub).length)) + 2;
		for (const sub of subcommands) lines.push(`  ${synopsis(sub).padEnd(width)}${sub.summary[lang]}`);
	}

	lines.push('', `${words.options[lang]}:`, ...optionLines(spec.options, lang));
	return `${lines.join('\n')}\n`;
}

/** `pgha --help`: both languages in the first lines (read before a language is chosen), then the commands. */
export function topHelp(commands: readonly CommandSpec[], lang: Lang): string {
	const wizard = commands.find(spec => spec.name === '')!;
	const lines = [
		'pgha: build and test a highly available PostgreSQL cluster (etcd + Patroni + HAProxy) over SSH',
		'pgha: сборка и проверка отказоустойчивого кластера PostgreSQL (etcd + Patroni + HAProxy) по SSH',
		'',
		`${words.usage[lang]}: pgha [command] [options]`,
	];
	for (const spec of commands) lines.push(`  ${(spec.name || words.wizard[lang]).padEnd(14)} ${spec.summary[lang]}`);
	lines.push('', `${words.options[lang]} (pgha):`, ...optionLines(wizard.options, lang), '', `pgha COMMAND --help`);
	return `${lines.join('\n')}\n`;
}
