/**
 * The rows of one stage line, laid out for the terminal's width so the terminal never wraps them:
 *
 *   ✔ Кластер etcd  pg-node-1 ✔  pg-node-2 ✔  pg-node-3 ✔  7s            one row when it fits
 *   ✔ Доступ по SSH с этого компьютера (VS Code) (проверено)        1s   otherwise the title row
 *       host ✔  pg-node-1 ✔  pg-node-2 ✔  pg-node-3 ✔                    and the participants below
 *
 * Participants are never split: a cell that does not fit starts the next row. A title longer than
 * the width is cut at a word with "…". A node in the middle of long work (apt, pip, a download) gets
 * a row of its own below with a bar and the figures its tool reports:
 *
 *   ⠙ Установка пакетов  pg-node-1 ⠙  pg-node-2 ⠙  pg-node-3 ✔  41s
 *       pg-node-1 apt: распаковка ██████████░░░░░░░░░  38/66 пакетов  ещё ~9s  21s
 */
import type {Lang} from '../core/text.ts';
import {formatElapsed} from '../core/elapsed.ts';
import {fitProgress} from '../core/progress-text.ts';
import {messages} from './messages.ts';
import {nodesInStage} from './stage-summary.ts';
import {statusColor, statusGlyph} from './theme.ts';
import type {StageView, TaskStatus} from '../engine/store.ts';

export interface Segment {
	readonly text: string;
	readonly color?: string;
	readonly bold?: boolean;
	readonly dim?: boolean;
}

export type Row = readonly Segment[];

const indent = '    ';
const gap = '  ';

export function rowWidth(row: Row): number {
	return row.reduce((sum, segment) => sum + segment.text.length, 0);
}

function glyphOf(status: TaskStatus, spinner: string): string {
	return status === 'running' ? spinner : statusGlyph[status];
}

function noteOf(status: TaskStatus, lang: Lang): string {
	if (status === 'already-done') return ` (${messages.alreadyDone[lang]})`;
	if (status === 'checked') return ` (${messages.checked[lang]})`;
	if (status === 'skipped') return ` (${messages.skipped[lang]})`;
	return '';
}

/** Cuts at the last space that leaves room for "…"; a single long word is cut where it must be. */
export function shorten(text: string, width: number): string {
	if (text.length <= width) return text;
	if (width <= 1) return '…'.slice(0, Math.max(0, width));
	const cut = text.slice(0, width - 1);
	const space = cut.lastIndexOf(' ');
	return `${(space > width / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function participantCells(stage: StageView, spinner: string): Row[] {
	return nodesInStage(stage).map(node => {
		const cell: Segment[] = [
			{text: `${node.node} `},
			{text: node.status === 'running' ? spinner : statusGlyph[node.status], color: statusColor[node.status]},
		];
		if (node.retries > 0) cell.push({text: ` ↻${node.retries}`, color: 'yellow'});
		return cell;
	});
}

/** One row per running node that reports progress, in the stage's node order. */
function progressRows(stage: StageView, lang: Lang, width: number, now: number): Row[] {
	if (stage.status !== 'running') return [];
	const rows: Row[] = [];
	const seen = new Set<string>();
	for (const step of stage.steps) {
		for (const node of step.nodes) {
			if (node.status !== 'running' || !node.progress || seen.has(node.node)) continue;
			seen.add(node.node);
			const prefix = `${indent}${node.node} ${node.progress.figures.phase[lang]} `;
			rows.push([{text: fitProgress(prefix, node.progress, lang, now, width), color: 'cyan'}]);
		}
	}

	return rows;
}

/** Rows of the stage's line at this width (at least one); no row is wider than `width`. */
export function stageRows(stage: StageView, lang: Lang, width: number, spinner: string, now: number): Row[] {
	return [...headRows(stage, lang, width, spinner, now), ...progressRows(stage, lang, width, now)];
}

function headRows(stage: StageView, lang: Lang, width: number, spinner: string, now: number): Row[] {
	const glyph: Segment = {text: `${glyphOf(stage.status, spinner)} `, color: statusColor[stage.status]};
	const note: Segment = {text: noteOf(stage.status, lang), dim: true};
	const elapsed = stage.startedAt ? formatElapsed((stage.endedAt ?? now) - stage.startedAt) : '';
	const cells = participantCells(stage, spinner);
	const title = stage.title[lang];
	const bold = stage.status === 'running';

	const single: Segment[] = [glyph, {text: title, bold}, note];
	for (const cell of cells) single.push({text: gap}, ...cell);
	if (elapsed) single.push({text: `${gap}${elapsed}`, dim: true});
	if (rowWidth(single) <= width) return [single];

	// Title row: the time at the right edge, the title cut to what is left.
	const time = elapsed ? `${gap}${elapsed}` : '';
	const room = Math.max(1, width - glyph.text.length - note.text.length - time.length);
	const shownTitle = shorten(title, room);
	const head: Segment[] = [glyph, {text: shownTitle, bold}];
	if (note.text && glyph.text.length + shownTitle.length + note.text.length + time.length <= width) head.push(note);
	if (time) {
		const pad = Math.max(0, width - rowWidth(head) - time.length);
		head.push({text: `${' '.repeat(pad)}${time}`, dim: true});
	}

	const rows: Row[] = [clip(head, width)];
	let row: Segment[] = [{text: indent}];
	for (const cell of cells) {
		const separator = row.length > 1 ? gap : '';
		if (row.length > 1 && rowWidth(row) + separator.length + rowWidth(cell) > width) {
			rows.push(row);
			row = [{text: indent}];
		}

		row.push(...(row.length > 1 ? [{text: gap}] : []), ...cell);
	}

	if (row.length > 1) rows.push(clip(row, width));
	return rows;
}

/** Last resort for absurdly narrow terminals: nothing may reach the terminal's own wrapping. */
function clip(row: Row, width: number): Row {
	if (rowWidth(row) <= width) return row;
	const out: Segment[] = [];
	let left = width;
	for (const segment of row) {
		if (left <= 0) break;
		out.push({...segment, text: segment.text.slice(0, left)});
		left -= segment.text.length;
	}

	return out;
}

/** A stage whose line changes by itself: the spinner turns and the elapsed time counts. */
export function isMoving(stage: StageView): boolean {
	return stage.status === 'running' || (stage.startedAt !== undefined && stage.endedAt === undefined) || stage.steps.some(step => step.status === 'running');
}

/**
 * The rows of a stage, laid out once per snapshot of it: a stage that does not move keeps its rows
 * (and so its StageLine draws nothing new) until the engine changes it.
 */
const laidOut = new WeakMap<StageView, {readonly key: string; readonly rows: Row[]}>();
export function rowsOf(stage: StageView, lang: Lang, width: number, spinner: string, now: number): Row[] {
	const key = isMoving(stage) ? `${lang} ${width} ${spinner} ${formatElapsed(now - (stage.startedAt ?? now))}` : `${lang} ${width}`;
	const cached = laidOut.get(stage);
	if (cached?.key === key) return cached.rows;
	const rows = stageRows(stage, lang, width, spinner, now);
	laidOut.set(stage, {key, rows});
	return rows;
}
