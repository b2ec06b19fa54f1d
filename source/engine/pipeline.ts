/**
 * A run of stages: what each stage, step and node does and what the run records (state file, facts,
 * run logs, the ledger, the store), with listr2 underneath (the tree is task-tree.ts).
 *
 * A stage recorded done with the same fingerprint is only re-verified. Everything else runs `check`
 * first, which is what makes a restart after SIGKILL safe: finished work is found on the nodes.
 */
import {promises as fs} from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {hostParticipant} from '../config/defaults.ts';
import {newRunId} from '../config/paths.ts';
import {secretValues} from '../config/secrets.ts';
import type {NodeConfig} from '../core/cluster.ts';
import type {Remote, StreamName} from '../core/remote.ts';
import type {Stage} from '../core/stage.ts';
import {LocalizedError} from '../core/error.ts';
import type {Panel} from '../core/panel.ts';
import {nextView, type ProgressView} from '../core/progress.ts';
import {progressLine} from '../core/progress-text.ts';
import type {Facts, RetryPolicy, Step, StepContext} from '../core/step.ts';
import type {Lang, Text} from '../core/text.ts';
import {stageFingerprint} from './fingerprint.ts';
import {loggingRemote, type CommandSink} from './logging-remote.ts';
import {RunLedger, type StepAt} from './ledger.ts';
import {Masker} from './mask.ts';
import {runActions} from './run-actions.ts';
import {RunLogs} from './run-log.ts';
import {StateFile} from './state.ts';
import type {NodeKey, RunStore} from './store.ts';
import {StoreRenderer, TaskRegistry} from './store-renderer.ts';
import {hostNode, planStages, selectStages, stepParticipants} from './participants.ts';
import {runTree, type GateOutcome, type StageEntry, type Task, type TreeHost, type Wrapper} from './task-tree.ts';
import {defaultRetry, interruptedText, withNodePrefix, type FailureDecision, type NodeFailure, type PipelineResult, type RunOptions, type StageOutcome, type StageResult} from './types.ts';

/** How often plain output (not a terminal) repeats a running node's progress figures. */
const plainProgressEveryMs = 10_000;
/** How often plain output and the run log take a live panel's line: the drill's timeline, a line a second. */
const plainPanelEveryMs = 1000;

const text = {
	alreadyDone: {en: 'already done', ru: 'уже сделано'},
	checked: {en: 'checked', ru: 'проверено'},
	skippedByUser: {en: 'skipped by the user', ru: 'пропущено по выбору пользователя'},
	notSelected: {en: 'not selected (--from / --only)', ru: 'не выбран (--from / --only)'},
	stopped: {en: 'stopped by the user', ru: 'остановлено пользователем'},
	interrupted: interruptedText,
} satisfies Record<string, Text>;

/** Thrown by a node task after a failure; the message is masked and in the run's language. */
class NodeStepError extends Error {
	readonly fix?: Text;
	constructor(message: string, fix?: Text) {
		super(message);
		this.name = 'NodeStepError';
		this.fix = fix;
	}
}

/** Thrown by a gate when the stage cannot go on. */
class StageFailedError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'StageFailedError';
	}
}

export async function runPipeline(options: RunOptions): Promise<PipelineResult> {
	const run = await PipelineRun.create(options);
	return run.execute();
}

class PipelineRun implements TreeHost {
	private readonly options: RunOptions;
	readonly lang: Lang;
	private readonly runId: string;
	private readonly runDir: string;
	private readonly state: StateFile;
	private readonly logs: RunLogs;
	private readonly masker: Masker;
	private readonly signal: AbortSignal;
	private readonly store?: RunStore;
	readonly registry = new TaskRegistry();
	private readonly selected: Set<string>;
	private readonly hostNode: NodeConfig;
	private readonly facts = new Map<string, Facts>();
	private readonly savedFacts = new Map<string, string>();
	private readonly ledger = new RunLedger();
	private readonly stageStatus = new Map<string, StageOutcome>();
	private readonly stageFailures = new Map<string, NodeFailure[]>();
	private readonly startedStages = new Set<string>();
	stopped = false;

	private constructor(options: RunOptions, state: StateFile, runId: string) {
		this.options = options;
		this.lang = options.lang ?? 'en';
		this.runId = runId;
		this.runDir = path.join(options.logDir, runId);
		this.state = state;
		this.signal = options.signal ?? new AbortController().signal;
		this.masker = new Masker([...secretValues(options.secrets), ...(options.mask ?? [])]);
		this.logs = new RunLogs(this.runDir, this.masker);
		this.selected = selectStages(options.stages, options.from, options.only);
		this.store = options.renderer === 'store' ? options.store : undefined;
		this.hostNode = hostNode();
		for (const [node, values] of Object.entries(state.data.facts)) {
			this.facts.set(node, new Map(Object.entries(values)));
			this.savedFacts.set(node, JSON.stringify(values));
		}
	}

	static async create(options: RunOptions): Promise<PipelineRun> {
		if ((options.renderer ?? 'silent') === 'store' && !options.store) throw new Error('renderer "store" needs a store');
		selectStages(options.stages, options.from, options.only);
		for (const stage of options.stages) {
			for (const step of stage.steps) {
				for (const participant of stepParticipants(step, options.cluster)) {
					if (participant === hostParticipant) {
						if (!options.hostRemote) throw new Error(`step ${stage.id}/${step.id} runs on this computer, but no host remote was given`);
					} else if (!options.cluster.nodes.some(node => node.name === participant)) {
						throw new Error(`step ${stage.id}/${step.id} targets "${participant}", which is not a node of the cluster`);
					} else if (!options.remotes.has(participant)) {
						throw new Error(`no connection for node "${participant}"`);
					}
				}
			}
		}

		const runId = options.runId ?? newRunId();
		await fs.mkdir(path.join(options.logDir, runId), {recursive: true, mode: 0o700});
		const state = await StateFile.open(options.stateFile);
		return new PipelineRun(options, state, runId);
	}

	async execute(): Promise<PipelineResult> {
		const {options} = this;
		const participants = new Set(planStages(options.stages, options.cluster).flatMap(stage => stage.steps.flatMap(step => step.nodes)));
		this.store?.begin({
			runId: this.runId,
			logDir: this.runDir,
			stages: planStages(options.stages, options.cluster),
			logFiles: new Map([...participants].map(participant => [participant, this.logs.fileFor(participant)])),
		});
		await this.state.startRun(this.runId);
		for (const warning of this.state.warnings) this.logs.get(options.cluster.nodes[0]!.name).write('engine', 'info', warning);

		const root = runTree(options.stages, this, this.rendererOptions());

		let failure: unknown;
		try {
			await root.run({});
		} catch (error) {
			failure = error;
		}

		const status: PipelineResult['status'] = failure ? (this.signal.aborted ? 'aborted' : 'failed') : this.stopped ? 'stopped' : 'done';
		const stages: StageResult[] = options.stages.map(stage => ({
			id: stage.id,
			status: this.stageStatus.get(stage.id) ?? (this.startedStages.has(stage.id) ? (this.signal.aborted ? 'aborted' : 'failed') : 'not-run'),
			failures: this.stageFailures.get(stage.id) ?? [],
		}));
		try {
			if (this.signal.aborted) await this.recordInterrupted();
			await this.state.endRun(this.runId, status);
			await this.state.settle();
		} finally {
			this.logs.closeAll();
			this.store?.finish(status);
		}

		return {runId: this.runId, logDir: this.runDir, status, stages};
	}

	private rendererOptions(): Record<string, unknown> {
		const kind = this.options.renderer ?? 'silent';
		if (kind === 'store') {
			return {renderer: StoreRenderer, fallbackRenderer: StoreRenderer, rendererOptions: {store: this.store, registry: this.registry}};
		}

		return {renderer: kind, fallbackRenderer: kind};
	}

	// Stage (the tree's questions: task-tree.ts)

	unselected(stage: Stage): string | false {
		if (this.selected.has(stage.id)) return false;
		this.stageStatus.set(stage.id, 'skipped');
		return text.notSelected[this.lang];
	}

	async enterStage(stage: Stage, index: number): Promise<StageEntry> {
		this.throwIfAborted();
		const participants = [...new Set(stage.steps.flatMap(step => stepParticipants(step, this.options.cluster)))];
		const question = this.options.beforeStage?.({stage, index, participants});
		const decision = question ? await this.untilAborted(question, 'quit') : 'run';
		this.throwIfAborted();
		if (decision === 'quit') {
			this.stopped = true;
			return {run: false, reason: text.stopped[this.lang], notRun: true};
		}

		if (decision === 'skip') {
			this.stageStatus.set(stage.id, 'skipped');
			return {run: false, reason: text.skippedByUser[this.lang], notRun: false};
		}

		this.startedStages.add(stage.id);
		for (const participant of participants) {
			const steps = stage.steps.filter(step => stepParticipants(step, this.options.cluster).includes(participant));
			const fingerprint = stageFingerprint(stage.id, steps, this.planContext(participant));
			this.ledger.fingerprints.set({stage: stage.id, node: participant}, fingerprint);
			const record = this.state.record(stage.id, participant);
			if (record?.status === 'done' && record.fingerprint === fingerprint) this.ledger.verifyOnly.set({stage: stage.id, node: participant}, true);
		}

		return {run: true, participants};
	}

	participantsOf(step: Step): readonly string[] {
		return stepParticipants(step, this.options.cluster);
	}

	/** Records the stage done (or skipped, where a node was skipped) for each participant. */
	async finishStage(stage: Stage, participants: readonly string[]): Promise<void> {
		const now = new Date().toISOString();
		const outcomes = stage.steps.flatMap(step => stepParticipants(step, this.options.cluster).map(participant => ({participant, outcome: this.ledger.outcomes.get({stage: stage.id, step: step.id, node: participant})})));
		await Promise.all(participants.map(participant => {
			const skipped = outcomes.some(item => item.participant === participant && item.outcome?.status === 'skipped');
			const previous = this.state.record(stage.id, participant);
			return this.state.setNode(stage.id, participant, {
				status: skipped ? 'skipped' : 'done',
				fingerprint: this.ledger.fingerprints.get({stage: stage.id, node: participant})!,
				runId: this.runId,
				startedAt: previous?.startedAt ?? now,
				endedAt: now,
			});
		}));
		const allAlready = outcomes.length > 0 && outcomes.every(item => item.outcome?.status === 'already-done');
		this.stageStatus.set(stage.id, allAlready ? 'already-done' : 'done');
	}

	// Step

	/** After a step's nodes: a failed node is recorded, then the user (onFailure) says what to do. */
	async gate(stage: Stage, step: Step, targets: readonly string[]): Promise<GateOutcome> {
		const failed = targets.filter(participant => this.ledger.outcomes.get({stage: stage.id, step: step.id, node: participant})?.status === 'failed');
		if (failed.length === 0) return {kind: 'ok'};
		const failures = failed.map(participant => this.failureOf(stage, step, participant));
		const now = new Date().toISOString();
		await Promise.all(failures.map(failure => this.state.setNode(stage.id, failure.node, {
			status: 'failed',
			fingerprint: this.ledger.fingerprints.get({stage: stage.id, node: failure.node})!,
			runId: this.runId,
			startedAt: this.state.record(stage.id, failure.node)?.startedAt ?? now,
			endedAt: now,
			step: step.id,
			error: failure.message,
		})));
		this.throwIfAborted();
		const roundKey = {stage: stage.id, step: step.id};
		const round = (this.ledger.failureRounds.get(roundKey) ?? 0) + 1;
		this.ledger.failureRounds.set(roundKey, round);
		const decision = await this.ask(stage, step, failures, round);
		if (decision === 'retry') return {kind: 'retry', failed};
		if (decision === 'skip' && step.safeToSkip) {
			for (const participant of failed) this.ledger.outcomes.set({stage: stage.id, step: step.id, node: participant}, {status: 'skipped'});
			return {kind: 'skip', failed};
		}

		this.stageStatus.set(stage.id, 'failed');
		this.stageFailures.set(stage.id, failures);
		throw new StageFailedError(failures.map(failure => (failure.text ? failure.text[this.lang] : withNodePrefix(failure.node, failure.message))).join('; '));
	}

	private async ask(stage: Stage, step: Step, failures: readonly NodeFailure[], round: number): Promise<FailureDecision> {
		if (!this.options.onFailure) return 'quit';
		const question = this.options.onFailure({stage, step, failures, canSkip: step.safeToSkip ?? false, round});
		const decision = await this.untilAborted(question, 'quit');
		this.throwIfAborted();
		return decision;
	}

	/** A question to the user; Ctrl+C while it is open answers `fallback`. */
	private untilAborted<T>(question: Promise<T>, fallback: T): Promise<T> {
		return Promise.race([question, new Promise<T>(resolve => {
			if (this.signal.aborted) resolve(fallback);
			this.signal.addEventListener('abort', () => resolve(fallback), {once: true});
		})]);
	}

	markSkipped(stage: Stage, step: Step, participant: string, task: Wrapper): void {
		this.sinkFor(stage, step, participant, task).info(text.skippedByUser.en);
		task.skip(text.skippedByUser[this.lang]);
	}

	// Node

	retryOf(step: Step): Required<RetryPolicy> {
		return {
			tries: step.retry?.tries ?? this.options.retry?.tries ?? defaultRetry.tries,
			delayMs: step.retry?.delayMs ?? this.options.retry?.delayMs ?? defaultRetry.delayMs,
		};
	}

	async runStepOnNode(stage: Stage, step: Step, participant: string, task: Wrapper, definition: Task): Promise<void> {
		this.throwIfAborted();
		const outcomeKey = {stage: stage.id, step: step.id, node: participant};
		const stageKey = {stage: stage.id, node: participant};
		this.ledger.tails.set(outcomeKey, []);
		const sink = this.sinkFor(stage, step, participant, task);
		const context = this.stepContext(participant, sink);
		try {
			if (this.ledger.verifyOnly.has(stageKey)) {
				try {
					await step.verify(context);
					this.finishAlreadyDone(outcomeKey, definition, task, sink, 'recorded as done and verified', this.isReadOnly(step, participant));
					return;
				} catch (error) {
					this.throwIfAborted();
					sink.info(`recorded as done, but the verification failed (${messageOf(error)}); checking`);
					this.ledger.verifyOnly.delete(stageKey);
				}
			}

			await this.markRunning(stage, step, participant);
			if (await step.check(context)) {
				const readOnly = this.isReadOnly(step, participant);
				this.finishAlreadyDone(outcomeKey, definition, task, sink, readOnly ? 'checked: nothing to change' : 'already done (check)', readOnly);
				return;
			}

			sink.info('applying');
			if (step.apply) await step.apply(context);
			else await runActions(context, step.plan(context));
			await step.verify(context);
			this.ledger.outcomes.set(outcomeKey, {status: 'done'});
			sink.info('done');
		} catch (error) {
			const message = this.signal.aborted ? text.interrupted.en : this.masker.mask(messageOf(error));
			// The one error type that carries a translation: the problem and what to do, in both languages.
			const fix = error instanceof LocalizedError ? error.fix : undefined;
			const translated = this.signal.aborted ? text.interrupted : error instanceof LocalizedError ? error.sentence : undefined;
			const localized = translated ? {en: this.masker.mask(translated.en), ru: this.masker.mask(translated.ru)} : undefined;
			this.ledger.outcomes.set(outcomeKey, {status: 'failed', message, ...(localized ? {text: localized} : {}), ...(fix ? {fix} : {})});
			this.registry.details.set(definition, localized ? {text: localized} : {});
			if ((this.options.renderer ?? 'silent') === 'simple') {
				const tail = this.ledger.tails.get(outcomeKey) ?? [];
				if (tail.length > 0) task.output = tail.slice(-10).map(line => `${participant}: ${line}`).join('\n');
			}

			// What listr2 prints (plain output, under the node's own title) is in the user's language.
			throw new NodeStepError(localized ? localized[this.lang] : message, fix);
		} finally {
			await this.saveFacts(participant);
		}
	}

	private finishAlreadyDone(outcomeKey: StepAt, definition: Task, task: Wrapper, sink: CommandSink, why: string, readOnly: boolean): void {
		this.ledger.outcomes.set(outcomeKey, {status: 'already-done'});
		this.registry.alreadyDone.add(definition);
		// A step with nothing to change was checked now, not done before: the screen must say so.
		if (readOnly) this.registry.checked.add(definition);
		sink.info(why);
		task.skip((readOnly ? text.checked : text.alreadyDone)[this.lang]);
	}

	/** A step whose plan has no action changes nothing (VM checks, waits for health): it only checks. */
	private isReadOnly(step: Step, participant: string): boolean {
		try {
			return step.plan(this.planContext(participant)).length === 0;
		} catch {
			return false;
		}
	}

	private async markRunning(stage: Stage, step: Step, participant: string): Promise<void> {
		const stageKey = {stage: stage.id, node: participant};
		const previous = this.state.record(stage.id, participant);
		const now = new Date().toISOString();
		this.ledger.markedRunning.set(stageKey, true);
		await this.state.setNode(stage.id, participant, {
			status: 'running',
			fingerprint: this.ledger.fingerprints.get(stageKey)!,
			runId: this.runId,
			startedAt: previous?.runId === this.runId ? previous.startedAt : now,
			step: step.id,
		});
	}

	/** Ctrl+C: what was running is recorded as failed with a clear reason (the next start resumes). */
	private async recordInterrupted(): Promise<void> {
		const now = new Date().toISOString();
		await Promise.all(this.ledger.markedRunning.keys().map(({stage, node: participant}) => {
			const record = this.state.record(stage, participant);
			if (record?.status !== 'running' || record.runId !== this.runId) return undefined;
			return this.state.setNode(stage, participant, {...record, status: 'failed', endedAt: now, error: text.interrupted.en});
		}));
	}

	// Context, logging, facts

	private planContext(participant: string) {
		return {cluster: this.options.cluster, secrets: this.options.secrets, node: this.nodeOf(participant), facts: this.factsOf(participant)};
	}

	private stepContext(participant: string, sink: CommandSink): StepContext {
		const secrets = this.masker.values;
		const remote = participant === hostParticipant ? this.options.hostRemote! : this.options.remotes.get(participant)!;
		const remotes = new Map<string, Remote>();
		for (const [name, other] of this.options.remotes) {
			remotes.set(name, loggingRemote(other, sink, {signal: this.signal, secrets, ...(name === participant ? {} : {prefix: `on ${name}`})}));
		}

		const allFacts = new Map<string, Facts>();
		for (const node of this.options.cluster.nodes) allFacts.set(node.name, this.factsOf(node.name));
		return {
			...this.planContext(participant),
			remote: loggingRemote(remote, sink, {signal: this.signal, secrets}),
			remotes,
			allFacts,
			log: line => sink.info(line),
			progress: figures => sink.progress?.(figures),
			panel: panel => sink.panel?.(panel),
			signal: this.signal,
			yes: this.options.yes ?? false,
		};
	}

	private sinkFor(stage: Stage, step: Step, participant: string, task: Wrapper): CommandSink {
		const log = this.logs.get(participant);
		const tag = `${stage.id}/${step.id}`;
		const key: NodeKey = {stage: stage.id, step: step.id, node: participant};
		const outcomeKey = {stage: stage.id, step: step.id, node: participant};
		const tail = this.ledger.tails.get(outcomeKey) ?? [];
		this.ledger.tails.set(outcomeKey, tail);
		const keep = (line: string) => {
			tail.push(line);
			if (tail.length > 40) tail.splice(0, tail.length - 20);
		};

		const store = this.store;
		const simple = (this.options.renderer ?? 'silent') === 'simple';
		const mask = (value: string) => this.masker.mask(value);
		const lang = this.lang;
		let figures: ProgressView | undefined;
		let printedAt = 0;
		let panelGiven: Panel | undefined;
		let panelShown: Panel | undefined;
		let plainWritten: string | undefined;
		let plainAt = 0;
		return {
			command(command) {
				const masked = mask(command);
				log.write(tag, 'command', masked);
				keep(`$ ${masked}`);
				store?.command(key, masked);
				if (simple) task.output = `${participant}: $ ${masked}`;
			},
			line(line, stream: StreamName) {
				const masked = mask(line);
				log.write(tag, stream, masked);
				keep(masked);
				store?.line(key, masked, stream);
			},
			info(line) {
				const masked = mask(line);
				log.write(tag, 'info', masked);
				store?.line(key, masked, 'info');
			},
			progress(next) {
				store?.progress(key, next);
				if (!simple) return;
				// Plain output (CI logs): a line when a phase begins, then at most one every 10 s.
				const now = Date.now();
				const newPhase = figures?.figures.phase.en !== next.phase.en;
				figures = nextView(figures, next, now);
				if (!newPhase && now - printedAt < plainProgressEveryMs) return;
				printedAt = now;
				task.output = `${participant}: ${progressLine(figures, lang, now)}`;
			},
			panel(next) {
				// Shown and written masked like every other line; the same object given twice stays one frame.
				if (next !== panelGiven) panelShown = next === undefined ? undefined : maskedPanel(next, mask);
				panelGiven = next;
				store?.panel(key, panelShown);
				if (!panelShown) return;
				const now = Date.now();
				if (panelShown.plain === plainWritten || now - plainAt < plainPanelEveryMs) return;
				plainWritten = panelShown.plain;
				plainAt = now;
				log.write(tag, 'info', panelShown.plain);
				if (simple) task.output = `${timeOfDay(now)} ${panelShown.plain}`;
			},
		};
	}

	private failureOf(stage: Stage, step: Step, participant: string): NodeFailure {
		const outcome = this.ledger.outcomes.get({stage: stage.id, step: step.id, node: participant});
		return {
			stage: stage.id,
			step: step.id,
			node: participant,
			message: outcome?.message ?? 'failed',
			// Screens show this sentence as it is: it names its node, once.
			...(outcome?.text ? {text: {en: withNodePrefix(participant, outcome.text.en), ru: withNodePrefix(participant, outcome.text.ru)}} : {}),
			...(outcome?.fix ? {fix: outcome.fix} : {}),
			logFile: this.logs.fileFor(participant),
			tail: (this.ledger.tails.get({stage: stage.id, step: step.id, node: participant}) ?? []).slice(-20),
		};
	}

	private nodeOf(participant: string): NodeConfig {
		if (participant === hostParticipant) return this.hostNode;
		return this.options.cluster.nodes.find(node => node.name === participant)!;
	}

	private factsOf(participant: string): Facts {
		let facts = this.facts.get(participant);
		if (!facts) {
			facts = new Map();
			this.facts.set(participant, facts);
		}

		return facts;
	}

	private async saveFacts(participant: string): Promise<void> {
		const values = Object.fromEntries(this.factsOf(participant));
		const serialised = JSON.stringify(values);
		if (this.savedFacts.get(participant) === serialised) return;
		this.savedFacts.set(participant, serialised);
		await this.state.update(data => {
			data.facts[participant] = values;
		});
	}

	private throwIfAborted(): void {
		if (this.signal.aborted) throw new Error(text.interrupted.en);
	}

	async wait(ms: number): Promise<void> {
		try {
			await sleep(ms, undefined, {signal: this.signal});
		} catch {
			this.throwIfAborted();
		}
	}
}

/** The panel as the screen and the logs get it: no secret reaches either. */
function maskedPanel(panel: Panel, mask: (text: string) => string): Panel {
	return {plain: mask(panel.plain), render: width => panel.render(width).map(mask)};
}

/** HH:MM:SS in local time, as the run log's own timestamps. */
function timeOfDay(ms: number): string {
	const date = new Date(ms);
	const pad = (value: number) => String(value).padStart(2, '0');
	return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
