/**
 * A stage is what the course guide calls a section; a step is one idempotent unit of it.
 * Steps are data plus check / plan / apply / verify. They never import UI code.
 */
import type {ClusterConfig, NodeConfig, Secrets} from '../source/core/cluster.ts';
import type {Remote} from '../source/core/remote.ts';

/** User-facing text in both languages the students read. */
export interface Text {
	readonly ru: string;
	readonly en: string;
}

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
	readonly signal: AbortSignal;
	/** The user agreed in advance to destructive fixes (--yes). */
	readonly yes: boolean;
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
	/** Is it already done? Decided from the node's real state, never from memory. */
	check(ctx: StepContext): Promise<boolean>;
	/** The actions apply performs; printed verbatim by the runbook. */
	plan(ctx: PlanContext): readonly Action[];
	/** Defaults to running plan(); override when applying needs waiting or branching. */
	apply?(ctx: StepContext): Promise<void>;
	/** Throws a StepError when the result is not right. */
	verify(ctx: StepContext): Promise<void>;
}

/** A TCP port a stage's service listens on; the VM checks require it free or held by `owners`. */
export interface PortClaim {
	readonly port: number;
	/** Process names allowed to hold it (the service pgha installs there). */
	readonly owners: readonly string[];
	readonly role: string;
}

/**
 * What a stage needs from the rest of pgha, declared beside its steps so that adding a stage does
 * not mean editing the packages stage, the VM checks, the secrets or status.
 */
export interface StageNeeds {
	/** apt packages this node needs for the stage (installed by the packages stage). */
	readonly packages?: (cluster: ClusterConfig, node: NodeConfig) => readonly string[];
	/** Ports its services listen on, on this node (checked free by the VM checks). */
	readonly ports?: (cluster: ClusterConfig, node: NodeConfig) => readonly PortClaim[];
	/** The cluster-file keys it reads, with what they mean (the runbook prints them). */
	readonly section?: {readonly keys: readonly string[]; readonly doc: Text};
	/** The generated secrets it uses (keys of the secrets file's Secrets). */
	readonly secrets?: readonly (keyof Secrets)[];
	/** Whether the stage has work for this cluster file (its steps still undo an earlier layout). */
	readonly active?: (cluster: ClusterConfig) => boolean;
}

export interface Stage {
	readonly id: string;
	readonly title: Text;
	readonly explain: Text;
	/** Where pgha deliberately differs from the course guide, and why (one sentence). */
	readonly differsFromGuide?: Text;
	readonly steps: readonly Step[];
	readonly needs?: StageNeeds;
}

/** A failure users can act on: one sentence naming the node and what to do. */
export class StepError extends Error {
	readonly hint?: Text;
	constructor(message: string, hint?: Text) {
		super(message);
		this.name = 'StepError';
		this.hint = hint;
	}
}
