/**
 * The measurements of one run of the test stage, shared by its steps. A run is identified by the
 * engine's AbortSignal (one per pipeline run), so the same stage object can run again, in the same
 * process, without figures leaking from one run into the next.
 */
import path from 'node:path';
import {newRunId} from '../config/paths.ts';
import type {ClusterConfig} from '../core/cluster.ts';
import {computeBounds, timingSettings} from './bounds.ts';
import type {
	Bounds, Check, DataSafetyFigures, FailsafeFigures, FaultFigures, LoadFigures, ReplicationFigures, RoutingFigures, SwitchoverFigures,
	TestReport, TimingSettings,
} from './model.ts';

export function reportsDir(clusterFile: string): string {
	return path.join(path.dirname(path.resolve(clusterFile)), '.pgha', 'reports');
}

export class TestRun {
	readonly runId = newRunId();
	readonly startedAt = new Date().toISOString();
	readonly settings: TimingSettings;
	readonly bounds: Bounds;
	readonly reportDir: string;
	replication?: ReplicationFigures;
	routing?: RoutingFigures;
	switchover?: SwitchoverFigures;
	failsafe?: FailsafeFigures;
	dataSafety?: DataSafetyFigures;
	load?: LoadFigures;
	complete = false;
	finishedAt?: string;
	private readonly faultFigures = new Map<string, FaultFigures>();
	private readonly checksByTest = new Map<string, Check[]>();
	/** Acknowledged sequence numbers per writer run (keyed by test, so a retried test replaces its own). */
	private readonly ackedByTest = new Map<string, readonly number[]>();
	/** Tests that measured something in this run (verify uses it). */
	private readonly measured = new Set<string>();
	private nextSeq = 1;

	/**
	 * @param maxOutageMs an outage limit the student asked for: a slower failover fails it even when
	 * every other check shows it was right (without it, slower than the theory is reported as slow).
	 */
	constructor(readonly cluster: ClusterConfig, readonly maxOutageMs?: number) {
		this.settings = timingSettings(cluster);
		this.bounds = computeBounds(this.settings);
		this.reportDir = path.join(reportsDir(cluster.file), this.runId);
	}

	/** A block of sequence numbers no other writer run of this run uses. */
	reserveSeqs(count: number): number {
		const first = this.nextSeq;
		this.nextSeq += count + 1;
		return first;
	}

	setFault(figures: FaultFigures): void {
		this.faultFigures.set(figures.kind, figures);
	}

	get faults(): FaultFigures[] {
		return [...this.faultFigures.values()];
	}

	setChecks(test: string, checks: readonly Check[]): void {
		this.checksByTest.set(test, [...checks]);
		this.measured.add(test);
	}

	checksOf(test: string): readonly Check[] {
		return this.checksByTest.get(test) ?? [];
	}

	wasMeasured(test: string): boolean {
		return this.measured.has(test);
	}

	setAcked(test: string, seqs: readonly number[]): void {
		this.ackedByTest.set(test, [...seqs]);
	}

	allAcked(): number[] {
		return [...this.ackedByTest.values()].flat();
	}

	report(): TestReport {
		return {
			version: 1,
			runId: this.runId,
			cluster: this.cluster.name,
			startedAt: this.startedAt,
			...(this.finishedAt ? {finishedAt: this.finishedAt} : {}),
			complete: this.complete,
			settings: this.settings,
			bounds: this.bounds,
			...(this.replication ? {replication: this.replication} : {}),
			...(this.routing ? {routing: this.routing} : {}),
			...(this.switchover ? {switchover: this.switchover} : {}),
			faults: this.faults,
			...(this.failsafe ? {failsafe: this.failsafe} : {}),
			...(this.dataSafety ? {dataSafety: this.dataSafety} : {}),
			...(this.load ? {load: this.load} : {}),
			checks: [...this.checksByTest.values()].flat(),
		};
	}
}

/** One TestRun per engine run (its AbortSignal); created on first use. */
export class TestRuns {
	private readonly runs = new WeakMap<AbortSignal, TestRun>();

	constructor(private readonly maxOutageMs?: number) {}

	of(signal: AbortSignal, cluster: ClusterConfig): TestRun {
		let run = this.runs.get(signal);
		if (!run) {
			run = new TestRun(cluster, this.maxOutageMs);
			this.runs.set(signal, run);
		}

		return run;
	}
}
