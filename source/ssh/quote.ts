/** POSIX shell quoting for building remote command lines. */

/** One shell word: single quotes, with embedded single quotes closed, escaped and reopened. */
export function shellQuote(word: string): string {
	if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
	return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Several words joined into one command line. */
export function shellJoin(words: readonly string[]): string {
	return words.map(shellQuote).join(' ');
}
