/**
 * The step contract: a stage is what the course guide calls a section; a step is one idempotent unit
 * of it. Steps are data plus check / plan / apply / verify, and never import UI code. The engine runs
 * them, the runbook prints them and `--step` walks them one by one, all from this one definition.
 */
import type {ClusterConfig, NodeConfig, Secrets} from './cluster.ts';
import {LocalizedError} from './error.ts';
import type {Panel} from './panel.ts';
import type {Progress} from './progress.ts';
import type {Remote} from './remote.ts';
import type {Text} from './text.ts';

/** Something a step does on a node, printable by the runbook and executable by the engine. */
export type Action =
	| {
			readonly kind: 'run';
			readonly command: string;
			readonly sudo?: boolean;
			readonly asUser?: string;
			readonly timeoutMs?: number;
	  }
	| {
			readonly kind: 'write';
			readonly path: string;
			readonly content: string;
			readonly mode: number;
			readonly owner?: string;
			readonly group?: string;
	  };

/** Where a step runs: on every node, on one chosen node, or on the machine running pgha. */
export type Scope = 'each-node' | 'one-node' | 'host';

/** Values discovered on nodes during a run (e.g. the PostgreSQL bin_dir), keyed per node. */
export type Facts = Map<string, string>;

export interface PlanContext {
	readonly cluster: ClusterConfig;
	readonly secrets: Secrets;
	readonly node: NodeConfig;
	/** Facts of this node discovered so far; empty in the runbook, where placeholders are used. */
	readonly facts: Facts;
}

export interface StepContext extends PlanContext {
	/** The node's connection. For host-scope steps: a local executor on the host. */
	readonly remote: Remote;
	/** Every node's connection by node name (for cross-node checks). */
	readonly remotes: ReadonlyMap<string, Remote>;
	/** Facts of every node by node name. */
	readonly allFacts: ReadonlyMap<string, Facts>;
	readonly log: (line: string) => void;
	/**
	 * Figures of long work read from the tool's own output (apt, pip, a download), for the screen's
	 * bar and the plain output's periodic line. Optional: tests and other callers may leave it out.
	 */
	readonly progress?: (figures: Progress) => void;
	/**
	 * A live block kept on the screen in place of this node's output (the failover drill's view);
	 * hand a new Panel object per update, undefined takes it away (the engine also does when the node
	 * ends). Plain output and the run log get its `plain` line at most once a second. Optional, like
	 * `progress`.
	 */
	readonly panel?: (panel: Panel | undefined) => void;
	readonly signal: AbortSignal;
	/** The user agreed in advance to destructive fixes (--yes). */
	readonly yes: boolean;
}

/** Automatic retries of a step on a node (listr2 semantics: `tries` extra attempts after the first). */
export interface RetryPolicy {
	readonly tries?: number;
	readonly delayMs?: number;
}

export interface Step {
	readonly id: string;
	readonly title: Text;
	/** What the step does and why, for the run screen, --step mode and the runbook. */
	readonly explain: Text;
	readonly scope: Scope;
	/** For scope one-node: which nodes (by name) it runs on. */
	readonly targets?: (cluster: ClusterConfig) => readonly string[];
	/** Nodes of an each-node step must run one after another (e.g. leader before replicas). */
	readonly sequential?: boolean;
	/** The user may skip it after a failure without breaking later stages. */
	readonly safeToSkip?: boolean;
	/** Retries for transient failures; the engine's default is {tries: 2, delayMs: 3000}, i.e. up to 3 attempts. */
	readonly retry?: RetryPolicy;
	/** Is it already done? Decided from the node's real state, never from memory. */
	check(ctx: StepContext): Promise<boolean>;
	/** The actions apply performs; printed verbatim by the runbook. */
	plan(ctx: PlanContext): readonly Action[];
	/** Defaults to running plan(); override when applying needs waiting or branching. */
	apply?(ctx: StepContext): Promise<void>;
	/** Throws a StepError when the result is not right. */
	verify(ctx: StepContext): Promise<void>;
}

/** A failure users can act on: the problem (naming the node) and, when there is one, what to do. */
export class StepError extends LocalizedError {
	constructor(text: Text, fix?: Text) {
		super(text, {fix});
		this.name = 'StepError';
	}
}
