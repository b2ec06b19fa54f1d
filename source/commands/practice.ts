/**
 * `pgha practice [--scenario NAME] [--list] [--yes]`, `pgha practice hint|check|undo`: break a
 * healthy cluster on purpose, hint, verify the student's fix from the nodes, or put it back.
 * The work is in source/practice/flow.ts; here the real session, doctor and prompt are wired in.
 */
import {setTimeout as sleep} from 'node:timers/promises';
import {confirm} from '@inquirer/prompts';
import {flagString, hasFlag, type ParsedArgs} from '../cli-args.ts';
import {commonOptions, printWarnings} from '../app/with-session.ts';
import {openSession, type Session} from '../app/session.ts';
import {reportError} from '../app/report-error.ts';
import {collectFacts} from '../doctor/collect.ts';
import {diagnose} from '../doctor/rules/index.ts';
import {loadClusterFile} from '../config/load.ts';
import {catalogText, practiceMsg, checkPractice, hintPractice, startPractice, undoPractice, type PracticeIo} from '../practice/flow.ts';
import {progressFileFor} from '../practice/progress.ts';

export async function run(args: ParsedArgs): Promise<number> {
	const context = commonOptions(args);
	const action = args.positionals[0];
	if (action === undefined && hasFlag(args, 'list')) {
		process.stdout.write(catalogText(context.lang));
		return 0;
	}

	// The student's own VMs with no terminal to ask in and no --yes: refused before the password prompt and the connections.
	if (action === undefined && !hasFlag(args, 'yes') && !context.interactive) {
		try {
			const {config} = await loadClusterFile(context.configFile);
			if (!config.lab) {
				process.stderr.write(`pgha practice: ${practiceMsg.noConfirm[context.lang]}\n`);
				return 2;
			}
		} catch (error) {
			return reportError(error, context.lang);
		}
	}

	let session: Session;
	try {
		session = await openSession({...context, onWarnings: warnings => printWarnings(warnings, context.lang)});
	} catch (error) {
		return reportError(error, context.lang);
	}

	const io: PracticeIo = {
		cluster: session.cluster,
		secrets: session.secrets,
		remotes: session.remotes,
		progressFile: progressFileFor(session.paths.dir),
		lang: context.lang,
		examine: async () => {
			const facts = await collectFacts(session.cluster, session.secrets, session.remotes, session.unreachable);
			return {facts, findings: diagnose(facts)};
		},
		confirm: context.interactive ? async question => confirm({message: question[context.lang], default: false}) : undefined,
		print: line => process.stdout.write(`${line}\n`),
		now: () => new Date(),
		random: Math.random,
		sleep: async ms => {
			await sleep(ms);
		},
	};
	try {
		if (action === 'hint') return await hintPractice(io);
		if (action === 'check') return await checkPractice(io);
		if (action === 'undo') return await undoPractice(io);
		return await startPractice(io, {scenario: flagString(args, 'scenario'), yes: hasFlag(args, 'yes')});
	} finally {
		session.close();
	}
}
