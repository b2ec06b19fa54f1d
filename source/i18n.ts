/** Language choice for user-facing text. Students read Russian; English is the fallback. */
import type {Text} from '../steps/types.ts';

export type Lang = 'ru' | 'en';

/** Default from the locale variables, as a terminal user would expect. */
export function detectLang(env: NodeJS.ProcessEnv = process.env): Lang {
	const locale = env['LC_ALL'] || env['LC_MESSAGES'] || env['LANG'] || '';
	return /^ru/i.test(locale) ? 'ru' : 'en';
}

export function parseLang(value: string | undefined): Lang | undefined {
	if (value === 'ru' || value === 'en') return value;
	return undefined;
}

export function say(text: Text, lang: Lang): string {
	return text[lang];
}

/** Both languages on one line, for output that is read before a language is chosen. */
export function bilingual(text: Text): string {
	return text.ru === text.en ? text.en : `${text.en} / ${text.ru}`;
}
