/** "Did you mean": the candidate nearest to a typo, when it is near enough to be the one meant. */

/** Edit distance (insert, delete, replace, swap of two neighbours: "onyl" is one step from "only"). */
export function editDistance(a: string, b: string): number {
	const rows: number[][] = Array.from({length: a.length + 1}, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
	for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
	for (let i = 1; i <= a.length; i++) {
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
			rows[i]![j] = best;
		}
	}

	return rows[a.length]![b.length]!;
}

/** The nearest candidate within a third of the word's length (at least 2 edits), else undefined. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
	const wanted = word.toLowerCase();
	let best: string | undefined;
	let bestDistance = Number.POSITIVE_INFINITY;
	for (const candidate of candidates) {
		const distance = editDistance(wanted, candidate.toLowerCase());
		if (distance < bestDistance) {
			best = candidate;
			bestDistance = distance;
		}
	}

	// A word cut short ("--conf", "ex") names its command better than any typo distance.
	const prefixed = wanted.length >= 2 ? candidates.find(candidate => candidate.toLowerCase().startsWith(wanted)) : undefined;
	if (prefixed) return prefixed;
	return bestDistance <= Math.max(2, Math.floor(wanted.length / 3)) ? best : undefined;
}
