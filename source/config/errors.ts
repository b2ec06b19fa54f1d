import type {ConfigIssue} from '../core/cluster.ts';

/** The cluster or secrets file cannot be used; `issues` lists every problem, each naming its field. */
export class ConfigError extends Error {
	readonly file: string;
	readonly issues: readonly ConfigIssue[];
	constructor(file: string, issues: readonly ConfigIssue[]) {
		super(`${file}:\n${issues.map(item => `  ${item.message}`).join('\n')}`);
		this.name = 'ConfigError';
		this.file = file;
		this.issues = issues;
	}

	/** The same list in the user's language, one problem per line. */
	describe(lang: 'ru' | 'en'): string {
		return `${this.file}:\n${this.issues.map(item => `  ${item.text[lang]}`).join('\n')}`;
	}
}
