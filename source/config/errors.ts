import {LocalizedError} from '../core/error.ts';
import type {ConfigIssue} from '../core/cluster.ts';
import type {Lang} from '../core/text.ts';

/** The cluster or secrets file cannot be used; `issues` lists every problem, each naming its field. */
export class ConfigError extends LocalizedError {
	readonly file: string;
	readonly issues: readonly ConfigIssue[];
	constructor(file: string, issues: readonly ConfigIssue[]) {
		const list = (lang: Lang) => `${file}:\n${issues.map(item => `  ${item.text[lang]}`).join('\n')}`;
		super({ru: list('ru'), en: list('en')}, {exit: 'usage'});
		this.name = 'ConfigError';
		this.file = file;
		this.issues = issues;
	}
}
