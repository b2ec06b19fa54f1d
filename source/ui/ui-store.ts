/**
 * What the run screen shows besides the run itself: a question, a full log, the summary. The run is
 * the engine's snapshot (screen-feed.ts); this store never holds a copy of it. The wizard controller
 * writes here; the screen never runs a command.
 */
import type {Text} from '../core/text.ts';
import type {PreviewChoice} from './components/step-preview.tsx';

/** A question asked while the run is going (rendered by Ink, never by inquirer). */
export type Question =
	| {readonly kind: 'failure'; readonly stage: Text; readonly error: string; readonly tail: readonly string[]; readonly logFile: string; readonly canSkip: boolean}
	| {readonly kind: 'step-preview'; readonly stage: Text; readonly explain: Text; readonly commands: readonly string[]};

export type FailureChoice = 'retry' | 'skip' | 'log' | 'quit';

export type Answer =
	| {readonly kind: 'failure'; readonly choice: FailureChoice}
	| {readonly kind: 'step-preview'; readonly choice: PreviewChoice}
	| {readonly kind: 'closed'};

export interface ClusterMemberView {
	readonly name: string;
	readonly host: string;
	readonly role: string;
	readonly state: string;
	readonly timeline?: number;
	readonly lagMb?: number;
}

export interface SummaryView {
	readonly members: readonly ClusterMemberView[];
	readonly writeUrl: string;
	readonly readUrl: string;
	/** Several HAProxy nodes: the libpq multi-host string for writes. */
	readonly multiHostUrl?: string;
	/** The floating address and the node holding it now. */
	readonly vip?: string;
	readonly statsUrl: string;
	readonly secretsFile: string;
	readonly nextCommand: string;
	/** When something breaks later: doctor names the cause; practice teaches finding it. */
	readonly doctorCommand: string;
	readonly practiceCommand: string;
	/** Where Patroni and etcd came from, with the pinned versions. */
	readonly software?: Text;
	/** A practice-lab cluster: how to power its nodes off when done. */
	readonly lab?: Text;
}

export interface UiState {
	readonly question?: Question;
	/** A full log being read (after "Show full log"). */
	readonly log?: {readonly title: string; readonly lines: readonly string[]};
	readonly summary?: SummaryView;
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

export function createUiStore(initial: UiState = {}): UiStore {
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
