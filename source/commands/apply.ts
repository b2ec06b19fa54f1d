/**
 * `pgha apply -c FILE [--yes] [--from STAGE] [--only STAGE[,STAGE]]`: every stage without setup
 * questions; exits 0 only when the cluster is verified healthy afterwards.
 */
import {flagString, hasFlag, type ParsedArgs} from '../cli-args.ts';
import {defaultClusterFile} from '../config/load.ts';
import {detectLang, parseLang, type Lang} from '../i18n.ts';
import {openSession} from '../app/session.ts';
import {courseStages} from '../app/stages.ts';
import {runStages} from '../app/run-stages.ts';
import {checkHealth} from '../app/health.ts';
import {reportError} from '../app/report-error.ts';

export function commonOptions(args: ParsedArgs): {configFile: string; lang: Lang; interactive: boolean} {
	return {
		configFile: flagString(args, 'c', 'config') ?? defaultClusterFile,
		lang: parseLang(flagString(args, 'lang')) ?? detectLang(),
		interactive: Boolean(process.stdout.isTTY && process.stdin.isTTY),
	};
}

export async function run(args: ParsedArgs): Promise<number> {
	const {configFile, lang, interactive} = commonOptions(args);
	const only = flagString(args, 'only')?.split(',').map(value => value.trim()).filter(Boolean);
	let session;
	try {
		session = await openSession({configFile, lang, interactive});
	} catch (error) {
		return reportError(error, lang);
	}

	try {
		for (const warning of session.warnings) process.stderr.write(`warning: ${warning.field}: ${warning.message}\n`);
		const {result, interrupted, mounted} = await runStages({
			session,
			stages: courseStages({host: !hasFlag(args, 'no-host')}),
			lang,
			interactive,
			yes: hasFlag(args, 'yes', 'y'),
			from: flagString(args, 'from'),
			only,
			stepMode: hasFlag(args, 'step'),
		});
		await mounted?.finish();
		if (interrupted) {
			process.stderr.write(lang === 'ru' ? 'Прервано. Состояние сохранено: запустите снова, чтобы продолжить.\n' : 'Interrupted. State saved: run again to continue.\n');
			return 130;
		}

		if (result.status !== 'done') {
			const failed = result.stages.find(stage => stage.status === 'failed');
			for (const failure of failed?.failures ?? []) {
				const message = failure.text ? failure.text[lang] : failure.message;
				// Step errors usually name their node already ("pg-node-2: ..."): say it once.
				const line = message.startsWith(`${failure.node}:`) ? message : `${failure.node}: ${message}`;
				process.stderr.write(`${line}\n  log: ${failure.logFile}\n`);
			}

			return 1;
		}

		if (only || args.flags.has('from')) return 0;
		const health = await checkHealth(session.cluster, session.secrets, session.remotes);
		if (health.problems.length > 0) {
			for (const problem of health.problems) process.stderr.write(`unhealthy: ${problem}\n`);
			return 1;
		}

		process.stdout.write(lang === 'ru' ? 'Кластер здоров.\n' : 'The cluster is healthy.\n');
		return 0;
	} finally {
		session.close();
	}
}
