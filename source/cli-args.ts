/** Small argv parser: the CLI has few flags and a dependency would cost start-up time. */

export interface ParsedArgs {
	readonly command: string;
	readonly positionals: readonly string[];
	readonly flags: ReadonlyMap<string, string | true>;
	/** Everything after a bare `--` (for `pgha lab exec N -- CMD`). */
	readonly rest: readonly string[];
}

/** Flags that take a value; all others are booleans. */
const valueFlags = new Set(['c', 'config', 'lang', 'from', 'only', 'o', 'output', 'nodes', 'prefix', 'report']);

export function parseArgs(argv: readonly string[]): ParsedArgs {
	const flags = new Map<string, string | true>();
	const positionals: string[] = [];
	let rest: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i]!;
		if (arg === '--') {
			rest = argv.slice(i + 1);
			break;
		}

		const match = /^--?([a-zA-Z][\w-]*)(?:=(.*))?$/.exec(arg);
		if (!match) {
			positionals.push(arg);
			continue;
		}

		const name = match[1]!;
		if (match[2] !== undefined) {
			flags.set(name, match[2]);
		} else if (valueFlags.has(name) && i + 1 < argv.length) {
			flags.set(name, argv[++i]!);
		} else {
			flags.set(name, true);
		}
	}

	const [command = '', ...others] = positionals;
	return {command, positionals: others, flags, rest};
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
