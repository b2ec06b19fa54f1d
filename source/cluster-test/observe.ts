/**
 * The measuring frame around a leader change (a switchover or a lost primary): the probe writer runs
 * through the write port, the event is triggered, /cluster is polled until another member leads,
 * the writer is kept going until writes are acknowledged again, then it is stopped. Everything is
 * on the HAProxy node's clock, so the outage cannot be distorted by clock skew between machines.
 */
import {sleep} from '../core/sleep.ts';
import type {Member} from '../cluster/patroni-api.ts';
import {psql} from '../cluster/psql.ts';
import {measureOutage, type Ack, type Outage} from '../report/timeline.ts';
import {haproxyRiseMs} from './bounds.ts';
import {isHealthyReplica, readCluster, superuser} from './cluster-view.ts';
import {chartOf, errorSummary} from './figures.ts';
import {fail, poll, proxyNow, settleWithin, type TestEnv} from './env.ts';
import type {ChartData, WriterFigures} from './model.ts';
import type {TestRun} from './run-state.ts';
import {defaultWriterLimits, ProbeWriter, type WriterError} from './writer.ts';
import {Drill, type DrillOptions, type DrillRecord} from './drill.ts';

/** Writes acknowledged before the event: about two seconds of steady rate for the chart. */
const baselineAcks = 40;
/** Writes shown after the first acknowledged write following the event. */
const tailMs = 3000;

export interface ObserveOptions {
	/** The member that leads now; the event is over when another one leads. */
	readonly oldLeader: string;
	/** Nodes whose REST API is not asked meanwhile (a lost node's answer may hang). */
	readonly exclude: readonly string[];
	/** Started right after the fault moment is read (given); polling does not wait for it to return. */
	readonly trigger: (faultAt: number) => Promise<void>;
	readonly leaderTimeoutMs: number;
	readonly chartFile: string;
	/** The drill screen while it runs: what it is called, the prediction, who holds the VIP. */
	readonly drill?: Pick<DrillOptions, 'title' | 'lang' | 'ttlSeconds' | 'predicted' | 'vipHolder'>;
}

export interface Observation {
	readonly faultAt: number;
	readonly newLeader?: Member;
	readonly newLeaderAt: number | null;
	readonly acks: readonly Ack[];
	readonly errors: readonly WriterError[];
	readonly outage: Outage | undefined;
	readonly writes: WriterFigures;
	readonly chart: ChartData;
	/** What the drill's watcher saw (the evidence of the phases). */
	readonly drill?: DrillRecord;
}

export async function observeLeaderChange(env: TestEnv, run: TestRun, options: ObserveOptions): Promise<Observation> {
	const limits = defaultWriterLimits;
	const firstSeq = run.reserveSeqs(limits.maxWrites);
	const writer = new ProbeWriter(env, {firstSeq, ...limits});
	const drill = options.drill ? new Drill(env, {...options.drill, acks: () => writer.acks, durationMs: options.leaderTimeoutMs + 120_000}) : undefined;
	let record: DrillRecord | undefined;
	let faultAt = 0;
	let view: Awaited<ReturnType<typeof readCluster>>;
	let stoppedAt = 0;
	try {
		if (!(await writer.waitForAcks(baselineAcks, 30_000))) {
			const reason = writer.errors.at(-1)?.reason ?? 'no answer';
			throw fail(`пишущий зонд не получил подтверждений записи через порт ${env.cluster.ports.haproxyWrite}: ${reason}`,
				`the probe writer got no acknowledged writes through port ${env.cluster.ports.haproxyWrite}: ${reason}`);
		}

		faultAt = await proxyNow(env);
		drill?.markFault(faultAt);
		let triggerError: unknown;
		let triggered = false;
		const triggering = options.trigger(faultAt).then(
			() => {
				triggered = true;
			},
			error => {
				triggerError = error;
				triggered = true;
			},
		);
		view = await poll(async () => {
			if (triggerError) return null;
			const current = await readCluster(env, options.exclude);
			return current?.leader && current.leader.name !== options.oldLeader && current.leader.state === 'running' ? current : undefined;
		}, {timeoutMs: options.leaderTimeoutMs, intervalMs: 250, signal: env.signal}) ?? undefined;
		await settleWithin(triggering, 120_000, env.signal);
		if (triggerError) throw triggerError;
		if (!triggered) throw fail('действие, вызывающее отказ, не завершилось за 2 минуты.', 'the action causing the fault did not finish within 2 minutes.');
		if (view) {
			await writer.waitForAckAfter(view.at, haproxyRiseMs(run.settings) + 30_000);
			await sleep(tailMs, env.signal);
		}
	} finally {
		stoppedAt = await proxyNow(env).catch(() => Date.now());
		await writer.stop();
		record = await drill?.stop();
	}

	const acks = [...writer.acks];
	const outage = view ? measureOutage(acks, faultAt) : undefined;
	return {
		faultAt,
		...(view?.leader ? {newLeader: view.leader} : {}),
		newLeaderAt: view?.at ?? null,
		acks,
		errors: [...writer.errors],
		outage,
		writes: {acked: acks.length, failed: writer.errors.length, firstSeq, errors: errorSummary(writer.errors.map(error => error.reason))},
		chart: chartOf(acks, {faultAt, newLeaderAt: view?.at ?? null, outage, endAt: stoppedAt, file: options.chartFile}),
		...(record ? {drill: record} : {}),
	};
}

export async function currentLsn(env: TestEnv, host: string): Promise<string | undefined> {
	const rows = await psql(env.proxy, superuser(env, host, env.cluster.ports.postgres), 'SELECT pg_current_wal_lsn()', env.signal).catch(() => undefined);
	return rows?.[0]?.[0];
}

/**
 * Bounded wait until `name` is a healthy replica on the leader's timeline, streaming in the leader's
 * pg_stat_replication and (given `targetLsn`) has replayed at least that far. Returns the moment.
 */
export async function waitRejoined(env: TestEnv, name: string, targetLsn: string | undefined, timeoutMs: number): Promise<number | undefined> {
	const caughtUp = targetLsn && /^[0-9A-F]+\/[0-9A-F]+$/i.test(targetLsn) ? `pg_wal_lsn_diff(replay_lsn, '${targetLsn}') >= 0` : 'true';
	return poll(async () => {
		const view = await readCluster(env);
		const member = view?.members.find(candidate => candidate.name === name);
		const leader = view?.leader;
		if (!view || !member || !leader || !isHealthyReplica(member) || member.timeline !== leader.timeline) return undefined;
		const rows = await psql(env.proxy, superuser(env, leader.host, env.cluster.ports.postgres),
			`SELECT state, ${caughtUp} FROM pg_stat_replication WHERE application_name = '${name.replace(/'/g, "''")}'`, env.signal);
		return rows[0]?.[0] === 'streaming' && rows[0]?.[1] === 't' ? view.at : undefined;
	}, {timeoutMs, intervalMs: 2000, signal: env.signal});
}
