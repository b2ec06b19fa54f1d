/**
 * The listr2 tree of a run:
 *
 *   root (sequential, stops at the first failed stage)
 *   └ stage                       one listr task per stage
 *     ├ step 1
 *     │ ├ (untitled)              per-node subtasks, concurrent unless step.sequential
 *     │ │ └ pg-node-1 ... N       check -> (already done | apply -> verify), automatic retries
 *     │ └ gate (untitled)         one failed node fails the step and the stage (listr2 would call them done)
 *     ├ step 2 ...
 *     └ finalize (untitled)       records the stage done in the state file
 *
 * This module only shapes the tree and tells the renderers which task is which (TaskRegistry); what
 * a stage, a node or a gate does, and what the run records, is the run's own (pipeline.ts).
 */
import {Listr, type ListrTask, type ListrTaskWrapper} from 'listr2';
import type {Stage} from '../core/stage.ts';
import type {RetryPolicy, Step} from '../core/step.ts';
import type {Lang} from '../core/text.ts';
import type {TaskRegistry} from './store-renderer.ts';

type Ctx = Record<string, never>;
export type Task = ListrTask<Ctx, any, any>;
export type Wrapper = ListrTaskWrapper<Ctx, any, any>;

/** What the stage task learnt when it began: run the steps, or why it ends here. */
export type StageEntry =
	| {readonly run: true; readonly participants: readonly string[]}
	/** `notRun`: the user stopped before it; it stays pending, not skipped. */
	| {readonly run: false; readonly reason: string; readonly notRun: boolean};

/** After a step's nodes: go on, run the failed nodes again, or skip them. A failure that ends the stage throws. */
export type GateOutcome = {readonly kind: 'ok'} | {readonly kind: 'retry' | 'skip'; readonly failed: readonly string[]};

/** The run the tree belongs to. */
export interface TreeHost {
	readonly lang: Lang;
	readonly registry: TaskRegistry;
	/** The user quit before a stage: the stages after it are not even shown as skipped. */
	readonly stopped: boolean;
	/** Why a stage is left out (--from / --only), or false. */
	unselected(stage: Stage): string | false;
	enterStage(stage: Stage, index: number): Promise<StageEntry>;
	participantsOf(step: Step): readonly string[];
	retryOf(step: Step): Required<RetryPolicy>;
	/** Waits before an automatic retry (cancelled by Ctrl+C). */
	wait(ms: number): Promise<void>;
	runStepOnNode(stage: Stage, step: Step, participant: string, task: Wrapper, definition: Task): Promise<void>;
	gate(stage: Stage, step: Step, targets: readonly string[]): Promise<GateOutcome>;
	markSkipped(stage: Stage, step: Step, participant: string, task: Wrapper): void;
	finishStage(stage: Stage, participants: readonly string[]): Promise<void>;
}

export function runTree(stages: readonly Stage[], host: TreeHost, rendererOptions: Record<string, unknown>): Listr<Ctx, any, any> {
	return new Listr<Ctx, any, any>(stages.map((stage, index) => stageTask(host, stage, index)), {
		concurrent: false,
		exitOnError: true,
		registerSignalListeners: false,
		collectErrors: false,
		...rendererOptions,
	});
}

function stageTask(host: TreeHost, stage: Stage, index: number): Task {
	const definition: Task = {
		title: stage.title[host.lang],
		enabled: () => !host.stopped,
		skip: () => host.unselected(stage),
		task: async (_ctx, task) => {
			const entry = await host.enterStage(stage, index);
			if (!entry.run) {
				if (entry.notRun) host.registry.notRun.add(definition);
				task.skip(entry.reason);
				return;
			}

			const tasks: Task[] = stage.steps.map(step => stepTask(host, stage, step, host.participantsOf(step)));
			tasks.push({task: async () => host.finishStage(stage, entry.participants)});
			return task.newListr(tasks, {concurrent: false, exitOnError: true});
		},
	};
	host.registry.keys.set(definition, {kind: 'stage', stage: stage.id});
	return definition;
}

/**
 * The nodes, then the gate, inside the step's own task: a step whose failed node was not retried
 * or skipped ends failed (✖ in plain output), never ✔ over a failed node.
 */
function stepTask(host: TreeHost, stage: Stage, step: Step, targets: readonly string[]): Task {
	return {
		title: step.title[host.lang],
		task: (_ctx, task) => task.newListr([nodesTask(host, stage, step, targets), gateTask(host, stage, step, targets)], {concurrent: false, exitOnError: true}),
	};
}

function nodesTask(host: TreeHost, stage: Stage, step: Step, targets: readonly string[]): Task {
	return {
		task: (_ctx, task) => task.newListr(targets.map(participant => nodeTask(host, stage, step, participant)), {
			concurrent: !step.sequential,
			exitOnError: false,
		}),
	};
}

function gateTask(host: TreeHost, stage: Stage, step: Step, targets: readonly string[]): Task {
	return {
		task: async (_ctx, task) => {
			const outcome = await host.gate(stage, step, targets);
			if (outcome.kind === 'retry') {
				return task.newListr([nodesTask(host, stage, step, outcome.failed), gateTask(host, stage, step, outcome.failed)], {concurrent: false, exitOnError: true});
			}

			if (outcome.kind === 'skip') {
				return task.newListr(outcome.failed.map(participant => skipMarkerTask(host, stage, step, participant)), {concurrent: true, exitOnError: false});
			}

			return undefined;
		},
	};
}

function skipMarkerTask(host: TreeHost, stage: Stage, step: Step, participant: string): Task {
	const definition: Task = {
		title: `${participant}: ${step.title[host.lang]}`,
		task: (_ctx, task) => host.markSkipped(stage, step, participant, task),
	};
	host.registry.keys.set(definition, {kind: 'node', stage: stage.id, step: step.id, node: participant});
	return definition;
}

function nodeTask(host: TreeHost, stage: Stage, step: Step, participant: string): Task {
	const retry = host.retryOf(step);
	const definition: Task = {
		title: `${participant}: ${step.title[host.lang]}`,
		// listr2 counts extra attempts; its own delay cannot be cancelled, so the wait is ours.
		retry: {tries: retry.tries, delay: 0},
		task: async (_ctx, task) => {
			if ((task.isRetrying()?.count ?? 0) > 0 && retry.delayMs > 0) await host.wait(retry.delayMs);
			await host.runStepOnNode(stage, step, participant, task, definition);
		},
	};
	host.registry.keys.set(definition, {kind: 'node', stage: stage.id, step: step.id, node: participant});
	return definition;
}
