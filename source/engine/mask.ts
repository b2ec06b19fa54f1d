/**
 * Hides secret values in anything the engine shows or writes (commands, output lines, errors).
 * One masking rule for all of pgha: it is the SSH layer's, which also catches shell-quoted and
 * URL-encoded forms of a secret.
 */
import {MASK, maskSecrets} from '../ssh/mask.ts';

export const maskedText = MASK;

export class Masker {
	private readonly secrets: readonly string[];

	constructor(values: Iterable<string | undefined>) {
		const unique = new Set<string>();
		for (const value of values) if (value) unique.add(value);
		this.secrets = [...unique];
	}

	get values(): readonly string[] {
		return this.secrets;
	}

	mask(text: string): string {
		return maskSecrets(text, this.secrets);
	}
}
