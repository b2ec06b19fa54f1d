/**
 * Progress figures as text: a bar with figures that fits a width (the run screen's stage rows, the lab
 * build's self-updating line) and a plain line for logs that are not a terminal. Rate, elapsed time
 * and the estimate are measured from when the phase began.
 */
import type {Progress, ProgressView} from './progress.ts';
import type {Lang} from './text.ts';
import {formatElapsed} from './elapsed.ts';

const unitWords: Record<'packages' | 'files', {ru: string; en: string}> = {
	packages: {ru: 'пакетов', en: 'packages'},
	files: {ru: 'файлов', en: 'files'},
};

/** Megabytes as apt, pip and the readme print them (10^6 bytes): one decimal below 10. */
export function formatMb(bytes: number): string {
	const mb = bytes / 1e6;
	return mb < 10 ? mb.toFixed(1) : String(Math.round(mb));
}

/** How far along, 0..1, by bytes when their total is known, else by count; undefined when no total is. */
export function progressFraction(figures: Progress): number | undefined {
	const {bytes} = figures;
	if (bytes?.total) return Math.min(1, Math.max(0, bytes.done / bytes.total));
	if (figures.total) return Math.min(1, Math.max(0, figures.done / figures.total));
	return undefined;
}

export interface FigureParts {
	readonly count: string;
	readonly bytes?: string;
	readonly rate?: string;
	readonly elapsed: string;
	readonly eta?: string;
}

export function figureParts(view: ProgressView, lang: Lang, now: number): FigureParts {
	const {figures} = view;
	const elapsedMs = Math.max(0, now - view.since);
	const count = figures.unit === 'bytes'
		? `${formatMb(figures.done)}${figures.total ? `/${formatMb(figures.total)}` : ''} MB`
		: `${figures.done}${figures.total ? `/${figures.total}` : ''} ${unitWords[figures.unit][lang]}`;
	const bytesDone = figures.unit === 'bytes' ? figures.done : figures.bytes?.done;
	const bytes = figures.unit !== 'bytes' && figures.bytes
		? `${formatMb(figures.bytes.done)}${figures.bytes.total ? `/${formatMb(figures.bytes.total)}` : ''} MB`
		: undefined;
	// A rate over less than a second says more about the clock than about the network.
	const rate = bytesDone !== undefined && elapsedMs >= 1000 ? `${formatMb(bytesDone / (elapsedMs / 1000))} MB/s` : undefined;
	const fraction = progressFraction(figures);
	let eta: string | undefined;
	if (fraction !== undefined && fraction > 0 && fraction < 1 && elapsedMs >= 2000) {
		const left = formatElapsed((elapsedMs * (1 - fraction)) / fraction);
		eta = lang === 'ru' ? `ещё ~${left}` : `~${left} left`;
	}

	return {count, ...(bytes ? {bytes} : {}), ...(rate ? {rate} : {}), elapsed: formatElapsed(elapsedMs), ...(eta ? {eta} : {})};
}

export function progressBar(fraction: number, width: number): string {
	const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
	return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

function percentOf(figures: Progress): string | undefined {
	const fraction = progressFraction(figures);
	return fraction === undefined ? undefined : `${Math.floor(fraction * 100)}%`;
}

/** One plain line for logs: `apt: unpacking: 12/66 packages, 40%, 1m02s, ~1m30s left`. */
export function progressLine(view: ProgressView, lang: Lang, now: number): string {
	const parts = figureParts(view, lang, now);
	const shown = [parts.count, parts.bytes, percentOf(view.figures), parts.rate, parts.elapsed, parts.eta].filter(Boolean);
	return `${view.figures.phase[lang]}: ${shown.join(', ')}`;
}

const minBar = 8;
const maxBar = 30;

/**
 * `prefix` + bar + figures in at most `width` characters: the bar shrinks first, then the figures
 * that matter least go (elapsed, rate, bytes, the estimate); the count always stays. Without a total
 * there is no bar, only the figures.
 */
export function fitProgress(prefix: string, view: ProgressView, lang: Lang, now: number, width: number): string {
	const parts = figureParts(view, lang, now);
	const fraction = progressFraction(view.figures);
	const optional = [parts.bytes, parts.eta, parts.rate, parts.elapsed];
	const dropOrder = [3, 2, 0, 1];
	const figuresText = () => [parts.count, ...optional].filter(Boolean).join('  ');
	for (let dropped = 0; ; dropped++) {
		const text = figuresText();
		if (fraction === undefined) {
			const line = `${prefix}${text}`;
			if (line.length <= width || dropped >= dropOrder.length) return line.slice(0, width);
		} else {
			const room = width - prefix.length - text.length - 2;
			if (room >= minBar || dropped >= dropOrder.length) {
				const bar = progressBar(fraction, Math.max(0, Math.min(maxBar, room)));
				return `${prefix}${bar}${bar ? '  ' : ''}${text}`.slice(0, width);
			}
		}

		optional[dropOrder[dropped]!] = undefined;
	}
}
