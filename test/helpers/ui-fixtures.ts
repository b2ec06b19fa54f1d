import type {StageView, TaskStatus} from '../../source/engine/store.ts';
import type {ScreenFeed, ScreenFrame} from '../../source/ui/screen-feed.ts';

export const nodes = ['pg-node-1', 'pg-node-2', 'pg-node-3'];

export function stage(id: string, status: TaskStatus, nodeStatus = status, tail: string[] = []): StageView {
	return {
		id,
		title: {ru: `Этап ${id}`, en: `Stage ${id}`},
		status,
		...(status === 'pending' ? {} : {startedAt: 1000}),
		...(status === 'running' || status === 'pending' ? {} : {endedAt: 13_000}),
		steps: [
			{
				id: `${id}-step`,
				title: {ru: `Шаг ${id}`, en: `Step ${id}`},
				explain: {ru: `Объяснение ${id}`, en: `Explanation ${id}`},
				status,
				nodes: nodes.map(node => ({node, status: nodeStatus, retries: 0, tail: tail.map(text => ({text, stream: 'stdout' as const})), lineCount: tail.length, command: `apt-get install ${id}`})),
			},
		],
	};
}

/** What the screen reads in a test: these stages as the engine's snapshot, shown when the test says. */
export interface TestFeed extends ScreenFeed {
	/** The engine has new stages. */
	show(stages: readonly StageView[]): void;
	/** One beat of the screen's clock. */
	beat(): void;
}

export function runFeed(stages: readonly StageView[]): TestFeed {
	const logDir = '/tmp/pgha/.pgha/logs/run-1';
	let frame: ScreenFrame = {run: {status: 'running', logDir, stages}, logDir, tick: 0};
	const listeners = new Set<() => void>();
	const set = (next: ScreenFrame) => {
		frame = next;
		for (const listener of [...listeners]) listener();
	};

	return {
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		getSnapshot: () => frame,
		show: next => set({...frame, run: {...frame.run, stages: next}, tick: frame.tick + 1}),
		beat: () => set({...frame, tick: frame.tick + 1}),
	};
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
