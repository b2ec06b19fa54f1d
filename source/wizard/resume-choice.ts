/**
 * The start screen of an existing setup: every stage with done / failed (and why) / pending, then
 * "continue from <stage>" as the default. "Start over" forgets pgha's records only: it never deletes
 * anything on the nodes (every step checks the node before changing it).
 */
import type {Stage} from '../core/stage.ts';
import type {StageSummary} from '../engine/state.ts';
import type {Lang, Text} from '../core/text.ts';
import type {Prompter} from './prompter.ts';

export type ResumeChoice = {readonly kind: 'continue'; readonly from?: string} | {readonly kind: 'start-over'} | {readonly kind: 'quit'};

const statusWord: Record<StageSummary['status'], Text & {glyph: string}> = {
	done: {ru: 'готово', en: 'done', glyph: '✔'},
	failed: {ru: 'ошибка', en: 'failed', glyph: '✖'},
	interrupted: {ru: 'прервано', en: 'interrupted', glyph: '…'},
	skipped: {ru: 'пропущено', en: 'skipped', glyph: '↷'},
	pending: {ru: 'не начато', en: 'pending', glyph: '·'},
};

export function describeProgress(stages: readonly Stage[], summaries: readonly StageSummary[], lang: Lang): string {
	return stages
		.map((stage, index) => {
			const summary = summaries[index]!;
			const word = statusWord[summary.status];
			const why = summary.error ? `: ${summary.node ? `${summary.node}: ` : ''}${summary.error}` : '';
			return `  ${word.glyph} ${stage.title[lang]} (${word[lang]}${why})`;
		})
		.join('\n');
}

export async function askResume(prompter: Prompter, stages: readonly Stage[], summaries: readonly StageSummary[], lang: Lang, write: (text: string) => void): Promise<ResumeChoice> {
	const ru = lang === 'ru';
	write(`${ru ? 'Эта установка уже начата:' : 'This setup was started before:'}\n${describeProgress(stages, summaries, lang)}\n`);
	const next = summaries.findIndex(summary => summary.status !== 'done');
	const from = next === -1 ? undefined : stages[next];
	const choice = await prompter.select<'continue' | 'start-over' | 'quit'>({
		message: ru ? 'Что делаем?' : 'What next?',
		choices: [
			{
				value: 'continue',
				name: from ? (ru ? `Продолжить с этапа «${from.title.ru}»` : `Continue from "${from.title.en}"`) : ru ? 'Всё сделано: перепроверить кластер' : 'All done: check the cluster again',
			},
			{value: 'start-over', name: ru ? 'Начать заново (данные на узлах не удаляются)' : 'Start over (nothing on the nodes is deleted)'},
			{value: 'quit', name: ru ? 'Выйти' : 'Quit'},
		],
		default: 'continue',
	});
	if (choice === 'quit') return {kind: 'quit'};
	if (choice === 'start-over') {
		const sure = await prompter.confirm({
			message: ru ? 'Забыть записи pgha о пройденных этапах? Каждый этап снова проверит узлы.' : 'Forget pgha\'s record of finished stages? Every stage will check the nodes again.',
			default: false,
		});
		return sure ? {kind: 'start-over'} : {kind: 'continue', from: from?.id};
	}

	return {kind: 'continue', from: from?.id};
}
