/** The shape every node-touching command shares: open a session, run, always close it. */
import {flagString, type ParsedArgs} from '../cli-args.ts';
import {defaultClusterFile} from '../config/load.ts';
import {rememberedLang} from '../config/remembered-lang.ts';
import {detectLang, parseLang, type Lang} from '../core/text.ts';
import {openSession, type Session} from './session.ts';
import {reportError} from './report-error.ts';
import type {PipelineResult} from '../engine/types.ts';
import type {ConfigIssue} from '../core/cluster.ts';

export interface CommandContext {
	readonly configFile: string;
	readonly lang: Lang;
	readonly interactive: boolean;
}

export function commonOptions(args: ParsedArgs): CommandContext {
	const configFile = flagString(args, 'c', 'config') ?? defaultClusterFile;
	return {
		configFile,
		lang: parseLang(flagString(args, 'lang')) ?? rememberedLang(configFile) ?? detectLang(),
		interactive: Boolean(process.stdout.isTTY && process.stdin.isTTY),
	};
}

/** Opens the session (errors become one clear message and an exit code), runs `body`, closes. */
export async function withSession(args: ParsedArgs, body: (session: Session, context: CommandContext) => Promise<number>): Promise<number> {
	const context = commonOptions(args);
	let session: Session;
	try {
		session = await openSession({...context, onWarnings: warnings => printWarnings(warnings, context.lang)});
	} catch (error) {
		return reportError(error, context.lang);
	}

	try {
		return await body(session, context);
	} finally {
		session.close();
	}
}

/** Each on its own line, in the user's language (the text already starts with its field). */
export function printWarnings(warnings: readonly ConfigIssue[], lang: Lang): void {
	for (const warning of warnings) process.stderr.write(`${lang === 'ru' ? 'предупреждение' : 'warning'}: ${warning.text[lang]}\n`);
}

/** The failed nodes of a run that stopped, each named once, with its log file. */
export function reportFailures(result: PipelineResult, lang: Lang): void {
	const failed = result.stages.find(stage => stage.status === 'failed');
	for (const failure of failed?.failures ?? []) {
		const message = failure.text ? failure.text[lang] : failure.message;
		// Step errors usually name their node already ("pg-node-2: ..."): say it once.
		const line = message.startsWith(`${failure.node}:`) ? message : `${failure.node}: ${message}`;
		process.stderr.write(`${line}\n  log: ${failure.logFile}\n`);
	}
}
