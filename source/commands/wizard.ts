/**
 * `pgha` with no command: the guided setup. All questions are asked with inquirer before Ink mounts;
 * from then on Ink is the only thing reading the keyboard.
 */
import {existsSync} from 'node:fs';
import path from 'node:path';
import {confirm} from '@inquirer/prompts';
import {flagString, hasFlag, type ParsedArgs} from '../cli-args.ts';
import {defaultClusterFile, saveClusterFile} from '../config/load.ts';
import {pghaPaths} from '../config/paths.ts';
import {rememberedLang, rememberLang} from '../config/remembered-lang.ts';
import {readState, setAsideUnusableState, StateFile, summarizeStages} from '../engine/state.ts';
import {detectLang, parseLang, type Lang} from '../core/text.ts';
import {openSession} from '../app/session.ts';
import {courseStages, createTestStage, testStage} from '../../steps/index.ts';
import {testOnlyFromEnv} from '../app/test-only.ts';
import {runStages} from '../app/run-stages.ts';
import {checkHealth} from '../app/health.ts';
import {reportError} from '../app/report-error.ts';
import {printWarnings} from '../app/with-session.ts';
import {inquirerPrompter, type Prompter} from '../wizard/prompter.ts';
import {askLanguage, askSetup} from '../wizard/setup-questions.ts';
import {askResume} from '../wizard/resume-choice.ts';
import {buildSummary} from '../wizard/summary.ts';

async function chooseLanguage(args: ParsedArgs, prompter: Prompter, fresh: boolean, configFile: string): Promise<Lang> {
	const fromFlag = parseLang(flagString(args, 'lang'));
	if (fromFlag) return fromFlag;
	if (!fresh) return rememberedLang(configFile) ?? detectLang();
	const chosen = await askLanguage(prompter, detectLang());
	await rememberLang(configFile, chosen);
	return chosen;
}

export async function run(args: ParsedArgs): Promise<number> {
	const configFile = path.resolve(flagString(args, 'c', 'config') ?? defaultClusterFile);
	const interactive = Boolean(process.stdout.isTTY && process.stdin.isTTY);
	const fresh = !existsSync(configFile);
	let lang = parseLang(flagString(args, 'lang')) ?? rememberedLang(configFile) ?? detectLang();
	if (!interactive) {
		process.stderr.write(
			fresh
				? `No terminal to ask questions in, and ${configFile} does not exist. Create it (see readme.md) and run: pgha apply -c ${configFile} / Нет терминала для вопросов и нет файла кластера.\n`
				: `No terminal: use pgha apply -c ${configFile} for a run without questions. / Нет терминала: используйте pgha apply.\n`,
		);
		return 2;
	}

	const prompter = inquirerPrompter(() => lang);
	const only = testOnlyFromEnv();
	let stages = courseStages({test: true}).map(stage => (only && stage.id === testStage.id ? createTestStage({only}) : stage));
	try {
		lang = await chooseLanguage(args, prompter, fresh, configFile);
		if (fresh) {
			const answers = await askSetup({lang, prompter});
			await saveClusterFile(answers, configFile);
			process.stdout.write(lang === 'ru' ? `Ответы сохранены в ${configFile}\n` : `Answers saved to ${configFile}\n`);
		} else {
			const paths = pghaPaths(configFile);
			// Said before the resume screen, which would otherwise show an unusable state as "nothing done".
			const notice = await setAsideUnusableState(paths.stateFile);
			if (notice) process.stderr.write(`${notice[lang]}\n`);
			const state = await readState(paths.stateFile);
			if (Object.keys(state.stages).length > 0) {
				const summaries = summarizeStages(state, stages);
				const choice = await askResume(prompter, stages, summaries, lang, text => process.stdout.write(text));
				if (choice.kind === 'quit') return 0;
				if (choice.kind === 'start-over') {
					const file = await StateFile.open(paths.stateFile);
					await file.clear();
				} else if (summaries.every(summary => summary.status === 'done')) {
					// Finished before: re-verify the cluster; the failover tests are re-run on request (pgha test).
					stages = courseStages();
				}
			}
		}
	} catch (error) {
		return reportError(error, lang);
	}

	let session;
	try {
		session = await openSession({
			configFile,
			lang,
			interactive,
			onWarnings: warnings => printWarnings(warnings, lang),
			onNewHostKey: async (fingerprint, node) =>
				confirm({
					message: lang === 'ru' ? `Новый узел ${node.name} (${node.ip}), ключ ${fingerprint}. Доверять?` : `New node ${node.name} (${node.ip}), key ${fingerprint}. Trust it?`,
					default: true,
				}),
		});
	} catch (error) {
		return reportError(error, lang);
	}

	try {
		const {result, interrupted, mounted} = await runStages({session, stages, lang, interactive, yes: hasFlag(args, 'yes'), stepMode: hasFlag(args, 'step')});
		try {
			if (!interrupted && result.status === 'done' && mounted) {
				const health = await checkHealth(session.cluster, session.secrets, session.remotes);
				mounted.ui.update(state => ({...state, summary: buildSummary(session.cluster, health, session.paths.secretsFile, configFile)}));
			}
		} finally {
			await mounted?.finish();
		}

		if (interrupted) {
			process.stdout.write(lang === 'ru' ? 'Прервано. Прогресс сохранён: запустите pgha снова, чтобы продолжить.\n' : 'Interrupted. Progress saved: start pgha again to continue.\n');
			return 130;
		}

		return result.status === 'done' ? 0 : 1;
	} finally {
		session.close();
	}
}
