/**
 * Merge of pgha's block into an OpenSSH config text. Everything outside the block is left exactly as
 * it was (line terminators included); only the block's own lines are rewritten.
 */
import {blockEndMarker, blockStartMarker} from '../../templates/ssh-config.ts';

/** A line with its own terminator ('' for a last line without one). */
interface Line {
	readonly body: string;
	readonly eol: string;
}

function splitLines(text: string): Line[] {
	const lines: Line[] = [];
	const pattern = /([^\n]*?)(\r?\n|$)/g;
	let match: RegExpExecArray | null;
	while ((match = pattern.exec(text)) !== null) {
		if (match[0] === '') break;
		lines.push({body: match[1]!, eol: match[2]!});
	}

	return lines;
}

function joinLines(lines: readonly Line[]): string {
	return lines.map(line => line.body + line.eol).join('');
}

export class ManagedBlockError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ManagedBlockError';
	}
}

export interface BlockLocation {
	/** 0-based line indexes of the start and end markers. */
	readonly start: number;
	readonly end: number;
}

export function findBlock(text: string, clusterName: string): BlockLocation | undefined {
	const lines = splitLines(text);
	const startMarker = blockStartMarker(clusterName);
	const endMarker = blockEndMarker(clusterName);
	const starts: number[] = [];
	const ends: number[] = [];
	for (const [index, line] of lines.entries()) {
		const body = line.body.trim();
		if (body === startMarker) starts.push(index);
		else if (body === endMarker) ends.push(index);
	}

	if (starts.length === 0 && ends.length === 0) return undefined;
	if (starts.length !== 1 || ends.length !== 1 || ends[0]! < starts[0]!) {
		throw new ManagedBlockError(
			`the pgha block of cluster "${clusterName}" is damaged (${starts.length} start and ${ends.length} end marker lines)`,
		);
	}

	return {start: starts[0]!, end: ends[0]!};
}

/** Host patterns of a `Host` line, or undefined when the line is something else. */
export function hostLinePatterns(line: string): string[] | undefined {
	const match = /^\s*host(?:\s*=\s*|\s+)(.*)$/i.exec(line);
	if (!match) return undefined;
	const patterns: string[] = [];
	for (const token of match[1]!.matchAll(/"([^"]*)"|(\S+)/g)) {
		if (token[2]?.startsWith('#')) break;
		patterns.push(token[1] ?? token[2]!);
	}

	return patterns;
}

function wildcardToRegExp(pattern: string): RegExp {
	const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
	return new RegExp(`^${source}$`, 'i');
}

/** OpenSSH's rule: some positive pattern matches and no negated (`!`) pattern does. */
export function hostPatternsMatch(patterns: readonly string[], alias: string): boolean {
	let matched = false;
	for (const pattern of patterns) {
		const negated = pattern.startsWith('!');
		const body = negated ? pattern.slice(1) : pattern;
		if (!wildcardToRegExp(body).test(alias)) continue;
		if (negated) return false;
		matched = true;
	}

	return matched;
}

export interface OtherEntry {
	/** 1-based line number in the merged text. */
	readonly line: number;
	readonly alias: string;
}

/** `Host` lines outside pgha's block naming one of the aliases exactly (e.g. typed from the guide). */
export function findOtherEntries(text: string, clusterName: string, aliases: readonly string[]): OtherEntry[] {
	const block = findBlock(text, clusterName);
	const found: OtherEntry[] = [];
	for (const [index, line] of splitLines(text).entries()) {
		if (block && index >= block.start && index <= block.end) continue;
		const patterns = hostLinePatterns(line.body);
		if (!patterns) continue;
		for (const alias of aliases) {
			if (patterns.some(pattern => pattern.toLowerCase() === alias.toLowerCase())) found.push({line: index + 1, alias});
		}
	}

	return found;
}

/**
 * The text with pgha's block (given as lines without terminators) in place. An existing block is
 * replaced where it is. A new block goes before the first `Host` section that matches one of the
 * aliases (OpenSSH keeps the first value it sees, so pgha's entries must come before e.g. `Host *`),
 * else at the end.
 */
export function upsertBlock(
	text: string,
	clusterName: string,
	blockLines: readonly string[],
	aliases: readonly string[],
	eol: string,
): string {
	const lines = splitLines(text);
	const block: Line[] = blockLines.map(body => ({body, eol}));
	const existing = findBlock(text, clusterName);
	if (existing) {
		return joinLines([...lines.slice(0, existing.start), ...block, ...lines.slice(existing.end + 1)]);
	}

	let insertAt = lines.findIndex(line => {
		const patterns = hostLinePatterns(line.body);
		return patterns !== undefined && aliases.some(alias => hostPatternsMatch(patterns, alias));
	});
	// Comment lines right above that Host line describe it: they stay with it, below the block.
	while (insertAt > 0 && lines[insertAt - 1]!.body.trim().startsWith('#')) insertAt--;
	if (insertAt >= 0) {
		return joinLines([...lines.slice(0, insertAt), ...block, {body: '', eol}, ...lines.slice(insertAt)]);
	}

	const head = [...lines];
	const last = head.at(-1);
	if (last && last.eol === '') head[head.length - 1] = {body: last.body, eol};
	if (last && last.body.trim() !== '') head.push({body: '', eol});
	return joinLines([...head, ...block]);
}
