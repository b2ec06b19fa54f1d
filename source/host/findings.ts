/** A problem found on the host side, with its fix, in both languages. */
import {StepError, type Text} from '../../steps/types.ts';

export interface Finding {
	readonly node?: string;
	/** One sentence: what is wrong and what to do. */
	readonly text: Text;
}

/** All findings as one StepError: English message, both languages in the hint. */
export function findingsError(findings: readonly Finding[]): StepError {
	const en = findings.map(finding => finding.text.en).join('\n');
	const ru = findings.map(finding => finding.text.ru).join('\n');
	return new StepError(en, {ru, en});
}

export function joinTexts(texts: readonly Text[], separator = '\n'): Text {
	return {ru: texts.map(text => text.ru).join(separator), en: texts.map(text => text.en).join(separator)};
}
