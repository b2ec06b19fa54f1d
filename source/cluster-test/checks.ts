/** Building the judged lines of the report. */
import type {Check} from './model.ts';

export function check(test: string, ok: boolean, ru: string, en: string): Check {
	return {test, ok, text: {ru, en}};
}

/** Milliseconds as seconds with one decimal, the way the report shows them. */
export function seconds(ms: number | null | undefined): string {
	return ms === null || ms === undefined ? '—' : (ms / 1000).toFixed(1);
}
