/**
 * A plain store of what the run is doing, for React's useSyncExternalStore:
 *   const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
 * Snapshots are immutable; unchanged parts keep their identity between snapshots. Notifications are
 * batched (default 40 ms) and output is kept as a bounded tail, so a 200k-line apt run neither
 * thrashes the screen nor grows memory. The full output is in the log files.
 */
import type {Panel} from '../core/panel.ts';
import {nextView, type Progress, type ProgressView} from '../core/progress.ts';
import type {Scope} from '../core/step.ts';
import type {Text} from '../core/text.ts';

/**
 * already-done: a check proved the work was done before this run. checked: a read-only step (nothing
 * to change) found everything in order; "already done" would be wrong for a check that just ran.
 */
export type TaskStatus = 'pending' | 'running' | 'done' | 'skipped' | 'failed' | 'already-done' | 'checked';
export type LineStream = 'stdout' | 'stderr' | 'info' | 'command';
export type RunStatus = 'idle' | 'running' | 'done' | 'failed' | 'aborted' | 'stopped';

export interface OutputLine {
	readonly text: string;
	readonly stream: LineStream;
}

export interface NodeView {
	/** Node name, or "host" for steps on the computer running pgha. */
	readonly node: string;
	readonly status: TaskStatus;
	/** Automatic retries plus retries the user asked for. */
	readonly retries: number;
	/** The command running now or last run (masked), as the user could type it. */
	readonly command?: string;
	/** The last lines of output (bounded). */
	readonly tail: readonly OutputLine[];
	/** Lines seen in total (the tail holds only the last ones). */
	readonly lineCount: number;
	/** One sentence, masked: in the run's language when the failure came translated, else English. */
	readonly error?: string;
	/** The same in both languages when the failure came with a translation (SSH errors do). */
	readonly errorText?: Text;
	readonly logFile?: string;
	/** Figures of the long work running now (apt, pip, a download), while the node runs. */
	readonly progress?: ProgressView;
	/** A live block the step keeps on the screen in place of the tail (the drill view), while the node runs. */
	readonly panel?: Panel;
}

export interface StepView {
	readonly id: string;
	readonly title: Text;
	readonly explain: Text;
	/** Derived from the nodes. */
	readonly status: TaskStatus;
	readonly nodes: readonly NodeView[];
}

export interface StageView {
	readonly id: string;
	readonly title: Text;
	readonly status: TaskStatus;
	readonly startedAt?: number;
	readonly endedAt?: number;
	readonly steps: readonly StepView[];
}

/**
 * What the run screen draws, as it is: the screen keeps no copy. Only what some screen shows is here;
 * the state file and the log files hold the rest.
 */
export interface RunSnapshot {
	readonly runId?: string;
	/** This run's log folder. */
	readonly logDir?: string;
	readonly status: RunStatus;
	readonly stages: readonly StageView[];
}

/** What the store needs to know up front: every stage, step and the nodes each step runs on. */
export interface StagePlan {
	readonly id: string;
	readonly title: Text;
	readonly steps: ReadonlyArray<{
		readonly id: string;
		readonly title: Text;
		readonly explain: Text;
		readonly nodes: readonly string[];
	}>;
}

export interface ErrorDetail {
	readonly text?: Text;
}

export interface NodeKey {
	readonly stage: string;
	readonly step: string;
	readonly node: string;
}

/** What the screen subscribes to; the writer side stays the engine's. */
export interface RunReader {
	readonly subscribe: (listener: () => void) => () => void;
	readonly getSnapshot: () => RunSnapshot;
}

export interface StoreOptions {
	readonly batchMs?: number;
	readonly tailLines?: number;
	readonly maxLineLength?: number;
}

interface NodeEntry {
	readonly node: string;
	status: TaskStatus;
	retries: number;
	command?: string;
	tail: OutputLine[];
	lineCount: number;
	error?: string;
	errorText?: Text;
	readonly logFile?: string;
	progress?: ProgressView;
	panel?: Panel;
	dirty: boolean;
	view?: NodeView;
}

interface StepEntry {
	readonly plan: StagePlan['steps'][number];
	readonly nodes: Map<string, NodeEntry>;
	dirty: boolean;
	view?: StepView;
}

interface StageEntry {
	readonly plan: StagePlan;
	status: TaskStatus;
	startedAt?: number;
	endedAt?: number;
	readonly steps: Map<string, StepEntry>;
	dirty: boolean;
	view?: StageView;
}

const emptySnapshot: RunSnapshot = {status: 'idle', stages: []};

export class RunStore implements RunReader {
	private readonly batchMs: number;
	private readonly tailLines: number;
	private readonly maxLineLength: number;
	private readonly listeners = new Set<() => void>();
	private snapshot: RunSnapshot = emptySnapshot;
	/** Stages in order, each with its steps and their nodes by name: a key is looked up, never spelled. */
	private readonly stages = new Map<string, StageEntry>();
	private run: {runId?: string; logDir?: string; status: RunStatus} = {status: 'idle'};
	private dirty = false;
	private timer: NodeJS.Timeout | undefined;

	constructor(options: StoreOptions = {}) {
		this.batchMs = options.batchMs ?? 40;
		this.tailLines = options.tailLines ?? 200;
		this.maxLineLength = options.maxLineLength ?? 1000;
	}

	// Reader side (arrow properties so they can be passed unbound to useSyncExternalStore).

	readonly subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	readonly getSnapshot = (): RunSnapshot => this.snapshot;

	// Writer side (the engine and its listr2 renderer).

	begin(run: {runId: string; logDir: string; stages: readonly StagePlan[]; logFiles?: ReadonlyMap<string, string>}): void {
		this.stages.clear();
		for (const plan of run.stages) {
			const steps = new Map<string, StepEntry>();
			for (const stepPlan of plan.steps) {
				const nodes = new Map<string, NodeEntry>();
				for (const node of stepPlan.nodes) nodes.set(node, {node, status: 'pending', retries: 0, tail: [], lineCount: 0, logFile: run.logFiles?.get(node), dirty: true});
				steps.set(stepPlan.id, {plan: stepPlan, nodes, dirty: true});
			}

			this.stages.set(plan.id, {plan, status: 'pending', steps, dirty: true});
		}

		this.run = {runId: run.runId, logDir: run.logDir, status: 'running'};
		this.dirty = true;
		this.flush();
	}

	stageStarted(stageId: string): void {
		const stage = this.stages.get(stageId);
		if (!stage) return;
		stage.status = 'running';
		stage.startedAt ??= Date.now();
		this.touchStage(stage);
	}

	/**
	 * `done` becomes `already-done` (or `checked`) by itself when no node of any step did work, and
	 * `failed` when a node's last word was a failure: a stage never shows ✔ over a failed node.
	 */
	stageFinished(stageId: string, status: 'done' | 'failed' | 'skipped' | 'pending'): void {
		const stage = this.stages.get(stageId);
		if (!stage) return;
		stage.status = status;
		stage.endedAt = status === 'pending' ? undefined : Date.now();
		if (status === 'skipped') {
			for (const step of stage.steps.values()) {
				for (const node of step.nodes.values()) {
					if (node.status === 'pending') {
						node.status = 'skipped';
						this.touch(stage, step, node);
					}
				}
			}
		}

		this.touchStage(stage);
	}

	nodeStarted(key: NodeKey): void {
		this.update(key, node => {
			// Started again after a failure: the user chose to retry.
			if (node.status === 'failed') node.retries++;
			node.status = 'running';
			node.progress = undefined;
			node.panel = undefined;
			node.error = undefined;
			node.errorText = undefined;
		});
	}

	nodeRetry(key: NodeKey, error?: string): void {
		this.update(key, node => {
			node.retries++;
			// The failed attempt's live block is stale; the next attempt puts up its own.
			node.panel = undefined;
			if (error !== undefined) node.error = error;
		});
	}

	nodeFinished(key: NodeKey, status: 'done' | 'already-done' | 'checked' | 'skipped' | 'failed', error?: string, detail: ErrorDetail = {}): void {
		this.update(key, node => {
			const failed = status === 'failed';
			node.status = status;
			// The bar belongs to the work in progress: a finished node shows its glyph alone.
			node.progress = undefined;
			node.panel = undefined;
			node.error = failed ? error ?? node.error : undefined;
			node.errorText = failed ? detail.text ?? node.errorText : undefined;
		});
	}

	nodeError(key: NodeKey, error: string, detail: ErrorDetail = {}): void {
		this.update(key, node => {
			node.error = error;
			node.errorText = detail.text;
		});
	}

	command(key: NodeKey, command: string): void {
		this.update(key, node => {
			node.command = command;
			// Figures belong to the command whose output they were read from.
			node.progress = undefined;
			this.push(node, command, 'command');
		});
	}

	line(key: NodeKey, text: string, stream: LineStream): void {
		this.update(key, node => this.push(node, text, stream));
	}

	progress(key: NodeKey, figures: Progress, now = Date.now()): void {
		this.update(key, node => {
			node.progress = nextView(node.progress, figures, now);
		});
	}

	/** The step's live block, kept by identity: a new object is a new frame, undefined takes it away. */
	panel(key: NodeKey, panel: Panel | undefined): void {
		const node = this.stages.get(key.stage)?.steps.get(key.step)?.nodes.get(key.node);
		// A late update (a step's timer firing after its node ended) must not bring a finished panel back.
		if (!node || node.panel === panel || (panel !== undefined && node.status !== 'running')) return;
		this.update(key, entry => {
			entry.panel = panel;
		});
	}

	finish(status: RunStatus): void {
		this.run = {...this.run, status};
		this.dirty = true;
		this.flush();
	}

	/** Build the snapshot now and tell the listeners (the batch timer does this on its own). */
	flush(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		if (!this.dirty) return;
		this.dirty = false;
		this.snapshot = {...this.run, stages: Array.from(this.stages.values(), stage => this.stageView(stage))};
		for (const listener of [...this.listeners]) listener();
	}

	private push(node: NodeEntry, text: string, stream: LineStream): void {
		const clipped = text.length > this.maxLineLength ? `${text.slice(0, this.maxLineLength)}…` : text;
		node.tail.push({text: clipped, stream});
		node.lineCount++;
		// Trim in batches: amortised O(1) per line instead of shifting on every push.
		if (node.tail.length > 2 * this.tailLines) node.tail.splice(0, node.tail.length - this.tailLines);
	}

	private update(key: NodeKey, change: (node: NodeEntry) => void): void {
		const stage = this.stages.get(key.stage);
		const step = stage?.steps.get(key.step);
		const node = step?.nodes.get(key.node);
		if (!stage || !step || !node) return;
		change(node);
		this.touch(stage, step, node);
	}

	private touch(stage: StageEntry, step: StepEntry, node: NodeEntry): void {
		node.dirty = true;
		step.dirty = true;
		this.touchStage(stage);
	}

	private touchStage(stage: StageEntry): void {
		stage.dirty = true;
		this.dirty = true;
		this.timer ??= setTimeout(() => this.flush(), this.batchMs).unref();
	}

	private stageView(stage: StageEntry): StageView {
		if (!stage.dirty && stage.view) return stage.view;
		const steps = Array.from(stage.steps.values(), step => this.stepView(step));
		let status = stage.status;
		const nodes = steps.flatMap(step => step.nodes);
		if (status === 'done' && nodes.some(node => node.status === 'failed')) status = 'failed';
		if (status === 'done' && nodes.length > 0 && nodes.every(node => node.status === 'already-done' || node.status === 'checked')) {
			status = nodes.some(node => node.status === 'already-done') ? 'already-done' : 'checked';
		}

		stage.view = {
			id: stage.plan.id,
			title: stage.plan.title,
			status,
			...(stage.startedAt === undefined ? {} : {startedAt: stage.startedAt}),
			...(stage.endedAt === undefined ? {} : {endedAt: stage.endedAt}),
			steps,
		};
		stage.dirty = false;
		return stage.view;
	}

	private stepView(step: StepEntry): StepView {
		if (!step.dirty && step.view) return step.view;
		const nodes = Array.from(step.nodes.values(), node => this.nodeView(node));
		step.view = {
			id: step.plan.id,
			title: step.plan.title,
			explain: step.plan.explain,
			status: stepStatus(nodes.map(node => node.status)),
			nodes,
		};
		step.dirty = false;
		return step.view;
	}

	private nodeView(node: NodeEntry): NodeView {
		if (!node.dirty && node.view) return node.view;
		node.view = {
			node: node.node,
			status: node.status,
			retries: node.retries,
			...(node.command === undefined ? {} : {command: node.command}),
			tail: node.tail.slice(-this.tailLines),
			lineCount: node.lineCount,
			...(node.error === undefined ? {} : {error: node.error}),
			...(node.errorText === undefined ? {} : {errorText: node.errorText}),
			...(node.logFile === undefined ? {} : {logFile: node.logFile}),
			...(node.progress === undefined ? {} : {progress: node.progress}),
			...(node.panel === undefined ? {} : {panel: node.panel}),
		};
		node.dirty = false;
		return node.view;
	}
}

function stepStatus(statuses: readonly TaskStatus[]): TaskStatus {
	if (statuses.length === 0) return 'pending';
	if (statuses.includes('running')) return 'running';
	if (statuses.includes('failed')) return 'failed';
	if (statuses.every(status => status === 'pending')) return 'pending';
	if (statuses.includes('pending')) return 'running';
	if (statuses.every(status => status === 'checked')) return 'checked';
	if (statuses.every(status => status === 'already-done' || status === 'checked')) return 'already-done';
	if (statuses.every(status => status === 'skipped')) return 'skipped';
	return 'done';
}
