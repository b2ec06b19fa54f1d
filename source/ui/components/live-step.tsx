import {Box, Text} from 'ink';
import {memo} from 'react';
import type {Panel} from '../../core/panel.ts';
import type {Lang} from '../../core/text.ts';
import {withNodePrefix} from '../../engine/types.ts';
import type {NodeView, StepView} from '../../engine/store.ts';
import {readableLines} from '../live-lines.ts';
import {color} from '../theme.ts';
import {messages} from '../messages.ts';

export interface LiveStepProps {
	readonly step: StepView;
	readonly lang: Lang;
	/** Lines this block may use; the frame must never be taller than the terminal. */
	readonly maxLines: number;
	readonly width: number;
}

/** Word-wraps to the width, so the explanation is read whole and its lines counted in the budget. */
export function wrapWords(text: string, width: number): string[] {
	const lines: string[] = [];
	for (const paragraph of text.split('\n')) {
		let line = '';
		for (const word of paragraph.split(/\s+/).filter(Boolean)) {
			if (line && line.length + 1 + word.length > width) {
				lines.push(line);
				line = word;
			} else {
				line = line ? `${line} ${word}` : word;
			}
		}

		lines.push(line);
	}

	return lines;
}

function clip(line: string, width: number): string {
	return line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line;
}

/** Commands a person can read: every line of a multi-line command indented under the first, long ones wrapped. */
const maxCommandRows = 3;
export function commandRows(prefix: string, command: string, width: number): string[] {
	const indent = ' '.repeat(Math.min(prefix.length, 8));
	const rows: string[] = [];
	for (const [index, line] of command.split('\n').entries()) {
		let rest = line.trimEnd();
		let lead = index === 0 ? prefix : indent;
		do {
			const room = Math.max(10, width - lead.length);
			// Break between words where one is near; a single very long word is cut where it must be.
			const space = rest.length > room ? rest.lastIndexOf(' ', room) : -1;
			const cut = rest.length <= room ? rest.length : space > room / 2 ? space : room;
			rows.push(lead + rest.slice(0, cut).trimEnd());
			rest = rest.slice(cut).trimStart();
			lead = indent;
		} while (rest.length > 0);
	}

	if (rows.length <= maxCommandRows) return rows;
	return [...rows.slice(0, maxCommandRows - 1), clip(`${rows[maxCommandRows - 1]!} …`, width)];
}

/**
 * A node's tail in words, once per snapshot of the node (the store keeps a node's view object while
 * it does not change), not on every frame.
 */
const said = new WeakMap<NodeView, {readonly lang: Lang; readonly lines: readonly string[]}>();
function readableTail(node: NodeView, lang: Lang): readonly string[] {
	const cached = said.get(node);
	if (cached?.lang === lang) return cached.lines;
	const lines = readableLines(node.tail, lang);
	said.set(node, {lang, lines});
	return lines;
}

/** Where a node's output lines (and a panel's rows) start under its command. */
const bodyIndent = '  ';

/**
 * A panel's rows once per panel object and width: a step hands a new object per update, so the
 * spinner's beats between updates draw nothing new. Each row is kept to one terminal row.
 */
const panelRowsSeen = new WeakMap<Panel, {readonly width: number; readonly rows: readonly string[]}>();
function panelRows(panel: Panel, width: number): readonly string[] {
	const cached = panelRowsSeen.get(panel);
	if (cached?.width === width) return cached.rows;
	const rows = panel.render(width).map(row => clip(row.replace(/[\r\n\t]/g, ' '), width));
	panelRowsSeen.set(panel, {width, rows});
	return rows;
}

/** In the screen's language when the failure came translated, naming its node once. */
function errorOf(node: NodeView, lang: Lang): string | undefined {
	const error = node.errorText?.[lang] ?? node.error;
	return error === undefined ? undefined : withNodePrefix(node.node, error);
}

/**
 * The running step: what and why, then per node the command and the newest output lines, or the
 * live panel the step keeps up (the drill view) in their place.
 * Lines are clipped to the width so one long apt line cannot wrap and overflow the frame.
 * Drawn again only when the step's snapshot, the language or the space changes.
 */
export const LiveStep = memo(function LiveStep({step, lang, maxLines, width}: LiveStepProps) {
	const lines: Array<{key: string; text: string; tone?: 'dim' | 'command' | 'title' | 'error'}> = [];
	lines.push({key: 'title', text: `${messages.why[lang]}: ${step.title[lang]}`, tone: 'title'});
	const active = step.nodes.filter(node => node.status === 'running' || node.status === 'failed');
	const panels = new Map<NodeView, readonly string[]>();
	for (const node of active) if (node.status === 'running' && node.panel) panels.set(node, panelRows(node.panel, Math.max(1, width - bodyIndent.length)));
	// At most a third of the space for the explanation; the live output matters as much. A panel (the
	// drill while a fault runs) is what the student watches: the explanation makes room for it, down to a line.
	const third = Math.max(1, Math.floor(maxLines / 3));
	const panelNeeds = [...panels.values()].reduce((sum, rows) => sum + rows.length + 1, 0);
	const explainRows = panels.size > 0 ? Math.max(1, Math.min(third, maxLines - 1 - panelNeeds)) : third;
	const explanation = wrapWords(step.explain[lang], Math.max(20, width)).slice(0, explainRows);
	for (const [index, part] of explanation.entries()) lines.push({key: `explain-${index}`, text: part, tone: 'dim'});
	const budget = Math.max(0, maxLines - lines.length);
	const perNode = active.length > 0 ? Math.max(2, Math.floor(budget / active.length)) : 0;
	for (const node of active) {
		const command = commandRows(`${node.node} $ `, node.command ?? '', width);
		for (const [index, row] of command.entries()) lines.push({key: `${node.node}-cmd-${index}`, text: row, tone: 'command'});
		const sentence = errorOf(node, lang);
		const error = sentence ? wrapWords(sentence, Math.max(20, width - 2)).slice(0, 3) : [];
		const room = Math.max(0, perNode - command.length - error.length);
		const panel = panels.get(node);
		if (panel) {
			// In place of the tail; the panel puts its most important rows first, so the last ones go.
			for (const [index, row] of panel.slice(0, room).entries()) lines.push({key: `${node.node}-panel-${index}`, text: `${bodyIndent}${row}`});
		} else {
			const tail = readableTail(node, lang).slice(-room);
			for (const [index, line] of tail.entries()) lines.push({key: `${node.node}-${index}`, text: `${bodyIndent}${line}`});
		}

		for (const [index, row] of error.entries()) lines.push({key: `${node.node}-error-${index}`, text: `${bodyIndent}${row}`, tone: 'error'});
	}

	const visible = lines.slice(0, Math.max(0, maxLines));
	return (
		<Box flexDirection="column">
			{visible.map(line => (
				<Text
					key={line.key}
					wrap="truncate"
					dimColor={line.tone === 'dim'}
					bold={line.tone === 'title'}
					color={line.tone === 'command' ? color('cyan') : line.tone === 'error' ? color('red') : undefined}
				>
					{clip(line.text, width)}
				</Text>
			))}
		</Box>
	);
});
