/**
 * Evidence in words: what each node said when a wait ran past its bound, and whether that looks
 * slow (one primary, the others following or on their way) or wrong (two nodes calling themselves
 * the primary, or nobody at all).
 */
import type {Lang} from '../core/text.ts';
import {seconds} from './checks.ts';
import type {Evidence, FaultFigures, NodeAnswer} from './model.ts';

const primaryRoles = new Set(['primary', 'master']);

function answerWords(answer: NodeAnswer, lang: Lang): string {
	const where = answer.inside ? (lang === 'ru' ? ' (изнутри, отрезан)' : ' (from inside, cut off)') : '';
	if (!answer.answered) return `${answer.name}${where}: ${lang === 'ru' ? 'REST API не ответил' : 'REST API did not answer'}`;
	const timeline = answer.timeline === undefined ? '' : `, timeline ${answer.timeline}`;
	return `${answer.name}${where}: ${answer.role ?? '?'} ${answer.state ?? '?'}${timeline}`;
}

/** The verdict the answers point to. */
export function evidenceVerdict(evidence: Evidence, lang: Lang): string {
	const primaries = evidence.nodes.filter(answer => answer.answered && answer.role !== undefined && primaryRoles.has(answer.role));
	if (primaries.length > 1) {
		return lang === 'ru'
			? `два узла называют себя primary (${primaries.map(answer => answer.name).join(', ')}): пишите только через HAProxy, он пускает к одному`
			: `two nodes call themselves the primary (${primaries.map(answer => answer.name).join(', ')}): write only through HAProxy, which lets clients reach one`;
	}

	if (primaries.length === 0) return lang === 'ru' ? 'primary ещё нет: выборы не закончились' : 'no primary yet: the election has not finished';
	const silent = evidence.nodes.filter(answer => !answer.answered).map(answer => answer.name);
	const caveat = silent.length === 0 ? '' : lang === 'ru'
		? ` (что думает о себе ${silent.join(', ')}, неизвестно: он молчит, а его PostgreSQL может ещё быть primary для клиентов с его стороны)`
		: ` (what ${silent.join(', ')} thinks of itself is unknown: it is silent, and its PostgreSQL may still be a primary to clients on its side)`;
	return lang === 'ru'
		? `один primary среди ответивших (${primaries[0]!.name}): кластер прав, только медленнее теории${caveat}`
		: `one primary among those that answered (${primaries[0]!.name}): the cluster is right, only slower than the theory${caveat}`;
}

/** One line: the wait, the moment, each node's answer, the verdict. */
export function evidenceLine(evidence: Evidence, lang: Lang): string {
	const head = lang === 'ru'
		? `${evidence.wait.ru}: граница ${seconds(evidence.boundMs)} с прошла; через ${seconds(evidence.afterMs)} с после отказа`
		: `${evidence.wait.en}: its bound of ${seconds(evidence.boundMs)} s passed; at ${seconds(evidence.afterMs)} s after the fault`;
	return `${head}: ${evidence.nodes.map(answer => answerWords(answer, lang)).join('; ')}. ${evidenceVerdict(evidence, lang)}.`;
}

/** The report's section, empty when every wait ended within its bound. */
export function evidenceMarkdown(faults: readonly FaultFigures[], lang: Lang): string[] {
	const all = faults.flatMap(fault => (fault.evidence ?? []).map(evidence => ({fault, evidence})));
	if (all.length === 0) return [];
	const out = [lang === 'ru' ? '## Ожидания дольше границы: что делал кластер' : '## Waits past their bound: what the cluster was doing', ''];
	for (const {fault, evidence} of all) {
		out.push(`- **${fault.kind}** — ${evidenceLine(evidence, lang)}`);
		if (evidence.journal) {
			out.push('', `  ${lang === 'ru' ? 'Журнал Patroni на' : 'Patroni\'s journal on'} ${evidence.journal.node}:`, '', '  ```', ...evidence.journal.lines.map(line => `  ${line}`), '  ```', '');
		}
	}

	out.push('');
	return out;
}
