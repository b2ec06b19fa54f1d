/**
 * The language chosen in the wizard, kept in `.pgha/lang` beside the cluster file: a student who
 * answered in Russian gets Russian on the resume screen and from every later command, whatever the
 * computer's locale. `--lang` still wins.
 */
import {readFileSync} from 'node:fs';
import {promises as fs} from 'node:fs';
import path from 'node:path';
import {parseLang, type Lang} from '../core/text.ts';
import {ensurePghaDirs, pghaPaths} from './paths.ts';

function langFile(clusterFile: string): string {
	return path.join(pghaPaths(clusterFile).dir, 'lang');
}

export function rememberedLang(clusterFile: string): Lang | undefined {
	try {
		return parseLang(readFileSync(langFile(clusterFile), 'utf8').trim());
	} catch {
		return undefined;
	}
}

export async function rememberLang(clusterFile: string, lang: Lang): Promise<void> {
	await ensurePghaDirs(pghaPaths(clusterFile));
	await fs.writeFile(langFile(clusterFile), `${lang}\n`, {mode: 0o600});
}
