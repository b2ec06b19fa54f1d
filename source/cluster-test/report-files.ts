/**
 * Writes the report folder (.pgha/reports/<run-id>/ beside the cluster file): report.json (every
 * figure), report.md in English and report.ru.md in Russian, and one SVG timeline per chart. It is
 * rewritten after every test, so a run that stops half-way still leaves what it measured.
 */
import {promises as fs} from 'node:fs';
import path from 'node:path';
import type {ChartData, TestReport} from './model.ts';
import {chartPhasesOf, chartSvg, faultHeadline, faultTitle, renderMarkdown} from './report-render.ts';
import {seconds} from './checks.ts';
import {testTexts} from './texts.ts';

export interface ReportFiles {
	readonly dir: string;
	readonly json: string;
	readonly markdown: string;
	readonly markdownRu: string;
	readonly charts: readonly string[];
}

export function reportFiles(dir: string, report: TestReport): ReportFiles {
	const charts = [report.switchover?.chart, ...report.faults.map(fault => fault.chart)]
		.filter((chart): chart is ChartData => Boolean(chart))
		.map(chart => path.join(dir, chart.file));
	return {dir, json: path.join(dir, 'report.json'), markdown: path.join(dir, 'report.md'), markdownRu: path.join(dir, 'report.ru.md'), charts};
}

export async function writeReport(dir: string, report: TestReport): Promise<ReportFiles> {
	// .pgha is private to the user (0700); the report itself holds no secret.
	await fs.mkdir(dir, {recursive: true, mode: 0o700});
	const files = reportFiles(dir, report);
	const write = (file: string, content: string) => fs.writeFile(file, content, {mode: 0o644});
	await write(files.json, `${JSON.stringify(report, undefined, 2)}\n`);
	await write(files.markdown, renderMarkdown(report, 'en'));
	await write(files.markdownRu, renderMarkdown(report, 'ru'));
	if (report.switchover?.chart) {
		const w = report.switchover;
		await write(path.join(dir, w.chart!.file), chartSvg(w.chart!, `${testTexts.switchover.title.en}: ${w.from} → ${w.to}, gap ${seconds(w.gapMs)} s`, 'en', chartPhasesOf(report, 'switchover')));
	}

	for (const fault of report.faults) {
		if (fault.chart) await write(path.join(dir, fault.chart.file), chartSvg(fault.chart, `${faultTitle(fault.kind, 'en')}: ${faultHeadline(fault, 'en')}`, 'en', chartPhasesOf(report, fault)));
	}

	return files;
}
