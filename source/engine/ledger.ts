/**
 * What a run has learnt so far, per stage, step and node: outcomes, output tails, fingerprints, which
 * nodes only need a verification, which were marked running, how many failure rounds a step had.
 * Keyed by records of names, so no caller builds a key string by hand.
 */
import type {Text} from '../core/text.ts';

/** One node's part of a stage (the host counts as a node). */
export interface StageAt {
	readonly stage: string;
	readonly node: string;
}

/** One step of a stage. */
export interface StepOf {
	readonly stage: string;
	readonly step: string;
}

/** One step on one node. */
export interface StepAt extends StageAt {
	readonly step: string;
}

export interface Outcome {
	status: 'done' | 'already-done' | 'failed' | 'skipped';
	message?: string;
	text?: Text;
	fix?: Text;
}

/** A Map whose keys are records of names: two records with the same names are the same key. */
export class KeyedMap<K extends object, V> {
	readonly #entries = new Map<string, {readonly key: K; value: V}>();
	readonly #names: (key: K) => readonly string[];

	constructor(names: (key: K) => readonly string[]) {
		this.#names = names;
	}

	get(key: K): V | undefined {
		return this.#entries.get(this.#id(key))?.value;
	}

	set(key: K, value: V): this {
		this.#entries.set(this.#id(key), {key, value});
		return this;
	}

	has(key: K): boolean {
		return this.#entries.has(this.#id(key));
	}

	delete(key: K): boolean {
		return this.#entries.delete(this.#id(key));
	}

	keys(): K[] {
		return [...this.#entries.values()].map(entry => entry.key);
	}

	// JSON of the name list is unambiguous whatever the names contain.
	#id(key: K): string {
		return JSON.stringify(this.#names(key));
	}
}

const stageAt = (key: StageAt) => [key.stage, key.node];
const stepOf = (key: StepOf) => [key.stage, key.step];
const stepAt = (key: StepAt) => [key.stage, key.step, key.node];

export class RunLedger {
	readonly outcomes = new KeyedMap<StepAt, Outcome>(stepAt);
	/** The last output lines of a step on a node, for the failure report. */
	readonly tails = new KeyedMap<StepAt, string[]>(stepAt);
	readonly fingerprints = new KeyedMap<StageAt, string>(stageAt);
	/** Recorded as done with the same fingerprint: verify, and only check when that fails. */
	readonly verifyOnly = new KeyedMap<StageAt, true>(stageAt);
	/** Marked running in the state file by this run (recorded as failed on Ctrl+C). */
	readonly markedRunning = new KeyedMap<StageAt, true>(stageAt);
	readonly failureRounds = new KeyedMap<StepOf, number>(stepOf);
}
