/** What the run screen shows, independent of how the engine records it. */
import type {Text} from '../core/text.ts';

/** already-done: done before this run (a check proved it); checked: a read-only check found nothing to change. */
export type RunStatus = 'pending' | 'running' | 'done' | 'already-done' | 'checked' | 'skipped' | 'failed';

export interface NodeView {
	readonly node: string;
	readonly status: RunStatus;
	readonly retries: number;
	/** Newest last, already bounded by the store; lines a person reads (raw records stay in the log). */
	readonly tail: readonly string[];
	/** The command being run, secrets masked. */
	readonly command?: string;
	/** In the screen's language, naming its node once. */
	readonly error?: string;
}

export interface StepView {
	readonly id: string;
	readonly title: Text;
	readonly explain: Text;
	readonly status: RunStatus;
	readonly nodes: readonly NodeView[];
}

export interface StageView {
	readonly id: string;
	readonly title: Text;
	readonly status: RunStatus;
	readonly steps: readonly StepView[];
	readonly startedAt?: number;
	readonly endedAt?: number;
	readonly error?: string;
}

export interface RunView {
	readonly stages: readonly StageView[];
	readonly logDir: string;
}

/** A question asked while the run is going (rendered by Ink, never by inquirer). */
export type Question =
	| {readonly kind: 'failure'; readonly stage: Text; readonly error: string; readonly tail: readonly string[]; readonly logFile: string; readonly canSkip: boolean}
	| {readonly kind: 'step-preview'; readonly stage: Text; readonly explain: Text; readonly commands: readonly string[]};

export type FailureChoice = 'retry' | 'skip' | 'log' | 'quit';

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
	/** Where Patroni and etcd came from, with the pinned versions. */
	readonly software?: {readonly ru: string; readonly en: string};
}
