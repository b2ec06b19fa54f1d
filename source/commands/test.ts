/**
 * `pgha test [-c FILE] [--yes] [--step] [--only TEST,...] [--max-outage S] [--timing PRESET]`: runs only the test stage on a cluster that is already
 * built, prints the figures with a sparkline per fault and where the report is; exits 0 only when
 * every test ran and every bound held.
 */
import {flagString, hasFlag, type ParsedArgs} from '../cli-args.ts';
import {testOnlyFromEnv} from '../app/test-only.ts';
import {runStages} from '../app/run-stages.ts';
import {commonOptions, reportFailures, withSession} from '../app/with-session.ts';
import {reportError} from '../app/report-error.ts';
import {loadClusterFile} from '../config/load.ts';
import {LocalizedError} from '../core/error.ts';
import {createTestStage, testChoices, testIdsOf, whyNotHere} from '../../steps/index.ts';
import {allPassed, type TestReport} from '../cluster-test/model.ts';
import {renderSummary} from '../cluster-test/report-render.ts';
import type {ReportFiles} from '../cluster-test/report-files.ts';
import type {TimingPreset} from '../core/cluster.ts';
import {withTestTiming} from './test-timing.ts';

/**
 * A test asked for by name that this cluster cannot stage (a power-off outside the lab, a front-door
 * fault without a VIP): said before a password is asked or a node touched, with what can run here.
 */
async function unavailableChoice(choices: readonly string[], configFile: string): Promise<LocalizedError | undefined> {
	// A cluster file that cannot be read is reported by the session, with its own sentence.
	const cluster = await loadClusterFile(configFile).then(loaded => loaded.config, () => undefined);
	if (!cluster) return undefined;
	for (const choice of choices) {
		const why = whyNotHere(choice, cluster);
		if (!why) continue;
		const here = testChoices.filter(item => !whyNotHere(item, cluster)).join(', ');
		return new LocalizedError(
			{ru: `--only ${choice}: ${why.ru}.`, en: `--only ${choice}: ${why.en}.`},
			{fix: {ru: `На этом кластере можно: ${here}.`, en: `This cluster can run: ${here}.`}, exit: 'usage'},
		);
	}

	return undefined;
}

export async function run(args: ParsedArgs): Promise<number> {
	const chosen = flagString(args, 'only');
	if (chosen) {
		const {configFile, lang} = commonOptions(args);
		const problem = await unavailableChoice(chosen.split(','), configFile);
		if (problem) return reportError(problem, lang);
	}

	const timing = flagString(args, 'timing') as TimingPreset | undefined;
	return withSession(args, async (fileSession, {lang, interactive}) => withTestTiming(fileSession, timing, lang, async session => {
		let latest: {report: TestReport; files: ReportFiles} | undefined;
		// --only names tests as a student types them (kill, poweroff); PGHA_TEST_ONLY keeps report ids for scripts.
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
	}));
}
