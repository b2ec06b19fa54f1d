/**
 * `pgha test [-c FILE] [--yes] [--step] [--only TEST,...] [--max-outage S]`: runs only the test stage on a cluster that is already
 * built, prints the figures with a sparkline per fault and where the report is; exits 0 only when
 * every test ran and every bound held.
 */
import {flagString, hasFlag, type ParsedArgs} from '../cli-args.ts';
import {testOnlyFromEnv} from '../app/test-only.ts';
import {runStages} from '../app/run-stages.ts';
import {reportFailures, withSession} from '../app/with-session.ts';
import {createTestStage, testIdsOf} from '../../steps/index.ts';
import {allPassed, type TestReport} from '../cluster-test/model.ts';
import {renderSummary} from '../cluster-test/report-render.ts';
import type {ReportFiles} from '../cluster-test/report-files.ts';

export async function run(args: ParsedArgs): Promise<number> {
	return withSession(args, async (session, {lang, interactive}) => {
		let latest: {report: TestReport; files: ReportFiles} | undefined;
		// --only names tests as a student types them (kill, poweroff); PGHA_TEST_ONLY keeps report ids for scripts.
		const chosen = flagString(args, 'only');
		const only = chosen ? testIdsOf(chosen.split(',')) : testOnlyFromEnv();
		const maxOutage = flagString(args, 'max-outage');
		const stage = createTestStage({lang, onReport: (report, files) => (latest = {report, files}), ...(only ? {only} : {}), ...(maxOutage ? {maxOutageMs: Number(maxOutage) * 1000} : {})});
		const {result, interrupted, mounted} = await runStages({
			session,
			stages: [stage],
			lang,
			interactive,
			yes: hasFlag(args, 'yes', 'y'),
			stepMode: hasFlag(args, 'step'),
		});
		await mounted?.finish();
		const final = latest as {report: TestReport; files: ReportFiles} | undefined;
		if (final) process.stdout.write(`\n${renderSummary(final.report, lang, final.files.markdown)}\n`);
		if (interrupted) {
			process.stderr.write(lang === 'ru' ? 'Прервано.\n' : 'Interrupted.\n');
			return 130;
		}

		if (result.status !== 'done') {
			reportFailures(result, lang);
			return 1;
		}

		return final && allPassed(final.report) ? 0 : 1;
	});
}
