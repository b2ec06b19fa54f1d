/**
 * Masks secrets in text before it reaches a log, an error message or the screen.
 * The SSH/sudo password registers itself here when a connection is made; callers add the cluster's
 * generated secrets once, and may pass extra ones per call.
 */
import {shellQuote} from './quote.ts';

export const MASK = '******';

/** Shorter values would mask ordinary words; every secret pgha generates is far longer. */
const MIN_LENGTH = 4;

const registry = new Set<string>();
/** Counts changes of the registry, so needles worked out before a change are not used after it. */
let registryVersion = 0;

/** Remembers a secret for every later maskSecrets() call in this process. */
export function registerSecret(value: string | undefined): void {
	if (value && value.length >= MIN_LENGTH && !registry.has(value)) {
		registry.add(value);
		registryVersion++;
	}
}

/** The ways a secret may appear in text pgha produces: raw, shell-quoted, URL-encoded. */
function forms(secret: string): string[] {
	const quoted = shellQuote(secret);
	return [secret, quoted, quoted.slice(1, -1), encodeURIComponent(secret)];
}

const noExtra: readonly (string | undefined)[] = [];

/**
 * What to look for, longest first so a secret containing another one is masked whole. Worked out
 * once per list of extra secrets (a command passes the same list for each of its output lines, and
 * a 200,000-line output would otherwise redo this for every line).
 */
const needlesOf = new WeakMap<readonly (string | undefined)[], {readonly version: number; readonly needles: readonly string[]}>();
function needles(extra: readonly (string | undefined)[]): readonly string[] {
	const cached = needlesOf.get(extra);
	if (cached?.version === registryVersion) return cached.needles;
	const secrets = new Set<string>(registry);
	for (const value of extra) if (value && value.length >= MIN_LENGTH) secrets.add(value);
	const found = new Set<string>();
	for (const secret of secrets) for (const form of forms(secret)) if (form.length >= MIN_LENGTH) found.add(form);
	const sorted = [...found].sort((a, b) => b.length - a.length);
	needlesOf.set(extra, {version: registryVersion, needles: sorted});
	return sorted;
}

/** The text with every registered and every given secret replaced by ******. */
export function maskSecrets(text: string, extra: readonly (string | undefined)[] = noExtra): string {
	if (text === '') return text;
	let result = text;
	for (const needle of needles(extra)) {
		if (result.includes(needle)) result = result.split(needle).join(MASK);
	}

	return result;
}
