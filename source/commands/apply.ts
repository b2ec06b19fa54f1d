/**
 * `pgha apply -c FILE [--yes] [--from STAGE] [--only STAGE[,STAGE]]`: every stage without setup
 * questions; exits 0 only when the cluster is verified healthy afterwards.
 */
import {flagString, hasFlag, type ParsedArgs} from '../cli-args.ts';
import {applyStages} from '../cli/stage-selection.ts';
import {runStages} from '../app/run-stages.ts';
import {checkHealth} from '../app/health.ts';
import {reportFailures, withSession} from '../app/with-session.ts';

export async function run(args: ParsedArgs): Promise<number> {
	// Values were checked by the parser (source/cli/parse.ts): known stage ids, a non-empty selection.
	const only = flagString(args, 'only')?.split(',');
	const from = flagString(args, 'from');
	return withSession(args, async (session, {lang, interactive}) => {
		const {result, interrupted, mounted} = await runStages({
			session,
			stages: applyStages({host: !hasFlag(args, 'no-host'), from, only}),
			lang,
			interactive,
			yes: hasFlag(args, 'yes', 'y'),
			from,
			only,
			stepMode: hasFlag(args, 'step'),
		});
		await mounted?.finish();
		if (interrupted) {
			process.stderr.write(lang === 'ru' ? 'Прервано. Состояние сохранено: запустите снова, чтобы продолжить.\n' : 'Interrupted. State saved: run again to continue.\n');
			return 130;
		}

		if (result.status !== 'done') {
			reportFailures(result, lang);
			return 1;
		}

		if (only || from) return 0;
		const health = await checkHealth(session.cluster, session.secrets, session.remotes);
		if (health.problems.length > 0) {
			for (const problem of health.problems) process.stderr.write(`unhealthy: ${problem}\n`);
			return 1;
		}

		process.stdout.write(lang === 'ru' ? 'Кластер здоров.\n' : 'The cluster is healthy.\n');
		return 0;
	});
}
