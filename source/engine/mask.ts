/** Hides secret values in anything pgha shows or writes (commands, output lines, error messages). */

export const maskedText = '*****';

export class Masker {
	private readonly secrets: readonly string[];

	constructor(values: Iterable<string | undefined>) {
		const unique = new Set<string>();
		for (const value of values) if (value) unique.add(value);
		// Longest first, so a secret containing another one is hidden whole.
		this.secrets = [...unique].sort((a, b) => b.length - a.length);
	}

	get values(): readonly string[] {
		return this.secrets;
	}

	mask(text: string): string {
		let out = text;
		for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(maskedText);
		return out;
	}
}
