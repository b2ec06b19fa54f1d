/**
 * Reading a file the user gave or edits (the cluster file, the secrets file) so that every way it can
 * be wrong is one sentence naming the file: a folder, unreadable, far too large (only the cap is read,
 * so `-c /dev/zero` cannot exhaust memory), binary, saved as UTF-16 or in a legacy 8-bit code page,
 * or YAML whose aliases expand without bound.
 */
import {promises as fs} from 'node:fs';
import YAML, {LineCounter} from 'yaml';
import {detectEncoding} from '../host/text-encoding.ts';
import {ConfigError} from './errors.ts';
import {issue, msg} from './messages.ts';

/** A cluster file is about 2 KB; a megabyte is already certainly the wrong file. */
export const userFileCap = 1024 * 1024;

/** YAML anchors are allowed for convenience, but not to multiply the document (a "billion laughs"). */
export const maxYamlAliases = 100;

const readMsg = {
	folder: () => issue('', 'is a folder, not a file', 'это папка, а не файл'),
	denied: () => issue('', 'cannot be read: permission denied', 'нет прав на чтение'),
	tooLarge: (cap: number) =>
		issue('', `is larger than ${Math.round(cap / 1024)} KB; a pgha file is a few kilobytes of text: is it the right file?`,
			`больше ${Math.round(cap / 1024)} КБ, а файл pgha — несколько килобайт текста: тот ли это файл?`),
	utf16: () =>
		issue('', 'is saved as UTF-16 (Notepad\'s "Unicode"); save it as UTF-8', 'сохранён в UTF-16 («Юникод» в Блокноте); сохраните его в UTF-8'),
	binary: (offset: number) =>
		issue('', `is not a text file (a zero byte at offset ${offset})`, `это не текстовый файл (нулевой байт по смещению ${offset})`),
	notUtf8: () =>
		issue('', 'is not UTF-8 text (a legacy code page such as Windows-1251?); save it as UTF-8', 'не в кодировке UTF-8 (старая кодировка вроде Windows-1251?); сохраните его в UTF-8'),
	aliases: () =>
		issue('', `its YAML aliases (*name) expand more than ${maxYamlAliases} times; write the values out`, `YAML-ссылки (*имя) разворачиваются больше ${maxYamlAliases} раз; запишите значения явно`),
	unresolvedAlias: (name: string) =>
		issue('', `the alias *${name} has no anchor &${name} before it`, `у ссылки *${name} нет метки &${name} выше по файлу`),
	otherError: (code: string) =>
		issue('', `cannot be read (${code})`, `не читается (${code})`),
};

async function readCapped(file: string, cap: number): Promise<Buffer> {
	const handle = await fs.open(file, 'r');
	try {
		const buffer = Buffer.alloc(cap + 1);
		let length = 0;
		while (length < buffer.length) {
			const {bytesRead} = await handle.read(buffer, length, buffer.length - length, null);
			if (bytesRead === 0) break;
			length += bytesRead;
		}

		return buffer.subarray(0, length);
	} finally {
		await handle.close();
	}
}

/**
 * The file's text (a UTF-8 BOM removed). A missing file is left to the caller (ENOENT is thrown as
 * is: each caller knows what a missing file means); everything else becomes a ConfigError.
 */
export async function readUserTextFile(file: string, cap = userFileCap): Promise<string> {
	let bytes: Buffer;
	try {
		bytes = await readCapped(file, cap);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code ?? 'error';
		if (code === 'ENOENT') throw error;
		if (code === 'EISDIR') throw new ConfigError(file, [readMsg.folder()]);
		if (code === 'EACCES' || code === 'EPERM') throw new ConfigError(file, [readMsg.denied()]);
		throw new ConfigError(file, [readMsg.otherError(code)]);
	}

	if (bytes.length > cap) throw new ConfigError(file, [readMsg.tooLarge(cap)]);
	const encoding = detectEncoding(bytes);
	if (encoding.startsWith('utf16')) throw new ConfigError(file, [readMsg.utf16()]);
	const zero = bytes.indexOf(0);
	if (zero >= 0) throw new ConfigError(file, [readMsg.binary(zero)]);
	if (encoding === 'legacy-8bit') throw new ConfigError(file, [readMsg.notUtf8()]);
	return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

/** YAML text to plain data; syntax errors name line and column, alias bombs are refused. */
export function parseUserYaml(text: string, file: string): unknown {
	const lineCounter = new LineCounter();
	const document = YAML.parseDocument(text.replace(/^\uFEFF/, ''), {prettyErrors: false, lineCounter});
	if (document.errors.length > 0) {
		throw new ConfigError(file, document.errors.map(error => {
			const {line, col} = lineCounter.linePos(error.pos[0]);
			return msg.yamlSyntax(line, col, error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
		}));
	}

	try {
		return document.toJS({maxAliasCount: maxYamlAliases});
	} catch (error) {
		if (!(error instanceof ReferenceError)) throw error;
		const unresolved = /^Unresolved alias.*: (.+)$/.exec(error.message);
		throw new ConfigError(file, [unresolved ? readMsg.unresolvedAlias(unresolved[1]!.slice(0, 40)) : readMsg.aliases()]);
	}
}
