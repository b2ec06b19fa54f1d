/**
 * The state file (.pgha/state.json): per stage and node, whether the work is done, failed or was
 * running when pgha stopped, with the fingerprint of the inputs, times and the last error.
 * It only speeds up a resume: correctness comes from each step's `check` reading the node's real
 * state. Every write replaces the file atomically, so a SIGKILL leaves the old or the new version.
 */
import {promises as fs} from 'node:fs';
import path from 'node:path';
import {removeStaleTemps, writeFileAtomic} from '../config/atomic-write.ts';
import type {Text} from '../core/text.ts';
import {stateShapeProblem} from './state-shape.ts';
import {interruptedText} from './types.ts';

export type NodeRecordStatus = 'running' | 'done' | 'failed' | 'skipped';

export interface NodeStageRecord {
	status: NodeRecordStatus;
	/** Hash of the stage's inputs for this node (cluster file parts, plans, secrets digest). */
	fingerprint: string;
	runId: string;
	/** ISO times. */
	startedAt: string;
	endedAt?: string;
	/** The step running, or the one that failed. */
	step?: string;
	/** Masked, one sentence. */
	error?: string;
}

export interface RunRecord {
	id: string;
	startedAt: string;
	endedAt?: string;
	status?: string;
}

export interface StateData {
	version: 1;
	stages: Record<string, {nodes: Record<string, NodeStageRecord>}>;
	/** Facts steps discovered per node (never secrets), reused by later runs, e.g. after --from. */
	facts: Record<string, Record<string, string>>;
	/** The most recent runs, newest last. */
	runs: RunRecord[];
}

const keptRuns = 20;

export function emptyState(): StateData {
	return {version: 1, stages: {}, facts: {}, runs: []};
}

/** Twenty runs of a large cluster are well under a megabyte; more is not a state pgha wrote. */
const stateCap = 16 * 1024 * 1024;

/** Reads a state file without taking it over (for status screens). Missing or unreadable -> empty. */
export async function readState(file: string): Promise<StateData> {
	const read = await readStateText(file);
	if (read === undefined || 'problem' in read) return emptyState();
	const parsed = parseState(read.text);
	return 'state' in parsed ? parsed.state : emptyState();
}

async function readStateText(file: string): Promise<{text: string} | {problem: string} | undefined> {
	let size: number;
	try {
		size = (await fs.stat(file)).size;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		return {problem: (error as NodeJS.ErrnoException).code ?? 'unreadable'};
	}

	if (size > stateCap) return {problem: `size ${size}`};
	try {
		return {text: await fs.readFile(file, 'utf8')};
	} catch (error) {
		return {problem: (error as NodeJS.ErrnoException).code ?? 'unreadable'};
	}
}

function parseState(text: string): {state: StateData} | {problem: string} {
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch {
		return {problem: 'JSON'};
	}

	const problem = stateShapeProblem(data);
	if (problem) return {problem};
	const valid = data as Partial<StateData> & Pick<StateData, 'stages'>;
	return {state: {version: 1, stages: valid.stages, facts: valid.facts ?? {}, runs: valid.runs ?? []}};
}

/**
 * Before a run: a state file that cannot be used is renamed to state.json.unreadable-<time>, and the
 * user is told in one line (the run then re-verifies everything from the nodes). Undefined when the
 * file is fine or absent.
 */
export async function setAsideUnusableState(file: string, now = Date.now()): Promise<Text | undefined> {
	const read = await readStateText(file);
	if (read === undefined) return undefined;
	const problem = 'problem' in read ? read.problem : (() => {
		const parsed = parseState(read.text);
		return 'problem' in parsed ? parsed.problem : undefined;
	})();
	if (problem === undefined) return undefined;
	const aside = `${file}.unreadable-${now}`;
	await fs.rename(file, aside);
	return {
		ru: `${file} не подходит (место ошибки: ${problem}); он переименован в ${path.basename(aside)}, и pgha заново проверит всё на узлах.`,
		en: `${file} cannot be used (wrong at: ${problem}); it was renamed to ${path.basename(aside)} and pgha re-verifies everything on the nodes.`,
	};
}

export class StateFile {
	readonly file: string;
	/** E.g. an unreadable state file was moved aside. English; shown in logs. */
	readonly warnings: string[] = [];
	private state: StateData;
	private pending: Promise<void> | undefined;
	private writing: Promise<void> = Promise.resolve();
	private readonly beforeCommit?: (tempPath: string) => void | Promise<void>;

	private constructor(file: string, state: StateData, beforeCommit?: (tempPath: string) => void | Promise<void>) {
		this.file = file;
		this.state = state;
		this.beforeCommit = beforeCommit;
	}

	/**
	 * Opens (or starts) the state file. A file that cannot be parsed (edited by hand, another
	 * version) is renamed to state.json.unreadable-<time> and a fresh state begins; the steps'
	 * checks still find the finished work on the nodes.
	 */
	static async open(file: string, options: {beforeCommit?: (tempPath: string) => void | Promise<void>} = {}): Promise<StateFile> {
		await fs.mkdir(path.dirname(file), {recursive: true, mode: 0o700});
		await removeStaleTemps(file);
		let text: string | undefined;
		try {
			text = await fs.readFile(file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		}

		const warnings: string[] = [];
		let state = emptyState();
		if (text !== undefined) {
			const parsed = parseState(text);
			if ('state' in parsed) {
				state = parsed.state;
			} else {
				const aside = `${file}.unreadable-${Date.now()}`;
				await fs.rename(file, aside);
				warnings.push(`${file} could not be read and was moved to ${aside}; starting with an empty state`);
			}
		}

		const stateFile = new StateFile(file, state, options.beforeCommit);
		stateFile.warnings.push(...warnings);
		return stateFile;
	}

	get data(): Readonly<StateData> {
		return this.state;
	}

	record(stage: string, node: string): Readonly<NodeStageRecord> | undefined {
		return this.state.stages[stage]?.nodes[node];
	}

	/**
	 * Changes the state in memory at once and writes it. Writes are serialised and coalesced: the
	 * returned promise resolves when a write containing this change is on disk.
	 */
	update(change: (data: StateData) => void): Promise<void> {
		change(this.state);
		return this.scheduleWrite();
	}

	setNode(stage: string, node: string, record: NodeStageRecord): Promise<void> {
		return this.update(data => {
			data.stages[stage] ??= {nodes: {}};
			data.stages[stage].nodes[node] = record;
		});
	}

	startRun(id: string): Promise<void> {
		return this.update(data => {
			data.runs.push({id, startedAt: new Date().toISOString()});
			data.runs.splice(0, Math.max(0, data.runs.length - keptRuns));
		});
	}

	endRun(id: string, status: string): Promise<void> {
		return this.update(data => {
			const run = data.runs.find(item => item.id === id);
			if (run) Object.assign(run, {endedAt: new Date().toISOString(), status});
		});
	}

	/** "Start over": forget everything recorded (nothing on the nodes is touched). */
	clear(): Promise<void> {
		return this.update(data => Object.assign(data, emptyState()));
	}

	/** Waits for every write started so far. */
	async settle(): Promise<void> {
		await this.pending;
		await this.writing;
	}

	private scheduleWrite(): Promise<void> {
		if (!this.pending) {
			const next = this.writing.then(() => {
				this.pending = undefined;
				return this.writeNow();
			});
			this.pending = next;
			this.writing = next.catch(() => undefined);
		}

		return this.pending;
	}

	private async writeNow(): Promise<void> {
		await writeFileAtomic(this.file, `${JSON.stringify(this.state, null, '\t')}\n`, {mode: 0o600, beforeCommit: this.beforeCommit});
	}
}

/** One line per stage for the resume screen. */
export interface StageSummary {
	readonly id: string;
	/** interrupted = pgha stopped while it ran (Ctrl+C, SIGKILL, a closed terminal). */
	readonly status: 'done' | 'failed' | 'interrupted' | 'skipped' | 'pending';
	readonly error?: string;
	/** The node (and step) the error or interruption happened on. */
	readonly node?: string;
	readonly step?: string;
	readonly endedAt?: string;
}

export function summarizeStages(data: Readonly<StateData>, stages: ReadonlyArray<{readonly id: string}>): StageSummary[] {
	return stages.map(({id}) => {
		const records = Object.entries(data.stages[id]?.nodes ?? {});
		if (records.length === 0) return {id, status: 'pending'};
		const failed = records.find(([, record]) => record.status === 'failed');
		// Ctrl+C is recorded as a failure with its own reason; to the student it is an interruption.
		if (failed && wasInterrupted(failed[1])) return {id, status: 'interrupted', node: failed[0], ...pick({...failed[1], error: undefined})};
		if (failed) return {id, status: 'failed', node: failed[0], ...pick(failed[1])};
		const running = records.find(([, record]) => record.status === 'running');
		if (running) return {id, status: 'interrupted', node: running[0], ...pick(running[1])};
		const ended = records.map(([, record]) => record.endedAt ?? '').sort().at(-1);
		const skipped = records.some(([, record]) => record.status === 'skipped');
		return {id, status: skipped ? 'skipped' : 'done', ...(ended ? {endedAt: ended} : {})};
	});
}

function wasInterrupted(record: NodeStageRecord): boolean {
	return record.error !== undefined && (record.error.endsWith(interruptedText.en) || record.error.endsWith(interruptedText.ru));
}

function pick(record: NodeStageRecord): {step?: string; error?: string; endedAt?: string} {
	return {
		...(record.step ? {step: record.step} : {}),
		...(record.error ? {error: record.error} : {}),
		...(record.endedAt ? {endedAt: record.endedAt} : {}),
	};
}

/** The stage a resume should start from: the first one not done. */
export function resumePoint(summaries: readonly StageSummary[]): string | undefined {
	return summaries.find(summary => summary.status !== 'done')?.id;
}
