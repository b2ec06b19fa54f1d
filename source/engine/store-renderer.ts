/**
 * A listr2 renderer that draws nothing: it turns task events (state, retry, error, skip, subtasks)
 * into RunStore updates, and Ink draws the store. Two renderers cannot share a terminal, so in a TTY
 * this is the only listr2 renderer (design.md §3).
 */
import {ListrTaskEventType, ListrTaskState, type ListrTaskMessage, type ListrTaskObject} from 'listr2';
import type {ErrorDetail, NodeKey, RunStore} from './store.ts';
import {interruptedText} from './types.ts';

export type TaskKey =
	| {readonly kind: 'stage'; readonly stage: string}
	| ({readonly kind: 'node'} & NodeKey);

/**
 * What the engine tells the renderer about its listr2 tasks, keyed by the task definition objects
 * (listr2 keeps them as `task.task`), so no meaning is parsed out of titles.
 */
export class TaskRegistry {
	readonly keys = new WeakMap<object, TaskKey>();
	/** Node tasks skipped because `check` (or a verify of a recorded stage) found the work done. */
	readonly alreadyDone = new WeakSet<object>();
	/** Of those, the read-only steps: they checked now and found nothing to change. */
	readonly checked = new WeakSet<object>();
	/** Stage tasks skipped because the user stopped before them: they stay pending. */
	readonly notRun = new WeakSet<object>();
	/** Translated message and fix of a node task's last failure. */
	readonly details = new WeakMap<object, ErrorDetail>();
}

export interface StoreRendererOptions {
	readonly store?: RunStore;
	readonly registry?: TaskRegistry;
}

type AnyTask = ListrTaskObject<any, any, any>;

export class StoreRenderer {
	static nonTTY = true;
	static rendererOptions: StoreRendererOptions = {};
	static rendererTaskOptions: Record<PropertyKey, never> = {};

	private readonly tasks: readonly AnyTask[];
	private readonly store: RunStore;
	private readonly registry: TaskRegistry;

	constructor(tasks: readonly AnyTask[], options: StoreRendererOptions) {
		if (!options.store || !options.registry) throw new Error('StoreRenderer needs rendererOptions {store, registry}');
		this.tasks = tasks;
		this.store = options.store;
		this.registry = options.registry;
	}

	render(): void {
		this.watch(this.tasks);
	}

	end(): void {
		this.store.flush();
	}

	private watch(tasks: readonly AnyTask[]): void {
		for (const task of tasks) {
			task.on(ListrTaskEventType.SUBTASK, (subtasks: AnyTask[]) => this.watch(subtasks));
			const key = this.registry.keys.get(task.task);
			if (key?.kind === 'stage') this.watchStage(task, key.stage);
			else if (key?.kind === 'node') this.watchNode(task, key);
		}
	}

	private watchStage(task: AnyTask, stage: string): void {
		task.on(ListrTaskEventType.STATE, (state: ListrTaskState) => {
			if (state === ListrTaskState.STARTED) this.store.stageStarted(stage);
			else if (state === ListrTaskState.COMPLETED) this.store.stageFinished(stage, 'done');
			else if (state === ListrTaskState.FAILED) this.store.stageFinished(stage, 'failed');
			else if (state === ListrTaskState.SKIPPED) this.store.stageFinished(stage, this.registry.notRun.has(task.task) ? 'pending' : 'skipped');
		});
	}

	private skippedAs(definition: object): 'checked' | 'already-done' | 'skipped' {
		if (this.registry.checked.has(definition)) return 'checked';
		return this.registry.alreadyDone.has(definition) ? 'already-done' : 'skipped';
	}

	private watchNode(task: AnyTask, key: NodeKey): void {
		task.on(ListrTaskEventType.STATE, (state: ListrTaskState) => {
			if (state === ListrTaskState.STARTED) this.store.nodeStarted(key);
			else if (state === ListrTaskState.COMPLETED) this.store.nodeFinished(key, 'done');
			else if (state === ListrTaskState.SKIPPED) this.store.nodeFinished(key, this.skippedAs(task.task));
			else if (state === ListrTaskState.FAILED) this.store.nodeFinished(key, 'failed', task.message.error, this.registry.details.get(task.task));
		});
		task.on(ListrTaskEventType.MESSAGE, (message: ListrTaskMessage) => {
			// listr2 reports the error after switching to FAILED, and also before each retry.
			// listr2 still runs its retries after Ctrl+C; they end at once and are not the user's concern.
			if (message.retry) {
				const error = message.retry.error?.message;
				const interrupted = error !== undefined && (error.endsWith(interruptedText.en) || error.endsWith(interruptedText.ru));
				if (!interrupted) this.store.nodeRetry(key, error);
			} else if (message.error) {
				this.store.nodeError(key, message.error, this.registry.details.get(task.task));
			}
		});
	}
}
