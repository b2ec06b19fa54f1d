/**
 * Test 3, switchover: a planned change of leader through Patroni's REST API (POST /switchover with
 * its basic auth) while the probe writer runs. /primary and /replica must swap, the write gap must
 * stay within the bound, and the old leader must stream from the new one.
 */
import {boundFormula} from './bounds.ts';
import {check, seconds} from './checks.ts';
import {endpointCode, requestSwitchover, switchoverCandidate, switchoverPending, waitReady} from './cluster-view.ts';
import {fail, poll, type TestEnv} from './env.ts';
import {observeLeaderChange, waitRejoined} from './observe.ts';
import type {TestRun} from './run-state.ts';
import type {Check} from './model.ts';
import {predictionLine, predictOutage} from './prediction.ts';
import {doorNode, leaderChangePhases} from './phases.ts';
import {hasVip} from '../cluster/front-door.ts';
import {settledHolders} from './front-door.ts';

export const switchoverTestId = 'switchover';

export async function runSwitchoverTest(env: TestEnv, run: TestRun): Promise<void> {
	const ready = await waitReady(env);
	const leader = ready.view.leader!;
	const candidate = switchoverCandidate(ready.view.members, env.cluster.synchronousMode, env.proxyNode.name);
	if (!candidate) throw fail('нет реплики, на которую можно переключиться.', 'there is no replica to switch over to.');
	env.log(`switchover ${leader.name} → ${candidate.name}${env.cluster.synchronousMode ? ' (the synchronous standby: synchronous_mode allows no other)' : ''}`);
	const prediction = predictOutage(run.settings, 'switchover', {vip: false})!;
	env.log(`switchover: ${predictionLine(prediction, env.lang ?? 'en')}`);
	const vipHolder = hasVip(env.cluster) ? (await settledHolders(env))[0] ?? null : null;
	const observation = await observeLeaderChange(env, run, {
		oldLeader: leader.name,
		exclude: [],
		trigger: async () => {
			const answer = await requestSwitchover(env, leader, candidate.name);
			env.log(`POST /switchover: HTTP ${answer.status} ${answer.body}`);
			if (switchoverPending(answer)) env.log(`switchover ${leader.name} → ${candidate.name}: Patroni did not see the result in time; the leader change decides`);
			else if (answer.status !== 200) {
				throw fail(`Patroni отклонил switchover: HTTP ${answer.status} ${answer.body}`, `Patroni refused the switchover: HTTP ${answer.status} ${answer.body}`);
			}
		},
		leaderTimeoutMs: 90_000,
		chartFile: 'switchover.svg',
		drill: {
			title: `switchover ${leader.name} → ${candidate.name}`,
			lang: env.lang ?? 'en',
			ttlSeconds: run.settings.ttl,
			predicted: {minMs: prediction.minMs, maxMs: prediction.maxMs},
			vipHolder: () => vipHolder,
		},
	});

	const members = ready.view.members;
	const roles = async () => {
		const primary: string[] = [];
		const replicas: string[] = [];
		for (const member of members) {
			if (await endpointCode(env, member.host, '/primary') === 200) primary.push(member.name);
			if (await endpointCode(env, member.host, '/replica') === 200) replicas.push(member.name);
		}

		return {primary, replicas};
	};
	// The old leader restarts as a replica: /replica answers 200 there once it runs again.
	const swapped = await poll(async () => {
		const now = await roles();
		return now.primary.join() === candidate.name && now.replicas.includes(leader.name) && !now.replicas.includes(candidate.name) ? now : undefined;
	}, {timeoutMs: 90_000, intervalMs: 1000, signal: env.signal});
	const endpoints = swapped ?? await roles();
	const streamingAt = await waitRejoined(env, leader.name, undefined, 90_000);

	const outage = observation.outage;
	const phases = await leaderChangePhases(env, {
		record: observation.drill, faultAt: observation.faultAt, victim: leader.name, newLeader: observation.newLeader?.name,
		outage, door: doorNode(env, vipHolder),
	}).catch(() => undefined);
	const boundMs = run.bounds.switchoverMs;
	run.switchover = {
		from: leader.name,
		to: candidate.name,
		requestedAt: observation.faultAt,
		newLeaderAt: observation.newLeaderAt,
		gapMs: outage?.ms ?? null,
		boundMs,
		primaryNow: endpoints.primary,
		replicasNow: endpoints.replicas,
		oldLeaderStreaming: streamingAt !== undefined,
		writes: observation.writes,
		chart: observation.chart,
		...(phases ? {phases} : {}),
	};
	run.setAcked(switchoverTestId, observation.acks.map(ack => ack.seq));
	const newLeader = observation.newLeader?.name;
	run.setChecks(switchoverTestId, [
		check(switchoverTestId, newLeader === candidate.name,
			`лидер ${leader.name} → ${newLeader ?? 'нет'} (запрошен ${candidate.name})`,
			`leader ${leader.name} → ${newLeader ?? 'none'} (${candidate.name} requested)`),
		gapCheck(outage?.ms, boundMs, boundFormula(run.settings, 'switchover'), newLeader === candidate.name, run.maxOutageMs),
		check(switchoverTestId, swapped !== undefined,
			`/primary = 200: ${endpoints.primary.join(', ') || 'нигде'}; /replica = 200: ${endpoints.replicas.join(', ') || 'нигде'}`,
			`/primary = 200: ${endpoints.primary.join(', ') || 'nowhere'}; /replica = 200: ${endpoints.replicas.join(', ') || 'nowhere'}`),
		check(switchoverTestId, streamingAt !== undefined,
			streamingAt !== undefined ? `${leader.name} реплицирует с ${candidate.name} (streaming)` : `${leader.name} не стал потоковой репликой ${candidate.name}`,
			streamingAt !== undefined ? `${leader.name} replicates from ${candidate.name} (streaming)` : `${leader.name} did not become a streaming replica of ${candidate.name}`),
	]);
}

/**
 * The write gap of a switchover: later than the theory but with the requested leader in place is
 * slow, not failed (a busy host), unless it breaks the limit the student set with --max-outage.
 */
export function gapCheck(gapMs: number | undefined, boundMs: number, formula: string, switched: boolean, maxOutageMs?: number): Check {
	const base = {ru: `перерыв записи ${seconds(gapMs)} с (граница ${formula})`, en: `write gap ${seconds(gapMs)} s (bound ${formula})`};
	if (gapMs === undefined || !switched || (maxOutageMs !== undefined && gapMs > maxOutageMs)) return check(switchoverTestId, false, base.ru, base.en);
	if (gapMs <= boundMs) return check(switchoverTestId, true, base.ru, base.en);
	return {
		...check(switchoverTestId, true, `${base.ru}: медленнее теории, но верно (лидер сменился на запрошенный)`, `${base.en}: slower than the theory but right (the requested leader leads)`),
		slow: true,
	};
}
