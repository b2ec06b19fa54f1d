/** `pgha runbook [-c FILE] [-o FILE [--force]] [--lang ru|en]`: the corrected guide for this cluster file. */
import {flagString, hasFlag, type ParsedArgs} from '../cli-args.ts';
import {loadClusterFile} from '../config/load.ts';
import {pghaPaths} from '../config/paths.ts';
import {writeFileAtomic} from '../config/atomic-write.ts';
import {courseStages} from '../../steps/index.ts';
import {renderRunbook} from '../runbook.ts';
import {reportError} from '../app/report-error.ts';
import {commonOptions} from '../app/with-session.ts';
import {checkRunbookTarget, runbookMarker} from '../app/runbook-target.ts';

export async function run(args: ParsedArgs): Promise<number> {
	const {configFile, lang} = commonOptions(args);
	try {
		const output = flagString(args, 'output');
		// Refused before anything is read, so a wrong -o never costs more than one sentence.
		if (output) await checkRunbookTarget(output, pghaPaths(configFile), hasFlag(args, 'force'));
		const {config} = await loadClusterFile(configFile);
		const markdown = renderRunbook(courseStages(), config, lang);
		if (output) await writeFileAtomic(output, `${runbookMarker}\n${markdown}`, {mode: 0o644});
		else process.stdout.write(markdown);
		return 0;
	} catch (error) {
		return reportError(error, lang);
	}
}
