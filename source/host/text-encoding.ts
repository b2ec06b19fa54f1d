/**
 * Config files written on Windows come in several encodings. Win32-OpenSSH reads UTF-8 only and stops
 * at a BOM ("Bad configuration option: \377\376..."), so pgha detects, converts and reports them.
 */

export type FileEncoding =
	| 'utf8'
	| 'utf8-bom'
	| 'utf16le-bom'
	| 'utf16be-bom'
	| 'utf16le'
	/** Not valid UTF-8 (e.g. Notepad's "ANSI"): the user's bytes are kept exactly as they are. */
	| 'legacy-8bit';

export type LineEnding = 'crlf' | 'lf';

export interface DecodedText {
	readonly text: string;
	readonly encoding: FileEncoding;
	/** The style found in the file; undefined when it has no line break at all. */
	readonly eol?: LineEnding;
}

const strictUtf8 = new TextDecoder('utf-8', {fatal: true});

function looksLikeUtf16le(bytes: Buffer): boolean {
	// ASCII text in UTF-16 LE has a zero in most odd positions; UTF-8 text never contains zeros.
	if (bytes.length < 4 || bytes.length % 2 !== 0) return false;
	let zeros = 0;
	for (let i = 1; i < bytes.length; i += 2) if (bytes[i] === 0) zeros++;
	return zeros >= (bytes.length / 2) * 0.6;
}

export function detectEncoding(bytes: Buffer): FileEncoding {
	if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf8-bom';
	if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf16le-bom';
	if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf16be-bom';
	if (looksLikeUtf16le(bytes)) return 'utf16le';
	try {
		strictUtf8.decode(bytes);
		return 'utf8';
	} catch {
		return 'legacy-8bit';
	}
}

export function detectLineEnding(text: string): LineEnding | undefined {
	const crlf = text.split('\r\n').length - 1;
	const lf = text.split('\n').length - 1 - crlf;
	if (crlf === 0 && lf === 0) return undefined;
	return crlf >= lf ? 'crlf' : 'lf';
}

export function eolString(eol: LineEnding): string {
	return eol === 'crlf' ? '\r\n' : '\n';
}

function swapBytes(bytes: Buffer): Buffer {
	const copy = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
	return copy.swap16();
}

/**
 * Text of a config file. For 'legacy-8bit' every byte maps to one char (latin1), so encodeText
 * gives the same bytes back and nothing of the user's file is lost.
 */
export function decodeText(bytes: Buffer): DecodedText {
	const encoding = detectEncoding(bytes);
	let text: string;
	switch (encoding) {
		case 'utf8-bom':
			text = bytes.subarray(3).toString('utf8');
			break;
		case 'utf16le-bom':
			text = bytes.subarray(2).toString('utf16le');
			break;
		case 'utf16be-bom':
			text = swapBytes(bytes.subarray(2)).toString('utf16le');
			break;
		case 'utf16le':
			text = bytes.toString('utf16le');
			break;
		case 'legacy-8bit':
			text = bytes.toString('latin1');
			break;
		default:
			text = bytes.toString('utf8');
	}

	return {text, encoding, eol: detectLineEnding(text)};
}

/** UTF-8 without BOM; a legacy-8bit document goes back byte for byte (see decodeText). */
export function encodeText(text: string, encoding: FileEncoding): Buffer {
	return encoding === 'legacy-8bit' ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
}

/** A string to insert into a document decoded by decodeText, so that it comes out as UTF-8. */
export function asDocumentText(value: string, encoding: FileEncoding): string {
	return encoding === 'legacy-8bit' ? Buffer.from(value, 'utf8').toString('latin1') : value;
}

/** Was the file's encoding changed on the way to UTF-8 without BOM? */
export function isConverted(encoding: FileEncoding): boolean {
	return encoding !== 'utf8' && encoding !== 'legacy-8bit';
}

export function describeEncoding(encoding: FileEncoding): string {
	switch (encoding) {
		case 'utf8':
			return 'UTF-8';
		case 'utf8-bom':
			return 'UTF-8 with BOM';
		case 'utf16le-bom':
			return 'UTF-16 LE with BOM';
		case 'utf16be-bom':
			return 'UTF-16 BE with BOM';
		case 'utf16le':
			return 'UTF-16 LE';
		case 'legacy-8bit':
			return '8-bit (not UTF-8)';
	}
}
