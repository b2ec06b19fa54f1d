/**
 * User-facing text in the two languages the students read, and how the language is chosen.
 * Every layer imports this; it imports nothing.
 */

/** One sentence (or line) in Russian and English. */
export interface Text {
	readonly ru: string;
	readonly en: string;
}

export type Lang = 'ru' | 'en';

export function t(ru: string, en: string): Text {
	return {ru, en};
}

export function say(text: Text, lang: Lang): string {
	return text[lang];
}

/** Both languages on one line, for output that is read before a language is chosen. */
export function bilingual(text: Text): string {
	return text.ru === text.en ? text.en : `${text.en} / ${text.ru}`;
}

/** Default from the locale variables, as a terminal user would expect. Students read Russian; English is the fallback. */
export function detectLang(env: NodeJS.ProcessEnv = process.env): Lang {
	const locale = env['LC_ALL'] || env['LC_MESSAGES'] || env['LANG'] || '';
	return /^ru/i.test(locale) ? 'ru' : 'en';
}

export function parseLang(value: string | undefined): Lang | undefined {
	if (value === 'ru' || value === 'en') return value;
	return undefined;
}

/** The --lang flag when it names a language, else the locale. */
export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
	return parseLang(flag) ?? detectLang(env);
}
