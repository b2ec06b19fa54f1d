/**
 * Tests 4e and 4f, the front door lost: HAProxy killed on the node holding the floating address, or
 * that node powered off while another node leads. The probes run on a node the fault spares and
 * connect the way applications do: through the VIP (writes and reads) and through the libpq
 * multi-host string. Nothing should fail over: the leader stays, the VIP moves once, every door
 * answers again within the bound, and the node comes back as a backup without taking the VIP back.
 */
import {sleep} from '../core/sleep.ts';
import {haproxyNodes, severalHaproxies} from '../cluster/front-door.ts';
import {measureOutage} from '../report/timeline.ts';
import {entryBoundMs} from './bounds.ts';
import {check, seconds} from './checks.ts';
import {moveLeaderAwayFrom, readCluster, waitReady} from './cluster-view.ts';
import {fail, nodeByName, proxyNow, settleWithin, type TestEnv} from './env.ts';
import {faults} from './faults.ts';
import {chartOf, errorSummary} from './figures.ts';
import {clientEnv, placeVip, settledHolders, SideProbes, VipWatch} from './front-door.ts';
import type {Check, FaultFigures, FaultKind} from './model.ts';
import {waitRejoined} from './observe.ts';
import type {TestRun} from './run-state.ts';
import {defaultWriterLimits, ProbeWriter} from './writer.ts';
import {failoverTestId, skippedFigures} from './failover-test.ts';
import {predictionLine, predictOutage} from './prediction.ts';
import {Drill} from './drill.ts';
import {clientEnd, doorEnds, splitOutage} from './phases.ts';

const baselineAcks = 40;
const tailMs = 3000;

export async function runEntryFaultTest(env: TestEnv, run: TestRun, kind: FaultKind): Promise<void> {
	const testId = failoverTestId(kind);
	const fault = faults[kind];
	const boundMs = entryBoundMs(run.settings);
	const skip = !env.cluster.haproxy.vip
		? {ru: 'нужен плавающий адрес (haproxy: {nodes: all, vip: ...})', en: 'needs a floating address (haproxy: {nodes: all, vip: ...})'}
		: fault.labOnly && !env.cluster.lab ? {ru: 'только в лаборатории pgha', en: 'only in the pgha lab'} : undefined;
	if (skip || !severalHaproxies(env.cluster)) {
		env.log(`${kind}: ${skip?.en ?? 'needs HAProxy on several nodes'}; skipped`);
		run.setFault(skippedFigures(kind, boundMs, skip));
		run.setChecks(testId, []);
		return;
	}

	// The holder must not be the leader: this fault is about the door alone.
	const ready = await waitReady(env);
	const leader = ready.view.leader!.name;
	const holder = haproxyNodes(env.cluster).find(node => node.name !== leader)!;
	await placeVip(env, holder.name);
	const victim = nodeByName(env.cluster, holder.name);
	const client = clientEnv(env, [victim.name]);
	env.log(`${kind}: the floating address is on ${victim.name}, the leader is ${leader}; the probes run on ${client.proxyNode.name}`);
	const prediction = predictOutage(run.settings, kind, {vip: true});
	if (prediction) env.log(`${kind}: ${predictionLine(prediction, env.lang ?? 'en')}`);

	const firstSeq = run.reserveSeqs(defaultWriterLimits.maxWrites);
	const writer = new ProbeWriter(client, {firstSeq, ...defaultWriterLimits});
	const side = new SideProbes(client, run);
	let watch: VipWatch | undefined;
	const drill = new Drill(client, {
		title: fault.title[env.lang ?? 'en'], lang: env.lang ?? 'en', ttlSeconds: run.settings.ttl,
		...(prediction ? {predicted: {minMs: prediction.minMs, maxMs: prediction.maxMs}} : {}),
		acks: () => writer.acks, vipHolder: () => watch?.holder ?? victim.name, durationMs: boundMs + 150_000,
	});
	let faultAt = 0;
	let injected = false;
	let restoredAt: number | null = null;
	let stoppedAt = 0;
	let restoreError: unknown;
	let sideFigures: Awaited<ReturnType<SideProbes['stop']>> | undefined;
	let since = 0;
	try {
		if (!(await writer.waitForAcks(baselineAcks, 30_000)) || !(await side.ready())) {
			throw fail(`зонды не получили ответов через ${client.entryHost} до отказа.`, `the probes got no answers through ${client.entryHost} before the fault.`);
		}

		faultAt = await proxyNow(client);
		drill.markFault(faultAt);
		watch = new VipWatch(client, victim.name, boundMs + 30_000);
		injected = true;
		await settleWithin(fault.inject(client, victim).then(() => undefined), 120_000, env.signal);
		// The doors are back once the address has moved and a write went through after that; an
		// answer right after the fault may still come from the dying holder.
		const movedAt = await watch.waitMoved(boundMs + 30_000);
		since = movedAt ?? faultAt + 1;
		await writer.waitForAckAfter(since, boundMs + 30_000);
		await side.recoveredAfter(since, boundMs + 30_000);
		await sleep(tailMs, env.signal);
	} finally {
		stoppedAt = await proxyNow(client).catch(() => Date.now());
		await watch?.stop();
		await writer.stop();
		await drill.stop();
		sideFigures = await side.stop(faultAt || stoppedAt, since || stoppedAt);
		if (injected) {
			restoredAt = stoppedAt;
			env.log(`${kind}: bringing ${victim.name} back`);
			await fault.restore(client, victim).catch(error => {
				restoreError = error;
			});
		}
	}

	if (restoreError) throw restoreError;
	// A powered-off node boots, then streams again; a killed HAProxy is simply back.
	const rejoinedAt = kind === 'entry-poweroff' ? await waitRejoined(client, victim.name, undefined, run.bounds.rejoinMs) : restoredAt ?? undefined;
	const holdersAfterHeal = await settledHolders(client);
	const leaderAfter = (await readCluster(client))?.leader?.name ?? null;
	const acks = [...writer.acks];
	// Without a write after the move the outage never closed: no figure rather than a short one.
	const outage = acks.some(ack => ack.at > since) ? measureOutage(acks, faultAt) : undefined;
	const vipMovedAt = watch?.movedAt ?? null;
	const newHolder = env.cluster.nodes.find(node => node.name === watch?.holder);
	const phases = outage ? splitOutage(outage, [...await doorEnds(client, newHolder, faultAt, vipMovedAt), clientEnd(outage.firstAfter, client.proxyNode.name)]) : undefined;
	const chart = chartOf(acks, {faultAt, newLeaderAt: null, outage, endAt: stoppedAt, file: `${kind}.svg`});
	const figures: FaultFigures = {
		kind,
		victim: victim.name,
		newLeader: null,
		faultAt,
		newLeaderAt: null,
		lastAckBefore: outage?.lastBefore ?? null,
		firstAckAfter: outage?.firstAfter ?? null,
		outageMs: outage?.ms ?? null,
		boundMs,
		timelineBefore: ready.view.leader!.timeline ?? null,
		timelineAfter: (await readCluster(client))?.leader?.timeline ?? null,
		historyBefore: null,
		historyAfter: null,
		restoredAt,
		rejoinMs: rejoinedAt !== undefined && restoredAt !== null ? Math.max(0, rejoinedAt - restoredAt) : null,
		rejoined: rejoinedAt !== undefined,
		caughtUp: rejoinedAt !== undefined,
		rewound: null,
		writes: {acked: acks.length, failed: writer.errors.length, firstSeq, errors: errorSummary(writer.errors.map(error => error.reason))},
		chart: vipMovedAt === null ? chart : {...chart, marks: [...chart.marks, {kind: 'vip', atMs: vipMovedAt - chart.startAt}]},
		entry: {
			client: client.proxyNode.name,
			vipBefore: victim.name,
			vipAfter: watch?.holder ?? null,
			vipMovedMs: vipMovedAt === null ? null : vipMovedAt - faultAt,
			holdersAfterHeal,
			multiHostOutageMs: sideFigures.multiHostOutageMs,
			multiHostWrites: sideFigures.multiHostWrites,
			readOutageMs: sideFigures.readOutageMs,
			reads: sideFigures.reads,
			leaderBefore: leader,
			leaderAfter,
		},
		...(phases ? {phases} : {}),
	};
	run.setFault(figures);
	run.setAcked(testId, acks.map(ack => ack.seq));
	run.setAcked(`${testId}-multi-host`, sideFigures.multiHostAcks.map(ack => ack.seq));
	run.setChecks(testId, entryChecks(figures));
}

/** What a front-door fault must show: the VIP moved once, every door back within the bound, no failover. */
export function entryChecks(figures: FaultFigures): Check[] {
	const id = failoverTestId(figures.kind);
	const entry = figures.entry;
	if (!entry) return [];
	const within = (ms: number | null) => ms !== null && ms <= figures.boundMs;
	return [
		check(id, entry.vipAfter !== null && entry.vipAfter !== figures.victim,
			entry.vipAfter ? `плавающий адрес перешёл с ${figures.victim} на ${entry.vipAfter} через ${seconds(entry.vipMovedMs)} с` : `плавающий адрес не ушёл с ${figures.victim}`,
			entry.vipAfter ? `the floating address moved from ${figures.victim} to ${entry.vipAfter} after ${seconds(entry.vipMovedMs)} s` : `the floating address did not leave ${figures.victim}`),
		check(id, within(figures.outageMs),
			`простой записи через плавающий адрес ${seconds(figures.outageMs)} с (граница ${seconds(figures.boundMs)} с)`,
			`write outage through the floating address ${seconds(figures.outageMs)} s (bound ${seconds(figures.boundMs)} s)`),
		check(id, within(entry.multiHostOutageMs),
			`простой записи через строку с несколькими хостами ${seconds(entry.multiHostOutageMs)} с`,
			`write outage through the multi-host string ${seconds(entry.multiHostOutageMs)} s`),
		check(id, within(entry.readOutageMs),
			`простой чтения через плавающий адрес ${seconds(entry.readOutageMs)} с`,
			`read outage through the floating address ${seconds(entry.readOutageMs)} s`),
		check(id, entry.leaderAfter === entry.leaderBefore,
			`лидер остался прежним (${entry.leaderBefore ?? '—'}): отказ входа не вызвал переключения`,
			`the leader stayed ${entry.leaderBefore ?? '—'}: losing the door caused no failover`),
		...healChecks(figures),
	];
}

/** After the heal: the node is back and exactly one node holds the VIP (no second move, no two holders). */
export function healChecks(figures: FaultFigures): Check[] {
	const entry = figures.entry;
	if (!entry?.holdersAfterHeal) return [];
	const id = failoverTestId(figures.kind);
	const holders = entry.holdersAfterHeal;
	return [
		check(id, holders.length === 1,
			`после возвращения ${figures.victim} адрес держит ровно один узел: ${holders.join(', ') || 'никто'}`,
			`after ${figures.victim} came back exactly one node holds the address: ${holders.join(', ') || 'none'}`),
		...(figures.kind.startsWith('entry') ? [check(id, figures.rejoined,
			figures.rejoined ? `${figures.victim} вернулся` : `${figures.victim} не вернулся за ${seconds(figures.boundMs)} с`,
			figures.rejoined ? `${figures.victim} is back` : `${figures.victim} did not come back`)] : []),
	];
}

/** The leader faults with several doors: put the VIP on the leader, so losing the leader loses the door too. */
export async function prepareLeaderOnEntry(env: TestEnv): Promise<{leader: string; client: TestEnv}> {
	if (!severalHaproxies(env.cluster)) {
		const ready = await moveLeaderAwayFrom(env, env.proxyNode.name);
		return {leader: ready.view.leader!.name, client: env};
	}

	const ready = await waitReady(env);
	const leader = ready.view.leader!.name;
	if (haproxyNodes(env.cluster).some(node => node.name === leader)) await placeVip(env, leader);
	const client = clientEnv(env, [leader]);
	if (!client) throw fail('нет узла для зондов.', 'no node for the probes.');
	return {leader, client};
}
