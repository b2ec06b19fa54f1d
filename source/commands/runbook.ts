/** `pgha runbook [-c FILE] [-o FILE] [--lang ru|en]`: the corrected guide for this cluster file. */
import {writeFile} from 'node:fs/promises';
import {flagString, type ParsedArgs} from '../cli-args.ts';
import {loadClusterFile} from '../config/load.ts';
import {courseStages} from '../app/stages.ts';
import {renderRunbook} from '../runbook.ts';
import {reportError} from '../app/report-error.ts';
import {commonOptions} from '../app/with-session.ts';

export async function run(args: ParsedArgs): Promise<number> {
	const {configFile, lang} = commonOptions(args);
	try {
		const {config} = await loadClusterFile(configFile);
		const markdown = renderRunbook(courseStages(), config, lang);
		const output = flagString(args, 'o', 'output');
		if (output) await writeFile(output, markdown);
		else process.stdout.write(markdown);
		return 0;
	} catch (error) {
		return reportError(error, lang);
	}
}
