/**
 * Values of the cluster file that end up in a shell line, an OpenSSH config, YAML, HAProxy or systemd
 * files must not be able to change those files' structure. Most fields are already held to a narrow
 * alphabet by validate.ts (names, users, IPs, durations); this adds what is left: no control character
 * anywhere in the file (a newline in a value is a new line in every destination), file paths that
 * OpenSSH can carry, and URLs made only of URL characters.
 */
import {issue, show} from './messages.ts';
import type {ConfigIssue} from '../core/cluster.ts';

/** C0, DEL, C1 and the Unicode line and paragraph separators. */
export const controlCharacter = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Characters no OpenSSH config line can carry in every version: `"` ends a quoted value, `$` expands variables. */
const unsafeInPath = /["$`]/;

/** RFC 3986 characters (a space or a quote is never part of a download address). */
const urlShape = /^https?:\/\/[A-Za-z0-9._~:/?#[\]@!&()*+,;=%-]+$/;

const pathFields = [/^nodes\[\d+\]\.ssh\.auth\.key$/, /^etcd\.tarball$/];
const urlFields = [/^etcd\.download_base$/];

function codePoint(value: string): string {
	const found = controlCharacter.exec(value)!;
	return `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

export const safeMsg = {
	control: (field: string, value: string) =>
		issue(field, `${show(value).en} contains a control character (${codePoint(value)}); remove it`,
			`${show(value).ru} содержит управляющий символ (${codePoint(value)}); удалите его`),
	controlInKey: (field: string) =>
		issue(field, 'this key name contains a control character; remove it', 'в имени ключа есть управляющий символ; удалите его'),
	pathCharacter: (field: string, value: string) =>
		issue(field, `${show(value).en} contains " $ or \`, which the OpenSSH config and shell lines cannot carry safely; rename the file or folder`,
			`${show(value).ru} содержит " $ или \`, которые нельзя безопасно передать в конфиг OpenSSH и в командную строку; переименуйте файл или папку`),
	urlCharacter: (field: string, value: string) =>
		issue(field, `${show(value).en} has characters an address cannot contain (spaces, quotes, backslashes)`,
			`${show(value).ru} содержит символы, недопустимые в адресе (пробелы, кавычки, обратная косая черта)`),
};

function walk(value: unknown, field: string, visit: (field: string, value: string) => void, keyIssue: (field: string) => void): void {
	if (typeof value === 'string') {
		visit(field, value);
	} else if (Array.isArray(value)) {
		for (const [index, item] of value.entries()) walk(item, `${field}[${index}]`, visit, keyIssue);
	} else if (value !== null && typeof value === 'object') {
		for (const [key, item] of Object.entries(value)) {
			const child = field ? `${field}.${key}` : key;
			if (controlCharacter.test(key)) keyIssue(field || '(file)');
			else walk(item, child, visit, keyIssue);
		}
	}
}

/**
 * Every unsafe value in the raw cluster data. A field that `already` has an issue is left to that one
 * message (one problem, one line).
 */
export function unsafeValues(data: unknown, already: readonly ConfigIssue[] = []): ConfigIssue[] {
	const issues: ConfigIssue[] = [];
	const named = new Set(already.map(item => item.field));
	walk(data, '', (field, value) => {
		if (named.has(field)) return;
		if (controlCharacter.test(value)) issues.push(safeMsg.control(field, value));
		else if (pathFields.some(pattern => pattern.test(field)) && unsafeInPath.test(value)) issues.push(safeMsg.pathCharacter(field, value));
		else if (urlFields.some(pattern => pattern.test(field)) && !urlShape.test(value)) issues.push(safeMsg.urlCharacter(field, value));
	}, field => issues.push(safeMsg.controlInKey(field)));
	return issues;
}
