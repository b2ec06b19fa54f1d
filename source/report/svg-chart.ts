/**
 * A timeline chart (SVG) of acknowledged writes per bucket, with the fault moments marked, and
 * optionally stacked bars under it on the same time axis (the outage's phases, measured and predicted).
 */

export interface ChartMark {
	/** Milliseconds from the start of the series. */
	readonly atMs: number;
	readonly label: string;
	readonly color: string;
}

/** One piece of a stacked bar. */
export interface ChartBandSegment {
	readonly ms: number;
	readonly color: string;
	/** Shown on hover (the SVG <title>) and by screen readers. */
	readonly title: string;
	/** Written inside the piece when it is wide enough. */
	readonly label?: string;
	/** Drawn lighter, e.g. a predicted value beside a measured one. */
	readonly faint?: boolean;
}

/** A stacked horizontal bar under the plot, its pieces one after another from `fromMs`. */
export interface ChartBand {
	/** Used as the rects' class (band-<id>), so a reader or a test can pick one bar out. */
	readonly id: string;
	readonly label: string;
	/** Milliseconds from the start of the series, like the marks. */
	readonly fromMs: number;
	readonly segments: readonly ChartBandSegment[];
}

export interface ChartLegendItem {
	readonly label: string;
	readonly color: string;
}

export interface ChartInput {
	readonly title: string;
	readonly buckets: readonly number[];
	readonly bucketMs: number;
	readonly marks: readonly ChartMark[];
	readonly bands?: readonly ChartBand[];
	readonly legend?: readonly ChartLegendItem[];
}

function escapeXml(text: string): string {
	return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

const bandStart = 250;
const bandStep = 36;
const legendStep = 22;

/** The bars under the plot and their legend; the picture grows downwards to hold them. */
function renderBands(input: ChartInput, x: (ms: number) => number, plot: {left: number; right: number}, y0: number): string[] {
	const out: string[] = [];
	let y = y0;
	for (const band of input.bands ?? []) {
		out.push(`<text x="${plot.left}" y="${y + 10}" font-size="10" fill="#333">${escapeXml(band.label)}</text>`);
		let at = band.fromMs;
		for (const segment of band.segments) {
			// Pieces past either end of the axis are cut at it; their title keeps the whole value.
			const from = Math.min(plot.right, Math.max(plot.left, x(at)));
			const to = Math.min(plot.right, Math.max(plot.left, x(at + segment.ms)));
			at += segment.ms;
			if (to - from <= 0) continue;
			const opacity = segment.faint ? ' fill-opacity="0.45"' : '';
			out.push(`<rect class="band-${band.id}" x="${from.toFixed(1)}" y="${y + 14}" width="${(to - from).toFixed(1)}" height="16" fill="${segment.color}"${opacity} stroke="white" stroke-width="0.5"><title>${escapeXml(segment.title)}</title></rect>`);
			// About 6 px a character at font-size 10: the label goes in only where it fits.
			if (segment.label && (to - from) >= segment.label.length * 6 + 4) {
				out.push(`<text x="${((from + to) / 2).toFixed(1)}" y="${y + 26}" font-size="10" fill="#222" text-anchor="middle">${escapeXml(segment.label)}</text>`);
			}
		}

		y += bandStep;
	}

	let lx = plot.left;
	for (const item of input.legend ?? []) {
		out.push(`<rect x="${lx}" y="${y + 4}" width="10" height="10" fill="${item.color}"/>`, `<text x="${lx + 14}" y="${y + 13}" font-size="10">${escapeXml(item.label)}</text>`);
		lx += 14 + item.label.length * 6 + 16;
	}

	return out;
}

export function renderChart(input: ChartInput): string {
	const width = 800;
	const bandCount = input.bands?.length ?? 0;
	const extra = bandCount > 0 || (input.legend?.length ?? 0) > 0;
	const height = extra ? bandStart + bandCount * bandStep + legendStep : 260;
	const left = 50;
	const right = 20;
	const top = 40;
	const bottom = 40;
	const plotWidth = width - left - right;
	// The plot keeps its size whatever is drawn under it.
	const plotHeight = 260 - top - bottom;
	const max = Math.max(1, ...input.buckets);
	const seriesMs = input.buckets.length * input.bucketMs;
	// A bar that runs past the writes (a prediction longer than what was recorded) widens the axis, up to twice.
	const bandEnds = (input.bands ?? []).map(band => band.fromMs + band.segments.reduce((sum, segment) => sum + segment.ms, 0));
	const totalMs = Math.min(2 * seriesMs, Math.max(seriesMs, ...bandEnds));
	const barWidth = (seriesMs / Math.max(1, totalMs)) * plotWidth / Math.max(1, input.buckets.length);
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
		ticks.push(`<text x="${tx}" y="${top + plotHeight + 16}" font-size="10" text-anchor="middle">${s}s</text>`);
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
		...(extra ? renderBands(input, x, {left, right: width - right}, bandStart) : []),
		'</svg>',
		'',
	].join('\n');
}
