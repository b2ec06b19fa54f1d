/**
 * The runbook's "when things go wrong" chapter, printed from the same definitions `pgha doctor`
 * makes its findings from, so the chapter lists exactly what doctor can recognise.
 */
import type {Lang} from '../core/text.ts';
import type {Stage} from '../core/stage.ts';
import {findingDefinitions} from './rules/index.ts';
import {runbookAnchor} from './finding.ts';

/** Text for Markdown: an angle-bracket placeholder such as <subnet> would be taken for an HTML tag and vanish. */
const escape = (text: string): string => text.replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function troubleChapter(stages: readonly Stage[], lang: Lang, number: number): string[] {
	const ru = lang === 'ru';
	const out = [
		`<a id="when-things-go-wrong"></a>`,
		'',
		ru ? `## ${number}. Если что-то пошло не так` : `## ${number}. When things go wrong`,
		'',
		ru
			? '`pgha doctor` опрашивает каждый узел (ничего не меняя) и для каждой найденной проблемы называет узел, причину, улику (строку журнала, файла или вывода команды) и команды исправления. Ниже — что он умеет узнавать.'
			: '`pgha doctor` examines every node (changing nothing) and for each problem it finds names the node, the cause, the evidence (a log line, a file line or a command\'s output) and the commands that fix it. Below is what it recognises.',
		'',
	];
	for (const definition of findingDefinitions) {
		const stage = stages.find(candidate => candidate.id === definition.runbook.stage);
		const step = stage?.steps.find(candidate => candidate.id === definition.runbook.step);
		const where = [stage?.title[lang], step?.title[lang]].filter(Boolean).join(' › ');
		const severity = definition.severity === 'error' ? (ru ? 'ошибка' : 'error') : (ru ? 'предупреждение' : 'warning');
		out.push(
			`<a id="doctor-${definition.id}"></a>`,
			'',
			`### ${escape(definition.title[lang])}`,
			'',
			`- ${ru ? 'Признак' : 'Symptom'}: ${escape(definition.symptom[lang])}`,
			`- ${ru ? 'Причина и решение' : 'Cause and fix'}: ${escape(definition.remedy[lang])}`,
			`- ${ru ? 'В выводе pgha doctor' : 'In pgha doctor\'s output'}: \`${definition.id}\` (${severity})${where ? `; ${ru ? 'см.' : 'see'} [${where}](#${runbookAnchor(definition.runbook)})` : ''}`,
			'',
		);
	}

	return out;
}
