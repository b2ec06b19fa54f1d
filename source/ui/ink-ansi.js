// @alcalzone/ansi-tokenize as Ink imports it (module-hooks.js), with the work Ink repeats on every
// frame made cheap; what they return is the same. Ink lays out each frame on a grid of terminal width
// × frame height cells: it parses every line into styled cells again (its cache lives for one frame,
// though most lines are those of the frame before) and turns every row back into text by diffing
// each cell's style against the one before it, building three Sets and four arrays per cell, even
// between two blank cells. That was most of the run screen's CPU and nearly all of its garbage.
import {ansiCodesToString, diffAnsiCodes, styledCharsFromTokens as styledCharsOf, tokenize as tokensOf} from '@alcalzone/ansi-tokenize';

export * from '@alcalzone/ansi-tokenize';

/**
 * Lines of the last frames, parsed: two generations, so a line on screen stays while the cache
 * stays bounded however many lines stream past. Ink only reads what it gets (it shares them within
 * a frame already).
 */
const generation = 256;
let recent = new Map();
let older = new Map();
const styledOf = new WeakMap();

export function tokenize(text, endChar) {
	if (endChar !== undefined) return tokensOf(text, endChar);
	let tokens = recent.get(text);
	if (tokens) return tokens;
	tokens = older.get(text) ?? tokensOf(text);
	if (recent.size >= generation) {
		older = recent;
		recent = new Map();
	}

	recent.set(text, tokens);
	return tokens;
}

export function styledCharsFromTokens(tokens) {
	let chars = styledOf.get(tokens);
	if (!chars) {
		chars = styledCharsOf(tokens);
		styledOf.set(tokens, chars);
	}

	return chars;
}

function sameStyles(a, b) {
	if (a === b) return true;
	if (a.length !== b.length) return false;
	for (let index = 0; index < a.length; index++) {
		if (a[index].code !== b[index].code || a[index].endCode !== b[index].endCode) return false;
	}

	return true;
}

/** A diff between equal styles is always empty: skipped. Anything else is left to the original. */
export function styledCharsToString(chars) {
	let text = '';
	for (let index = 0; index < chars.length; index++) {
		const char = chars[index];
		if (index === 0) {
			if (char.styles.length > 0) text += ansiCodesToString(char.styles);
		} else {
			const before = chars[index - 1].styles;
			if (!sameStyles(before, char.styles)) text += ansiCodesToString(diffAnsiCodes(before, char.styles));
		}

		text += char.value;
		// The styles still on at the end are closed.
		if (index === chars.length - 1 && char.styles.length > 0) text += ansiCodesToString(diffAnsiCodes(char.styles, []));
	}

	return text;
}
