/**
 * The one store the Ink screen reads (useSyncExternalStore). The engine's renderer and the wizard
 * controller write into it; the screen never runs a command.
 */
import type {PreviewChoice} from './components/step-preview.tsx';
import type {FailureChoice, Question, RunView, SummaryView} from './view-model.ts';

export type Answer =
	| {readonly kind: 'failure'; readonly choice: FailureChoice}
	| {readonly kind: 'step-preview'; readonly choice: PreviewChoice}
	| {readonly kind: 'closed'};

export interface UiState {
	readonly run: RunView;
	readonly question?: Question;
	/** A full log being read (after "Show full log"). */
	readonly log?: {readonly title: string; readonly lines: readonly string[]};
	readonly summary?: SummaryView;
	readonly message?: string;
	/** Counts the screen's frames while something runs: the spinner is drawn from it. */
	readonly frame?: number;
}

export interface UiStore {
	getSnapshot(): UiState;
	subscribe(listener: () => void): () => void;
	update(change: (state: UiState) => UiState): void;
	/** Shows a question and resolves with the user's answer. */
	ask(question: Question): Promise<Answer>;
	answer(answer: Answer): void;
	/** Shows a full log until the user closes it. */
	showLog(title: string, lines: readonly string[]): Promise<void>;
}

export function createUiStore(initial: UiState): UiStore {
	let state = initial;
	const listeners = new Set<() => void>();
	let pending: ((answer: Answer) => void) | undefined;
	const notify = () => {
		for (const listener of listeners) listener();
	};

	return {
		getSnapshot: () => state,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		update(change) {
			state = change(state);
			notify();
		},
		async ask(question) {
			state = {...state, question};
			notify();
			return new Promise<Answer>(resolve => {
				pending = resolve;
			});
		},
		async showLog(title, lines) {
			state = {...state, question: undefined, log: {title, lines}};
			notify();
			await new Promise<Answer>(resolve => {
				pending = resolve;
			});
		},
		answer(answer) {
			const resolve = pending;
			pending = undefined;
			state = {...state, question: undefined, log: undefined};
			notify();
			resolve?.(answer);
		},
	};
}
