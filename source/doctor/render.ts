/**
 * What `pgha doctor` prints: plain text grouped by node (the cluster as a whole first), errors
 * before warnings, every line within 80 columns; or JSON for scripts, with both languages.
 */
import type {Lang} from '../core/text.ts';
import type {Stage} from '../core/stage.ts';
import {runbookAnchor, type Finding, type RunbookLink} from './finding.ts';
import type {ClusterFacts} from './facts.ts';

export const textWidth = 80;

/** Words into lines of at most `width`, the first after `first`, the others after `rest`. */
export function wrap(text: string, width: number, first: string, rest: string): string[] {
	const lines: string[] = [];
	let line = first;
	let empty = true;
	for (const word of text.split(/\s+/).filter(Boolean)) {
		if (!empty && line.length + 1 + word.length > width) {
			lines.push(line);
			line = rest;
			empty = true;
		}

		line += empty ? word : ` ${word}`;
		empty = false;
	}

	lines.push(line);
	return lines.map(item => (item.length > width ? `${item.slice(0, width - 1)}…` : item));
}

/** A command kept whole for copying: broken at spaces with a shell line continuation. */
export function wrapCommand(command: string, width: number, first: string, rest: string): string[] {
	if (command.startsWith('#')) return wrap(command.replace(/^#\s*/, ''), width, `${first}# `, `${rest}# `);
	const lines: string[] = [];
	let line = first;
	let empty = true;
	for (const word of command.split(' ')) {
		// Room for " \" at the end of a broken line.
		if (!empty && line.length + 1 + word.length > width - 2) {
			lines.push(`${line} \\`);
			line = `${rest}  `;
			empty = true;
		}

		line += empty ? word : ` ${word}`;
		empty = false;
	}

	lines.push(line);
	return lines;
}

function truncate(text: string, width: number): string {
	return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

export function runbookTitle(link: RunbookLink, stages: readonly Stage[], lang: Lang): string {
	const stage = stages.find(candidate => candidate.id === link.stage);
	const step = stage?.steps.find(candidate => candidate.id === link.step);
	const names = [stage?.title[lang] ?? link.stage, ...(step ? [step.title[lang]] : [])];
	return `${names.join(' › ')} (#${runbookAnchor(link)})`;
}

const severityOrder = {error: 0, warning: 1} as const;

/** The cluster-wide group first, then the nodes in the cluster file's order; errors first in each. */
export function groupFindings(findings: readonly Finding[], nodeOrder: readonly string[]): Array<{node?: string; findings: Finding[]}> {
	const groups: Array<{node?: string; findings: Finding[]}> = [];
	for (const node of [undefined, ...nodeOrder, ...new Set(findings.map(item => item.node).filter(name => name !== undefined && !nodeOrder.includes(name)))]) {
		const own = findings.filter(item => item.node === node).sort((a, b) => severityOrder[a.severity] - severityOrder[b.severity]);
		if (own.length > 0) groups.push({node, findings: own});
	}

	return groups;
}

export function renderText(facts: ClusterFacts, findings: readonly Finding[], stages: readonly Stage[], lang: Lang, width = textWidth): string {
	const ru = lang === 'ru';
	const errors = findings.filter(item => item.severity === 'error').length;
	const warnings = findings.length - errors;
	const reached = facts.nodes.filter(report => report.reached).length;
	const out: string[] = [];
	const headline = findings.length === 0
		? (ru ? `Кластер ${facts.cluster.name}: проблем не найдено (узлов опрошено: ${reached} из ${facts.nodes.length}).` : `Cluster ${facts.cluster.name}: no problems found (${reached} of ${facts.nodes.length} nodes examined).`)
		: (ru ? `Кластер ${facts.cluster.name}: найдено проблем: ${findings.length} (ошибок ${errors}, предупреждений ${warnings}).` : `Cluster ${facts.cluster.name}: ${findings.length} problem${findings.length === 1 ? '' : 's'} found (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}).`);
	out.push(...wrap(headline, width, '', ''));
	const labels = ru
		? {cluster: 'весь кластер', error: 'ошибка', warning: 'внимание', evidence: 'улика:', fix: 'решение:', runbook: 'runbook:'}
		: {cluster: 'the whole cluster', error: 'error', warning: 'warning', evidence: 'evidence:', fix: 'fix:', runbook: 'runbook:'};
	const labelWidth = Math.max(labels.evidence.length, labels.fix.length, labels.runbook.length);
	const label = (name: string): string => `    ${name.padEnd(labelWidth)} `;
	const pad = ' '.repeat(4 + labelWidth + 1);
	for (const group of groupFindings(findings, facts.cluster.nodes.map(node => node.name))) {
		out.push('', `== ${group.node ?? labels.cluster} ==`);
		for (const item of group.findings) {
			const mark = item.severity === 'error' ? `✖ ${labels.error}` : `! ${labels.warning}`;
			out.push(...wrap(`${mark}: ${item.cause[lang]}`, width, '', '  '));
			item.evidence.forEach((line, index) => out.push(truncate(`${index === 0 ? label(labels.evidence) : pad}${line}`, width)));
			item.fix.forEach((command, index) => out.push(...wrapCommand(command, width, index === 0 ? label(labels.fix) : pad, pad)));
			out.push(...wrap(`pgha runbook: ${runbookTitle(item.runbook, stages, lang)}`, width, label(labels.runbook), pad));
		}
	}

	return `${out.join('\n')}\n`;
}

export interface DoctorJson {
	readonly cluster: string;
	readonly clean: boolean;
	readonly nodes: ReadonlyArray<{readonly node: string; readonly reached: boolean; readonly how?: string}>;
	readonly findings: ReadonlyArray<{
		readonly rule: string;
		readonly node: string | null;
		readonly severity: string;
		readonly cause: {readonly ru: string; readonly en: string};
		readonly evidence: readonly string[];
		readonly fix: readonly string[];
		readonly runbook: {readonly stage: string; readonly step: string | null; readonly anchor: string};
	}>;
}

export function renderJson(facts: ClusterFacts, findings: readonly Finding[]): string {
	const document: DoctorJson = {
		cluster: facts.cluster.name,
		clean: findings.length === 0,
		nodes: facts.nodes.map(report => (report.reached ? {node: report.node, reached: true} : {node: report.node, reached: false, how: report.how})),
		findings: groupFindings(findings, facts.cluster.nodes.map(node => node.name)).flatMap(group => group.findings).map(item => ({
			rule: item.rule,
			node: item.node ?? null,
			severity: item.severity,
			cause: {ru: item.cause.ru, en: item.cause.en},
			evidence: item.evidence,
			fix: item.fix,
			runbook: {stage: item.runbook.stage, step: item.runbook.step ?? null, anchor: runbookAnchor(item.runbook)},
		})),
	};
	return `${JSON.stringify(document, null, 2)}\n`;
}

/** What the command prints and its exit code: 0 when nothing was found, 1 with any finding. */
export function doctorReport(facts: ClusterFacts, findings: readonly Finding[], options: {readonly json: boolean; readonly lang: Lang; readonly stages: readonly Stage[]}): {text: string; code: number} {
	return {
		text: options.json ? renderJson(facts, findings) : renderText(facts, findings, options.stages, options.lang),
		code: findings.length === 0 ? 0 : 1,
	};
}
