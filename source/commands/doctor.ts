/**
 * `pgha doctor [-c FILE] [--json]`: what is wrong with the cluster, node by node, with the evidence
 * and the fix. Read-only: one batch of read-only commands per node. Exit 0 clean, 1 with findings.
 */
import {hasFlag, type ParsedArgs} from '../cli-args.ts';
import {commonOptions, printWarnings} from '../app/with-session.ts';
import {openSession, type Session} from '../app/session.ts';
import {reportError} from '../app/report-error.ts';
import {courseStages} from '../../steps/index.ts';
import {collectFacts} from '../doctor/collect.ts';
import {diagnose} from '../doctor/rules/index.ts';
import {doctorReport} from '../doctor/render.ts';

export async function run(args: ParsedArgs): Promise<number> {
	const context = commonOptions(args);
	const json = hasFlag(args, 'json');
	let session: Session;
	try {
		// partial: an unreachable node is a finding, not the end of the diagnosis.
		session = await openSession({...context, partial: true, onWarnings: warnings => printWarnings(warnings, context.lang)});
	} catch (error) {
		return reportError(error, context.lang);
	}

	try {
		const facts = await collectFacts(session.cluster, session.secrets, session.remotes, session.unreachable);
		const report = doctorReport(facts, diagnose(facts), {json, lang: context.lang, stages: courseStages()});
		process.stdout.write(report.text);
		return report.code;
	} finally {
		session.close();
	}
}
