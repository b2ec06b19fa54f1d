/**
 * What a command receives once its command line has been parsed and checked (source/cli/parse.ts):
 * options under their long names, with values already validated.
 */

export interface ParsedArgs {
	readonly command: string;
	readonly positionals: readonly string[];
	readonly flags: ReadonlyMap<string, string | true>;
	/** Everything after a bare `--` (for `pgha lab exec N -- CMD`). */
	readonly rest: readonly string[];
}

export function flagString(args: ParsedArgs, ...names: string[]): string | undefined {
	for (const name of names) {
		const value = args.flags.get(name);
		if (typeof value === 'string') return value;
	}

	return undefined;
}

export function hasFlag(args: ParsedArgs, ...names: string[]): boolean {
	return names.some(name => args.flags.has(name));
}
