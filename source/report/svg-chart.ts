/** A timeline chart (SVG) of acknowledged writes per bucket, with the fault moments marked. */

export interface ChartMark {
	/** Milliseconds from the start of the series. */
	readonly atMs: number;
	readonly label: string;
	readonly color: string;
}

export interface ChartInput {
	readonly title: string;
	readonly buckets: readonly number[];
	readonly bucketMs: number;
	readonly marks: readonly ChartMark[];
}

function escapeXml(text: string): string {
	return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

export function renderChart(input: ChartInput): string {
	const width = 800;
	const height = 260;
	const left = 50;
	const right = 20;
	const top = 40;
	const bottom = 40;
	const plotWidth = width - left - right;
	const plotHeight = height - top - bottom;
	const max = Math.max(1, ...input.buckets);
	const barWidth = plotWidth / Math.max(1, input.buckets.length);
	const totalMs = input.buckets.length * input.bucketMs;
	const x = (ms: number) => left + (ms / Math.max(1, totalMs)) * plotWidth;

	const bars = input.buckets
		.map((value, index) => {
			const barHeight = (value / max) * plotHeight;
			const bx = (left + index * barWidth).toFixed(1);
			const by = (top + plotHeight - barHeight).toFixed(1);
			return `<rect x="${bx}" y="${by}" width="${Math.max(0.5, barWidth - 0.5).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="#4a7bd0"/>`;
		})
		.join('\n');

	const marks = input.marks
		.map((mark, index) => {
			const at = x(mark.atMs);
			const mx = at.toFixed(1);
			const ly = top - 6 + (index % 2) * 12;
			// Labels near an edge grow inwards, so they stay inside the picture.
			const anchor = at > width - right - 40 ? 'end' : at < left + 40 ? 'start' : 'middle';
			return [
				`<line x1="${mx}" y1="${top}" x2="${mx}" y2="${top + plotHeight}" stroke="${mark.color}" stroke-width="2" stroke-dasharray="4 2"/>`,
				`<text x="${mx}" y="${ly}" font-size="11" fill="${mark.color}" text-anchor="${anchor}">${escapeXml(mark.label)}</text>`,
			].join('\n');
		})
		.join('\n');

	const seconds = Math.floor(totalMs / 1000);
	const step = Math.max(1, Math.ceil(seconds / 10));
	const ticks: string[] = [];
	for (let s = 0; s <= seconds; s += step) {
		const tx = x(s * 1000).toFixed(1);
		ticks.push(`<text x="${tx}" y="${height - bottom + 16}" font-size="10" text-anchor="middle">${s}s</text>`);
	}

	return [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
		`<rect width="${width}" height="${height}" fill="white"/>`,
		`<text x="${left}" y="16" font-size="13" font-weight="bold">${escapeXml(input.title)}</text>`,
		`<line x1="${left}" y1="${top + plotHeight}" x2="${width - right}" y2="${top + plotHeight}" stroke="#333"/>`,
		`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#333"/>`,
		`<text x="${left - 6}" y="${top + 4}" font-size="10" text-anchor="end">${max}</text>`,
		`<text x="${left - 6}" y="${top + plotHeight}" font-size="10" text-anchor="end">0</text>`,
		`<text x="12" y="${top + plotHeight / 2}" font-size="10" transform="rotate(-90 12 ${top + plotHeight / 2})" text-anchor="middle">writes / ${input.bucketMs} ms</text>`,
		bars,
		marks,
		...ticks,
		'</svg>',
		'',
	].join('\n');
}
