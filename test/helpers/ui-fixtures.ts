import type {RunView, StageView} from '../../source/ui/view-model.ts';

export const nodes = ['pg-node-1', 'pg-node-2', 'pg-node-3'];

export function stage(id: string, status: StageView['status'], nodeStatus = status, tail: string[] = []): StageView {
	return {
		id,
		title: {ru: `Этап ${id}`, en: `Stage ${id}`},
		status,
		startedAt: status === 'pending' ? undefined : 1000,
		endedAt: status === 'running' || status === 'pending' ? undefined : 13_000,
		steps: [
			{
				id: `${id}-step`,
				title: {ru: `Шаг ${id}`, en: `Step ${id}`},
				explain: {ru: `Объяснение ${id}`, en: `Explanation ${id}`},
				status,
				nodes: nodes.map(node => ({node, status: nodeStatus, retries: 0, tail, command: `apt-get install ${id}`})),
			},
		],
	};
}

export function runView(stages: StageView[]): RunView {
	return {stages, logDir: '/tmp/pgha/.pgha/logs/run-1'};
}

export const tick = async (ms = 60) => new Promise(resolve => setTimeout(resolve, ms));

/** Polls until the condition holds (bounded: 3 s), so tests do not depend on render timing. */
export async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await tick(10);
	}
}
