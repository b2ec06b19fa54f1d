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

/** Remembers a secret for every later maskSecrets() call in this process. */
export function registerSecret(value: string | undefined): void {
	if (value && value.length >= MIN_LENGTH) registry.add(value);
}

/** The ways a secret may appear in text pgha produces: raw, shell-quoted, URL-encoded. */
function forms(secret: string): string[] {
	const quoted = shellQuote(secret);
	return [secret, quoted, quoted.slice(1, -1), encodeURIComponent(secret)];
}

/** The text with every registered and every given secret replaced by ******. */
export function maskSecrets(text: string, extra: readonly (string | undefined)[] = []): string {
	const secrets = new Set<string>(registry);
	for (const value of extra) if (value && value.length >= MIN_LENGTH) secrets.add(value);
	if (secrets.size === 0 || text === '') return text;
	const needles = new Set<string>();
	for (const secret of secrets) for (const form of forms(secret)) if (form.length >= MIN_LENGTH) needles.add(form);
	// Longest first, so a secret containing another one is masked whole.
	let result = text;
	for (const needle of [...needles].sort((a, b) => b.length - a.length)) {
		if (result.includes(needle)) result = result.split(needle).join(MASK);
	}
	return result;
}
