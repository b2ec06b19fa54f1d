/**
 * Test 4, failover: the primary is lost one way (see faults.ts) while the probe writer writes
 * through the write port. A new leader must be elected, the outage must stay within the bound the
 * timing predicts, the timeline must go up and /history show it, and the old primary, once back,
 * must rejoin as a streaming replica (pg_rewind when it must) and catch up.
 */
import type {NodeConfig} from '../core/cluster.ts';
import type {Text} from '../core/text.ts';
import {faultBoundMs, boundFormula, patienceMs, stepDownBoundMs} from './bounds.ts';
import {check, seconds} from './checks.ts';
import {readCluster, readHistory} from './cluster-view.ts';
import {fail, nodeByName, poll, proxyNow, remoteOf, type TestEnv} from './env.ts';
import {hasVip} from '../cluster/front-door.ts';
import {healChecks, prepareLeaderOnEntry} from './entry-test.ts';
import {hasSideDoors, settledHolders, SideProbes, VipWatch, type SideFigures} from './front-door.ts';
import {faults, type InjectResult} from './faults.ts';
import {markerProbeCommand, parseMarkerProbe} from './sql.ts';
import {BoundWatch, gatherEvidence} from './evidence.ts';
import type {Check, Evidence, FaultFigures, FaultKind, TimingSettings} from './model.ts';
import {currentLsn, observeLeaderChange, waitRejoined, type Observation} from './observe.ts';
import {predictionLine, predictOutage} from './prediction.ts';
import {doorNode, leaderChangePhases} from './phases.ts';
import type {TestRun} from './run-state.ts';

export function failoverTestId(kind: FaultKind): string {
	return `failover-${kind}`;
}

/** Did Patroni run pg_rewind on the node since `sinceMs`? (null: the journal could not be read) */
async function rewoundSince(env: TestEnv, node: NodeConfig, sinceMs: number): Promise<boolean | null> {
	const since = Math.floor(sinceMs / 1000) - 5;
	const result = await remoteOf(env, node.name)
		.exec(`sh -c 'journalctl -u patroni --since @${since} --no-pager -o cat | grep -c "running pg_rewind"'`, {sudo: true, allowFailure: true, signal: env.signal, timeoutMs: 60_000})
		.catch(() => undefined);
	const count = Number(result?.stdout.trim());
	return result === undefined || !Number.isFinite(count) ? null : count > 0;
}

/** Is the marker row absent on the node (read directly, not through HAProxy)? null: could not tell. */
async function tokenGone(env: TestEnv, node: NodeConfig, token: string): Promise<boolean | null> {
	const result = await env.proxy.exec(markerProbeCommand([node.ip], env.cluster.ports.postgres, token), {
		stdin: `${env.secrets.superuserPassword}\n`, secrets: [env.secrets.superuserPassword], allowFailure: true, signal: env.signal, timeoutMs: 30_000,
	}).catch(() => undefined);
	if (!result) return null;
	const line = result.stdout.split('\n').find(candidate => candidate.startsWith(`${node.ip} `));
	if (!line || line.endsWith(' error')) return null;
	return !parseMarkerProbe(result.stdout).seen.get(node.ip);
}

export async function runFailoverTest(env: TestEnv, run: TestRun, kind: FaultKind): Promise<void> {
	const testId = failoverTestId(kind);
	const fault = faults[kind];
	const boundMs = faultBoundMs(run.bounds, kind);
	if (fault.labOnly && !env.cluster.lab) {
		env.log(`${kind}: only in the pgha lab; skipped`);
		run.setFault(skippedFigures(kind, boundMs));
		run.setChecks(testId, []);
		return;
	}

	// The course's layout keeps the leader off its only HAProxy node; with several doors the leader
	// is put on the node holding the VIP, so the fault takes the door down with it.
	const prepared = await prepareLeaderOnEntry(env);
	env = prepared.client;
	const victimMember = (await readCluster(env))?.leader;
	if (!victimMember || victimMember.name !== prepared.leader) throw fail('лидер сменился во время подготовки.', 'the leader changed while the test was getting ready.');
	const victim = nodeByName(env.cluster, victimMember.name);
	const timelineBefore = victimMember.timeline ?? null;
	const historyBefore = (await readHistory(env))?.length ?? null;
	const vipBefore = hasVip(env.cluster) ? (await settledHolders(env))[0] ?? null : null;
	env.log(`${kind}: the leader is ${victim.name} (timeline ${timelineBefore ?? '?'})${vipBefore ? `, the floating address is on ${vipBefore}` : ''}; the writer runs on ${env.proxyNode.name}`);
	const prediction = predictOutage(run.settings, kind, {vip: hasVip(env.cluster)});
	if (prediction) env.log(`${kind}: ${predictionLine(prediction, env.lang ?? 'en')}`);
	const side = hasSideDoors(env) ? new SideProbes(env, run) : undefined;
	let watch: VipWatch | undefined;
	let sideFigures: SideFigures | undefined;
	let recoveredSince = 0;
	// Evidence read when a wait passes its bound: who answered what, and the journal it is about.
	const successor = env.cluster.nodes.find(node => node.name !== victim.name)!;
	let leaderWatch: BoundWatch | undefined;
	let stepDownWatch: BoundWatch | undefined;
	const stepDownBound = fault.settle ? stepDownBoundMs(run.settings) : undefined;
	const evidence: Evidence[] = [];

	let injected = false;
	let observation: Observation | undefined;
	let historyAfter: number | null = null;
	let timelineAfter: number | null = null;
	let targetLsn: string | undefined;
	let restoredAt: number | null = null;
	let demotedAt: number | null | undefined;
	let restoreError: unknown;
	let note: Text | undefined;
	// Assigned inside the trigger callback, which TypeScript's flow analysis does not follow.
	let injectResult = undefined as InjectResult | undefined;
	try {
		if (side && !(await side.ready())) throw fail('зонды на других входах не получили ответов до отказа.', 'the probes on the other doors got no answers before the fault.');
		observation = await observeLeaderChange(env, run, {
			oldLeader: victim.name,
			exclude: [victim.name],
			trigger: async faultAt => {
				injected = true;
				leaderWatch = new BoundWatch(boundMs, () => gatherEvidence(env, {
					wait: {ru: `новый лидер вместо ${victim.name}`, en: `a new leader instead of ${victim.name}`},
					boundMs, faultAt, about: successor, now: () => proxyNow(env),
				}));
				if (hasVip(env.cluster)) watch = new VipWatch(env, victim.name, boundMs + 60_000);
				injectResult = (await fault.inject(env, victim)) ?? undefined;
			},
			leaderTimeoutMs: patienceMs(boundMs),
			chartFile: `${kind}.svg`,
			drill: {
				title: fault.title[env.lang ?? 'en'],
				lang: env.lang ?? 'en',
				ttlSeconds: run.settings.ttl,
				...(prediction ? {predicted: {minMs: prediction.minMs, maxMs: prediction.maxMs}} : {}),
				vipHolder: () => watch?.holder ?? vipBefore,
			},
		});
		// Kept only when the outage really ran past the bound (the watch also covers the writer's tail).
		const leaderEvidence = await leaderWatch?.result();
		const late = observation.outage === undefined || observation.outage.ms > boundMs;
		if (leaderEvidence && late) evidence.push(leaderEvidence);
		if (observation.newLeader) {
			// The new leader writes /history right after its promotion; give it a few loops.
			const history = await poll(async () => {
				const entries = await readHistory(env, [victim.name]);
				return entries && (historyBefore === null || entries.length > historyBefore) ? entries : undefined;
			}, {timeoutMs: run.settings.loopWait * 3000 + 10_000, intervalMs: 1000, signal: env.signal});
			historyAfter = history?.length ?? (await readHistory(env, [victim.name]))?.length ?? null;
			timelineAfter = (await readCluster(env, [victim.name]))?.leader?.timeline ?? null;
			targetLsn = await currentLsn(env, observation.newLeader.host);
		}

		// Over once a new leader leads (and, when the VIP moved, after that too).
		recoveredSince = Math.max(observation.newLeaderAt ?? 0, watch?.movedAt ?? 0, observation.faultAt + 1);
		if (side && observation.newLeaderAt !== null) await side.recoveredAfter(recoveredSince, boundMs + 30_000);
		if (fault.settle && stepDownBound !== undefined) {
			env.log(`${kind}: waiting until ${victim.name} has stepped down by itself before it is reconnected`);
			const faultAt = observation.faultAt;
			const elapsed = (await proxyNow(env)) - faultAt;
			stepDownWatch = new BoundWatch(stepDownBound - elapsed, () => gatherEvidence(env, {
				wait: {ru: `${victim.name}, отрезанный, сам перестаёт быть лидером`, en: `the cut-off ${victim.name} steps down by itself`},
				boundMs: stepDownBound, faultAt, about: victim, isolated: true, now: () => proxyNow(env),
			}));
			demotedAt = (await fault.settle(env, victim, patienceMs(stepDownBound) - elapsed)) ? await proxyNow(env) : null;
			const late = await stepDownWatch.result();
			if (late) evidence.push(late);
		}
	} finally {
		await leaderWatch?.result();
		await stepDownWatch?.result();
		await watch?.stop();
		if (side) sideFigures = await side.stop(observation?.faultAt ?? 0, recoveredSince);
		if (injected) {
			restoredAt = await proxyNow(env).catch(() => null);
			env.log(`${kind}: bringing ${victim.name} back`);
			// A failed restore must not hide the error that ended the test early, if there was one.
			note = await fault.restore(env, victim).catch(error => {
				restoreError = error;
				return undefined;
			});
		}
	}

	if (restoreError) throw restoreError;
	if (!observation) return;

	const rejoinedAt = observation.newLeader ? await waitRejoined(env, victim.name, targetLsn, run.bounds.rejoinMs) : undefined;
	if (observation.newLeader && rejoinedAt === undefined) {
		const notBack = await gatherEvidence(env, {
			wait: {ru: `${victim.name} возвращается потоковой репликой`, en: `${victim.name} comes back as a streaming replica`},
			boundMs: run.bounds.rejoinMs, faultAt: observation.faultAt, about: victim, now: () => proxyNow(env),
		}).catch(() => undefined);
		if (notBack) evidence.push(notBack);
	}

	const holdersAfterHeal = hasVip(env.cluster) ? await settledHolders(env) : null;
	const rewound = await rewoundSince(env, victim, observation.faultAt);
	const isolatedWrite = injectResult?.isolatedToken === undefined ? undefined : {
		token: injectResult.isolatedToken,
		accepted: injectResult.isolatedAccepted ?? false,
		gone: rejoinedAt === undefined ? null : await tokenGone(env, victim, injectResult.isolatedToken),
	};
	const outage = observation.outage;
	const phases = await leaderChangePhases(env, {
		record: observation.drill, faultAt: observation.faultAt, victim: victim.name, newLeader: observation.newLeader?.name,
		outage, door: doorNode(env, watch?.holder ?? vipBefore),
	}).catch(error => {
		env.log(`${kind}: the phases could not be read: ${error instanceof Error ? error.message : String(error)}`);
		return undefined;
	});
	if (phases) env.log(`${kind}: phases ${phases.phases.map(item => `${item.id} ${item.ms === null ? '?' : (item.ms / 1000).toFixed(1)}`).join(', ')} s; sum ${(phases.sumMs / 1000).toFixed(1)} s of ${((outage?.ms ?? 0) / 1000).toFixed(1)} s`);
	const figures: FaultFigures = {
		kind,
		victim: victim.name,
		newLeader: observation.newLeader?.name ?? null,
		faultAt: observation.faultAt,
		newLeaderAt: observation.newLeaderAt,
		lastAckBefore: outage?.lastBefore ?? null,
		firstAckAfter: outage?.firstAfter ?? null,
		outageMs: outage?.ms ?? null,
		boundMs,
		timelineBefore,
		timelineAfter,
		historyBefore,
		historyAfter,
		...(note ? {note} : {}),
		...(isolatedWrite ? {isolatedWrite} : {}),
		...(demotedAt === undefined ? {} : {demotedMs: demotedAt === null ? null : demotedAt - observation.faultAt}),
		...(stepDownBound === undefined ? {} : {stepDownBoundMs: stepDownBound}),
		...(evidence.length > 0 ? {evidence} : {}),
		restoredAt,
		rejoinMs: rejoinedAt !== undefined && restoredAt !== null ? rejoinedAt - restoredAt : null,
		rejoined: rejoinedAt !== undefined,
		caughtUp: rejoinedAt !== undefined && targetLsn !== undefined,
		rewound,
		writes: observation.writes,
		chart: watch?.movedAt ? {...observation.chart, marks: [...observation.chart.marks, {kind: 'vip', atMs: watch.movedAt - observation.chart.startAt}]} : observation.chart,
		...(sideFigures ? {entry: {
			client: env.proxyNode.name,
			vipBefore,
			vipAfter: watch?.holder ?? null,
			vipMovedMs: watch?.movedAt ? watch.movedAt - observation.faultAt : null,
			holdersAfterHeal,
			multiHostOutageMs: sideFigures.multiHostOutageMs,
			multiHostWrites: sideFigures.multiHostWrites,
			readOutageMs: sideFigures.readOutageMs,
			reads: sideFigures.reads,
			leaderBefore: victim.name,
			leaderAfter: observation.newLeader?.name ?? null,
		}} : {}),
		...(phases ? {phases} : {}),
	};
	run.setFault(figures);
	run.setAcked(testId, observation.acks.map(ack => ack.seq));
	if (sideFigures) run.setAcked(`${testId}-multi-host`, sideFigures.multiHostAcks.map(ack => ack.seq));
	run.setChecks(testId, faultChecks(figures, run.settings, run.bounds.rejoinMs, run.maxOutageMs));
}

/**
 * Later than the theory but right in the end is "slow", not failed: on a busy laptop the timers fire
 * late. It fails only past a limit the student set (--max-outage) or when the outcome never came.
 */
function outageCheck(id: string, figures: FaultFigures, formula: string, maxOutageMs: number | undefined): Check {
	const outage = figures.outageMs;
	const limit = maxOutageMs === undefined ? {ru: '', en: ''} : {ru: `, ваш предел ${seconds(maxOutageMs)} с`, en: `, your limit ${seconds(maxOutageMs)} s`};
	const base = {ru: `простой записи через HAProxy ${seconds(outage)} с (граница ${formula}${limit.ru})`, en: `write outage through HAProxy ${seconds(outage)} s (bound ${formula}${limit.en})`};
	if (outage === null || figures.newLeader === null) return check(id, false, base.ru, base.en);
	if (maxOutageMs !== undefined && outage > maxOutageMs) return check(id, false, base.ru, base.en);
	if (outage <= figures.boundMs) return check(id, true, base.ru, base.en);
	return {
		...check(id, true,
			`${base.ru}: медленнее теории, но верно (новый лидер выбран, запись вернулась); что делал кластер на границе — в отчёте`,
			`${base.en}: slower than the theory but right (a new leader, writes back); what the cluster was doing at the bound is in the report`),
		slow: true,
	};
}

function stepDownChecks(id: string, figures: FaultFigures): Check[] {
	if (figures.demotedMs === undefined) return [];
	const bound = figures.stepDownBoundMs;
	if (figures.demotedMs === null) {
		return [check(id, false, `отрезанный ${figures.victim} не перестал быть лидером: второй primary, к которому могут писать клиенты с его стороны сети`,
			`the cut-off ${figures.victim} did not step down: a second primary that clients on its side of the network can write to`)];
	}

	const after = {ru: `отрезанный ${figures.victim} сам перестал быть лидером через ${seconds(figures.demotedMs)} с`, en: `the cut-off ${figures.victim} stepped down by itself after ${seconds(figures.demotedMs)} s`};
	if (bound === undefined || figures.demotedMs <= bound) return [check(id, true, `${after.ru}: второго лидера нет`, `${after.en}: no second leader`)];
	return [{
		...check(id, true,
			`${after.ru}, позже границы ${seconds(bound)} с: медленно, но верно; что он делал на границе — в отчёте`,
			`${after.en}, later than its bound of ${seconds(bound)} s: slow but right; what it was doing at the bound is in the report`),
		slow: true,
	}];
}

export function faultChecks(figures: FaultFigures, settings: TimingSettings, rejoinBoundMs: number, maxOutageMs?: number): Check[] {
	const id = failoverTestId(figures.kind);
	const electedAfter = figures.newLeaderAt !== null ? seconds(figures.newLeaderAt - figures.faultAt) : '—';
	const formula = boundFormula(settings, figures.kind);
	const demoted = stepDownChecks(id, figures);
	return [
		check(id, figures.newLeader !== null,
			figures.newLeader ? `новый лидер ${figures.newLeader} через ${electedAfter} с после отказа ${figures.victim}` : `новый лидер не выбран после отказа ${figures.victim}`,
			figures.newLeader ? `new leader ${figures.newLeader} ${electedAfter} s after ${figures.victim} was lost` : `no new leader after ${figures.victim} was lost`),
		outageCheck(id, figures, formula, maxOutageMs),
		check(id, figures.timelineBefore !== null && figures.timelineAfter !== null && figures.timelineAfter > figures.timelineBefore,
			`timeline ${figures.timelineBefore ?? '—'} → ${figures.timelineAfter ?? '—'}, записей в /history ${figures.historyBefore ?? '—'} → ${figures.historyAfter ?? '—'}`,
			`timeline ${figures.timelineBefore ?? '—'} → ${figures.timelineAfter ?? '—'}, /history entries ${figures.historyBefore ?? '—'} → ${figures.historyAfter ?? '—'}`),
		check(id, figures.historyBefore !== null && figures.historyAfter !== null && figures.historyAfter > figures.historyBefore,
			`/history показывает смену лидера`, `/history shows the change of leader`),
		check(id, figures.rejoined && figures.caughtUp,
			figures.rejoined
				? `${figures.victim} вернулся репликой (streaming, догнал лидера) через ${seconds(figures.rejoinMs)} с${figures.rewound ? ', с pg_rewind' : ''}`
				: `${figures.victim} не вернулся потоковой репликой за ${seconds(rejoinBoundMs)} с`,
			figures.rejoined
				? `${figures.victim} is back as a replica (streaming, caught up) after ${seconds(figures.rejoinMs)} s${figures.rewound ? ', with pg_rewind' : ''}`
				: `${figures.victim} did not come back as a streaming replica within ${seconds(rejoinBoundMs)} s`),
		...demoted,
		...isolatedChecks(figures),
		...sideDoorChecks(figures),
		...healChecks(figures),
	];
}

/** With several doors: the multi-host string and the read port came back within the same bound. */
function sideDoorChecks(figures: FaultFigures): Check[] {
	const entry = figures.entry;
	if (!entry) return [];
	const id = failoverTestId(figures.kind);
	const within = (ms: number | null) => ms !== null && ms <= figures.boundMs;
	const moved = entry.vipAfter ? {ru: `; адрес перешёл на ${entry.vipAfter} через ${seconds(entry.vipMovedMs)} с`, en: `; the address moved to ${entry.vipAfter} after ${seconds(entry.vipMovedMs)} s`} : {ru: '', en: ''};
	return [
		check(id, within(entry.multiHostOutageMs),
			`простой записи через строку с несколькими хостами ${seconds(entry.multiHostOutageMs)} с${moved.ru}`,
			`write outage through the multi-host string ${seconds(entry.multiHostOutageMs)} s${moved.en}`),
		check(id, within(entry.readOutageMs),
			`простой чтения через ${entry.vipBefore ? 'плавающий адрес' : 'порт чтения'} ${seconds(entry.readOutageMs)} с`,
			`read outage through the ${entry.vipBefore ? 'floating address' : 'read port'} ${seconds(entry.readOutageMs)} s`),
	];
}

function isolatedChecks(figures: FaultFigures): Check[] {
	const write = figures.isolatedWrite;
	if (!write?.accepted) return [];
	const id = failoverTestId(figures.kind);
	return [check(id, write.gone === true,
		write.gone === true
			? `запись, принятая отрезанным ${figures.victim} после разрыва, исчезла после его возвращения (pg_rewind её отбросил): пишите только через HAProxy`
			: `запись, принятая отрезанным ${figures.victim} после разрыва, ${write.gone === false ? 'осталась на нём: он не перемотан (pg_rewind)' : 'не удалось проверить'}`,
		write.gone === true
			? `a write the cut-off ${figures.victim} accepted after the cut is gone after it rejoined (pg_rewind discarded it): write only through HAProxy`
			: `a write the cut-off ${figures.victim} accepted after the cut ${write.gone === false ? 'is still there: it was not rewound' : 'could not be checked'}`)];
}

export function skippedFigures(kind: FaultKind, boundMs: number, why: Text = {ru: 'только в лаборатории pgha', en: 'only in the pgha lab'}): FaultFigures {
	return {
		kind,
		skipped: why,
		victim: '',
		newLeader: null,
		faultAt: 0,
		newLeaderAt: null,
		lastAckBefore: null,
		firstAckAfter: null,
		outageMs: null,
		boundMs,
		timelineBefore: null,
		timelineAfter: null,
		historyBefore: null,
		historyAfter: null,
		restoredAt: null,
		rejoinMs: null,
		rejoined: false,
		caughtUp: false,
		rewound: null,
		writes: {acked: 0, failed: 0, firstSeq: 0},
		chart: null,
	};
}
