/** The engine's public types: options of a run, what a failure hook sees, and the results. */
import type {ClusterConfig, Secrets} from '../core/cluster.ts';
import type {Remote} from '../core/remote.ts';
import type {Stage} from '../core/stage.ts';
import type {RetryPolicy, Step} from '../core/step.ts';
import type {Lang, Text} from '../core/text.ts';
import type {RunStore} from './store.ts';

export const defaultRetry = {tries: 2, delayMs: 3000} as const;

/** What a step that Ctrl+C stopped reports; never worth a retry. */
export const interruptedText = {en: 'interrupted (Ctrl+C)', ru: 'прервано (Ctrl+C)'} as const;

/** "pg-node-1: ..." exactly once, whether or not the sentence named its node already. */
export function withNodePrefix(node: string, sentence: string): string {
	// "pg-node-2 (192.168.0.31) did not answer" names the node already.
	return sentence.startsWith(`${node}:`) || sentence.startsWith(`${node} (`) ? sentence : `${node}: ${sentence}`;
}

export type RendererKind = 'store' | 'simple' | 'silent';
export type FailureDecision = 'retry' | 'skip' | 'quit';
export type StageDecision = 'run' | 'skip' | 'quit';

export interface NodeFailure {
	readonly stage: string;
	readonly step: string;
	/** Node name, or "host". */
	readonly node: string;
	/** One sentence in English, secrets masked. */
	readonly message: string;
	/** The sentence in both languages, when the error came translated (SSH errors do). */
	readonly text?: Text;
	readonly fix?: Text;
	readonly logFile: string;
	/** The last output lines of the failed step on that node (masked). */
	readonly tail: readonly string[];
}

export interface FailureInfo {
	readonly stage: Stage;
	readonly step: Step;
	readonly failures: readonly NodeFailure[];
	/** The step is marked safe to skip; otherwise 'skip' is treated as 'quit'. */
	readonly canSkip: boolean;
	/** 1 for the first time this step failed in this run, 2 after one user retry, ... */
	readonly round: number;
}

export interface StageStartInfo {
	readonly stage: Stage;
	readonly index: number;
	/** Node names (and "host") the stage will run on. */
	readonly participants: readonly string[];
}

export interface RunOptions {
	readonly cluster: ClusterConfig;
	readonly secrets: Secrets;
	readonly stages: readonly Stage[];
	/** One connection per node, by node name. The engine never closes them. */
	readonly remotes: ReadonlyMap<string, Remote>;
	/** Runs host-scope steps on the computer running pgha; required when such a step exists. */
	readonly hostRemote?: Remote;
	/** Path of state.json (see source/config/paths.ts). */
	readonly stateFile: string;
	/** Root of the log folders; this run writes into <logDir>/<runId>/<node>.log. */
	readonly logDir: string;
	/** store: feed `store` (Ink draws it); simple: plain lines (not a TTY); silent: nothing (tests). */
	readonly renderer?: RendererKind;
	readonly store?: RunStore;
	readonly signal?: AbortSignal;
	/** The user agreed in advance to destructive fixes (--yes); passed to steps. */
	readonly yes?: boolean;
	/** Skip the stages before this one. */
	readonly from?: string;
	/** Run only these stages. */
	readonly only?: readonly string[];
	/** Asked after the automatic retries of a step are used up. Default: quit. */
	readonly onFailure?: (failure: FailureInfo) => Promise<FailureDecision>;
	/** Asked before each selected stage (--step mode). Default: run. */
	readonly beforeStage?: (info: StageStartInfo) => Promise<StageDecision>;
	/** Language of listr2 titles (simple renderer). */
	readonly lang?: Lang;
	/** More strings to hide in logs and on screen, e.g. the SSH password. */
	readonly mask?: readonly string[];
	/** Defaults for steps without their own retry policy. */
	readonly retry?: RetryPolicy;
	readonly runId?: string;
}

export type StageOutcome = 'done' | 'already-done' | 'failed' | 'skipped' | 'not-run' | 'aborted';

export interface StageResult {
	readonly id: string;
	readonly status: StageOutcome;
	readonly failures: readonly NodeFailure[];
}

export interface PipelineResult {
	readonly runId: string;
	/** This run's log folder. */
	readonly logDir: string;
	/** stopped = the user chose quit before a stage (step mode). */
	readonly status: 'done' | 'failed' | 'aborted' | 'stopped';
	readonly stages: readonly StageResult[];
}
