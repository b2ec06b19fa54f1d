/**
 * A plain store of what the run is doing, for React's useSyncExternalStore:
 *   const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
 * Snapshots are immutable; unchanged parts keep their identity between snapshots. Notifications are
 * batched (default 40 ms) and output is kept as a bounded tail, so a 200k-line apt run neither
 * thrashes the screen nor grows memory. The full output is in the log files.
 */
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
	/** Epoch milliseconds. */
	readonly startedAt?: number;
	readonly endedAt?: number;
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
	/** What to do about it, when the step said. */
	readonly fix?: Text;
	readonly logFile?: string;
}

export interface StepView {
	readonly id: string;
	readonly title: Text;
	readonly explain: Text;
	readonly scope: Scope;
	readonly safeToSkip: boolean;
	/** Derived from the nodes. */
	readonly status: TaskStatus;
	readonly nodes: readonly NodeView[];
}

export interface StageView {
	readonly id: string;
	readonly title: Text;
	readonly explain: Text;
	readonly differsFromGuide?: Text;
	readonly status: TaskStatus;
	readonly startedAt?: number;
	readonly endedAt?: number;
	readonly error?: string;
	readonly steps: readonly StepView[];
}

export interface RunSnapshot {
	readonly runId?: string;
	/** This run's log folder. */
	readonly logDir?: string;
	readonly status: RunStatus;
	readonly startedAt?: number;
	readonly endedAt?: number;
	readonly stages: readonly StageView[];
}

/** What the store needs to know up front: every stage, step and the nodes each step runs on. */
export interface StagePlan {
	readonly id: string;
	readonly title: Text;
	readonly explain: Text;
	readonly differsFromGuide?: Text;
	readonly steps: ReadonlyArray<{
		readonly id: string;
		readonly title: Text;
		readonly explain: Text;
		readonly scope: Scope;
		readonly safeToSkip: boolean;
		readonly nodes: readonly string[];
	}>;
}

export interface ErrorDetail {
	readonly text?: Text;
	readonly fix?: Text;
}

export interface NodeKey {
	readonly stage: string;
	readonly step: string;
	readonly node: string;
}

export interface StoreOptions {
	readonly batchMs?: number;
	readonly tailLines?: number;
	readonly maxLineLength?: number;
}

interface NodeEntry {
	node: string;
	status: TaskStatus;
	retries: number;
	startedAt?: number;
	endedAt?: number;
	command?: string;
	tail: OutputLine[];
	lineCount: number;
	error?: string;
	errorText?: Text;
	fix?: Text;
	logFile?: string;
	dirty: boolean;
	view?: NodeView;
}

interface StepEntry {
	plan: StagePlan['steps'][number];
	nodes: NodeEntry[];
	dirty: boolean;
	view?: StepView;
}

interface StageEntry {
	plan: StagePlan;
	status: TaskStatus;
	startedAt?: number;
	endedAt?: number;
	error?: string;
	steps: StepEntry[];
	dirty: boolean;
	view?: StageView;
}

const emptySnapshot: RunSnapshot = {status: 'idle', stages: []};

export class RunStore {
	private readonly batchMs: number;
	private readonly tailLines: number;
	private readonly maxLineLength: number;
	private readonly listeners = new Set<() => void>();
	private snapshot: RunSnapshot = emptySnapshot;
	private stages: StageEntry[] = [];
	private readonly index = new Map<string, {stage: StageEntry; step: StepEntry; node: NodeEntry}>();
	private readonly stageIndex = new Map<string, StageEntry>();
	private run: {runId?: string; logDir?: string; status: RunStatus; startedAt?: number; endedAt?: number} = {status: 'idle'};
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
		this.index.clear();
		this.stageIndex.clear();
		this.stages = run.stages.map(plan => {
			const stage: StageEntry = {plan, status: 'pending', steps: [], dirty: true};
			stage.steps = plan.steps.map(stepPlan => {
				const step: StepEntry = {plan: stepPlan, nodes: [], dirty: true};
				step.nodes = stepPlan.nodes.map(node => {
					const entry: NodeEntry = {node, status: 'pending', retries: 0, tail: [], lineCount: 0, logFile: run.logFiles?.get(node), dirty: true};
					this.index.set(keyOf({stage: plan.id, step: stepPlan.id, node}), {stage, step, node: entry});
					return entry;
				});
				return step;
			});
			this.stageIndex.set(plan.id, stage);
			return stage;
		});
		this.run = {runId: run.runId, logDir: run.logDir, status: 'running', startedAt: Date.now()};
		this.dirty = true;
		this.flush();
	}

	stageStarted(stageId: string): void {
		const stage = this.stageIndex.get(stageId);
		if (!stage) return;
		stage.status = 'running';
		stage.startedAt ??= Date.now();
		stage.error = undefined;
		this.touchStage(stage);
	}

	/**
	 * `done` becomes `already-done` (or `checked`) by itself when no node of any step did work, and
	 * `failed` when a node's last word was a failure: a stage never shows ✔ over a failed node.
	 */
	stageFinished(stageId: string, status: 'done' | 'failed' | 'skipped' | 'pending', error?: string): void {
		const stage = this.stageIndex.get(stageId);
		if (!stage) return;
		stage.status = status;
		stage.endedAt = status === 'pending' ? undefined : Date.now();
		stage.error = error;
		if (status === 'skipped') {
			for (const step of stage.steps) {
				for (const node of step.nodes) {
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
			node.startedAt ??= Date.now();
			node.endedAt = undefined;
			node.error = undefined;
			node.errorText = undefined;
			node.fix = undefined;
		});
	}

	nodeRetry(key: NodeKey, error?: string): void {
		this.update(key, node => {
			node.retries++;
			if (error !== undefined) node.error = error;
		});
	}

	nodeFinished(key: NodeKey, status: 'done' | 'already-done' | 'checked' | 'skipped' | 'failed', error?: string, detail: ErrorDetail = {}): void {
		this.update(key, node => {
			const failed = status === 'failed';
			node.status = status;
			node.endedAt = Date.now();
			node.error = failed ? error ?? node.error : undefined;
			node.errorText = failed ? detail.text ?? node.errorText : undefined;
			node.fix = failed ? detail.fix ?? node.fix : undefined;
		});
	}

	nodeError(key: NodeKey, error: string, detail: ErrorDetail = {}): void {
		this.update(key, node => {
			node.error = error;
			node.errorText = detail.text;
			node.fix = detail.fix;
		});
	}

	command(key: NodeKey, command: string): void {
		this.update(key, node => {
			node.command = command;
			this.push(node, command, 'command');
		});
	}

	line(key: NodeKey, text: string, stream: LineStream): void {
		this.update(key, node => this.push(node, text, stream));
	}

	finish(status: RunStatus): void {
		this.run = {...this.run, status, endedAt: Date.now()};
		this.dirty = true;
		this.flush();
	}

	/** Build the snapshot now and tell the listeners (the batch timer does this on its own). */
	flush(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		if (!this.dirty) return;
		this.dirty = false;
		this.snapshot = {...this.run, stages: this.stages.map(stage => this.stageView(stage))};
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
		const found = this.index.get(keyOf(key));
		if (!found) return;
		change(found.node);
		this.touch(found.stage, found.step, found.node);
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
		const steps = stage.steps.map(step => this.stepView(step));
		let status = stage.status;
		const nodes = steps.flatMap(step => step.nodes);
		if (status === 'done' && nodes.some(node => node.status === 'failed')) status = 'failed';
		if (status === 'done' && nodes.length > 0 && nodes.every(node => node.status === 'already-done' || node.status === 'checked')) {
			status = nodes.some(node => node.status === 'already-done') ? 'already-done' : 'checked';
		}
		stage.view = {
			id: stage.plan.id,
			title: stage.plan.title,
			explain: stage.plan.explain,
			...(stage.plan.differsFromGuide ? {differsFromGuide: stage.plan.differsFromGuide} : {}),
			status,
			...(stage.startedAt === undefined ? {} : {startedAt: stage.startedAt}),
			...(stage.endedAt === undefined ? {} : {endedAt: stage.endedAt}),
			...(stage.error === undefined ? {} : {error: stage.error}),
			steps,
		};
		stage.dirty = false;
		return stage.view;
	}

	private stepView(step: StepEntry): StepView {
		if (!step.dirty && step.view) return step.view;
		const nodes = step.nodes.map(node => this.nodeView(node));
		step.view = {
			id: step.plan.id,
			title: step.plan.title,
			explain: step.plan.explain,
			scope: step.plan.scope,
			safeToSkip: step.plan.safeToSkip,
			status: stepStatus(nodes.map(node => node.status)),
			nodes,
		};
		step.dirty = false;
		return step.view;
	}

	private nodeView(node: NodeEntry): NodeView {
		if (!node.dirty && node.view) return node.view;
		const {dirty: _dirty, view: _view, tail, ...rest} = node;
		node.view = Object.fromEntries(Object.entries({...rest, tail: tail.slice(-this.tailLines)}).filter(([, value]) => value !== undefined)) as unknown as NodeView;
		node.dirty = false;
		return node.view;
	}
}

function keyOf(key: NodeKey): string {
	return `${key.stage}\u0000${key.step}\u0000${key.node}`;
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
