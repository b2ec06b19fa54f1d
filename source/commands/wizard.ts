/**
 * `pgha` with no command: the guided setup. All questions are asked with inquirer before Ink mounts;
 * from then on Ink is the only thing reading the keyboard.
 */
import {existsSync} from 'node:fs';
import path from 'node:path';
import {confirm} from '@inquirer/prompts';
import {flagString, hasFlag, type ParsedArgs} from '../cli-args.ts';
import {defaultClusterFile, loadClusterFile, saveClusterFile} from '../config/load.ts';
import {pghaPaths} from '../config/paths.ts';
import {rememberedLang, rememberLang} from '../config/remembered-lang.ts';
import {readState, setAsideUnusableState, StateFile, summarizeStages} from '../engine/state.ts';
import {detectLang, parseLang, type Lang} from '../core/text.ts';
import {openSession} from '../app/session.ts';
import {courseStages, createTestStage, testStage} from '../../steps/index.ts';
import type {Stage} from '../core/stage.ts';
import {testOnlyFromEnv} from '../app/test-only.ts';
import {runStages} from '../app/run-stages.ts';
import {checkHealth} from '../app/health.ts';
import {reportError} from '../app/report-error.ts';
import {printWarnings} from '../app/with-session.ts';
import {inquirerPrompter, type Prompter} from '../wizard/prompter.ts';
import {askLanguage, askSetup} from '../wizard/setup-questions.ts';
import {askResume} from '../wizard/resume-choice.ts';
import {buildSummary} from '../wizard/summary.ts';
import {askPracticeLab, askWhereabouts, hostFacts, practiceLabBlocker, practiceLabCluster, readyLab, releaseOf} from '../wizard/practice-lab.ts';
import {labPassword} from '../lab/settings.ts';

/** A new cluster: where it lives, then the questions for that place; the answers are saved before anything runs. */
async function setUpNewCluster(prompter: Prompter, lang: Lang, configFile: string): Promise<'ready' | 'declined'> {
	const say = (text: string) => process.stdout.write(text);
	const where = await askWhereabouts(prompter, lang, practiceLabBlocker(hostFacts()), say);
	if (where === 'machines') {
		const answers = await askSetup({lang, prompter});
		await saveClusterFile(answers, configFile);
		say(lang === 'ru' ? `Ответы сохранены в ${configFile}\n` : `Answers saved to ${configFile}\n`);
		return 'ready';
	}

	const choices = await askPracticeLab(prompter, lang);
	// Built first: the cluster file names the etcd release the build serves.
	const readiness = await readyLab({release: choices.release, clusterFile: configFile, lang, reuseRunning: false, confirmRestart: async message => prompter.confirm({message, default: true}), beforeUp: async () => {
		await saveClusterFile(practiceLabCluster(choices), configFile);
		say(lang === 'ru' ? `Ответы сохранены в ${configFile}\n` : `Answers saved to ${configFile}\n`);
	}});
	return readiness;
}

/** A lab cluster file on a later start: the lab may be down (a reboot, pgha lab down); bring it back. */
async function resumeLab(prompter: Prompter, lang: Lang, configFile: string): Promise<'ready' | 'declined' | 'not-lab'> {
	const {config} = await loadClusterFile(configFile);
	if (!config.lab) return 'not-lab';
	return readyLab({release: releaseOf(config.lab), clusterFile: configFile, lang, reuseRunning: true, confirmRestart: async message => prompter.confirm({message, default: true})});
}

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
	let stages: Stage[] = [];
	try {
		lang = await chooseLanguage(args, prompter, fresh, configFile);
		// Made once the language is known: the test stage's lines before each fault speak it.
		stages = courseStages({test: true}).map(stage => (stage.id === testStage.id ? createTestStage({lang, ...(only ? {only} : {})}) : stage));
		if (fresh) {
			if ((await setUpNewCluster(prompter, lang, configFile)) === 'declined') return 0;
		} else {
			if ((await resumeLab(prompter, lang, configFile)) === 'declined') return 0;
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
		// The lab's login is public and fixed: a student rehearsing on it is not asked for it.
		if (process.env.PGHA_SSH_PASSWORD === undefined && (await loadClusterFile(configFile)).config.lab) process.env.PGHA_SSH_PASSWORD = labPassword;
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
