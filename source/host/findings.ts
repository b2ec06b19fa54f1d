/** A problem found on the host side, with its fix, in both languages. */
import {StepError} from '../core/step.ts';
import type {Text} from '../core/text.ts';

export interface Finding {
	readonly node?: string;
	/** One sentence: what is wrong and what to do. */
	readonly text: Text;
}

/** All findings as one StepError, one finding a line (each already says what to do). */
export function findingsError(findings: readonly Finding[]): StepError {
	return new StepError(joinTexts(findings.map(finding => finding.text)));
}

export function joinTexts(texts: readonly Text[], separator = '\n'): Text {
	return {ru: texts.map(text => text.ru).join(separator), en: texts.map(text => text.en).join(separator)};
}
