/**
 * `pgha test [-c FILE] [--yes] [--step]`: runs only the test stage on a cluster that is already
 * built, prints the figures with a sparkline per fault and where the report is; exits 0 only when
 * every test ran and every bound held.
 */
import {hasFlag, type ParsedArgs} from '../cli-args.ts';
import {openSession} from '../app/session.ts';
import {runStages} from '../app/run-stages.ts';
import {reportError} from '../app/report-error.ts';
import {createTestStage} from '../../steps/cluster-test.ts';
import {allPassed, type TestReport} from '../testing/model.ts';
import {renderSummary} from '../testing/report-render.ts';
import type {ReportFiles} from '../testing/report-files.ts';
import {commonOptions} from './apply.ts';

export async function run(args: ParsedArgs): Promise<number> {
	const {configFile, lang, interactive} = commonOptions(args);
	let session;
	try {
		session = await openSession({configFile, lang, interactive});
	} catch (error) {
		return reportError(error, lang);
	}

	let latest: {report: TestReport; files: ReportFiles} | undefined;
	const stage = createTestStage({lang, onReport: (report, files) => (latest = {report, files})});
	try {
		for (const warning of session.warnings) process.stderr.write(`warning: ${warning.field}: ${warning.message}\n`);
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
			const failed = result.stages.find(item => item.status === 'failed');
			for (const failure of failed?.failures ?? []) process.stderr.write(`${failure.node}: ${failure.text ? failure.text[lang] : failure.message}\n  log: ${failure.logFile}\n`);
			return 1;
		}

		return final && allPassed(final.report) ? 0 : 1;
	} finally {
		session.close();
	}
}
