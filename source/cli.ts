import {readFileSync} from 'node:fs';
import type {Lang} from './core/text.ts';
import type {ParsedArgs} from './cli-args.ts';
import {detectLang} from './core/text.ts';
import {langOnLine, parseCommandLine} from './cli/parse.ts';
import {CliUsageError} from './cli/messages.ts';
import {commandUsage, topHelp} from './cli/usage.ts';
import {commands as commandSpecs, type CommandLine} from './cli/parse.ts';
import {labCommands, practiceCommands} from './cli/spec.ts';
import {subcommandsOf} from './cli/parse.ts';

export type CommandRunner = (args: ParsedArgs) => Promise<number>;

const runners: Record<string, () => Promise<CommandRunner>> = {
	'': async () => (await import('./commands/wizard.ts')).run,
	apply: async () => (await import('./commands/apply.ts')).run,
	status: async () => (await import('./commands/status.ts')).run,
	test: async () => (await import('./commands/test.ts')).run,
	runbook: async () => (await import('./commands/runbook.ts')).run,
	doctor: async () => (await import('./commands/doctor.ts')).run,
	practice: async () => (await import('./commands/practice.ts')).run,
	lab: async () => (await import('./commands/lab.ts')).run,
};

export function helpText(lang = detectLang()): string {
	return topHelp(commandSpecs, lang);
}

export function version(): string {
	const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string};
	return pkg.version;
}

function usageOf(name: string, lang: Lang): string {
	if (name === '') return helpText(lang);
	const spec = [...commandSpecs, ...labCommands, ...practiceCommands].find(item => item.name === name)!;
	return commandUsage(spec, lang, subcommandsOf(name));
}

export async function main(argv: readonly string[]): Promise<number> {
	const lang = langOnLine(argv) ?? detectLang();
	let line: CommandLine;
	try {
		line = parseCommandLine(argv, {interactive: Boolean(process.stdout.isTTY && process.stdin.isTTY)});
	} catch (error) {
		if (!(error instanceof CliUsageError)) throw error;
		const name = error.command;
		process.stderr.write(`pgha${name ? ` ${name}` : ''}: ${error.say(lang)}\n\n${usageOf(name, lang)}`);
		return error.exitCode;
	}

	if (line.kind === 'version') {
		process.stdout.write(`${version()}\n`);
		return 0;
	}

	if (line.kind === 'help') {
		process.stdout.write(line.spec.name === '' ? helpText(lang) : commandUsage(line.spec, lang, line.subcommands));
		return 0;
	}

	const run = await runners[line.args.command]!();
	try {
		return await run(line.args);
	} catch (error) {
		// Whatever a command did not turn into a sentence itself: still a sentence, never a stack trace.
		const {reportError} = await import('./app/report-error.ts');
		return reportError(error, lang);
	}
}
