/**
 * Test 4g, etcd lost everywhere: etcd is stopped on every node for longer than ttl while the probe
 * writes. With failsafe_mode the leader, still reaching every member over the REST API, keeps its
 * role and the writes go on; without it the leader demotes itself (read-only, though every node is
 * alive). Either way nobody may be promoted. etcd is started again and the cluster must be whole.
 */
import {sleep} from '../core/sleep.ts';
import {shellQuote} from '../ssh/quote.ts';
import {measureOutage, type Ack} from '../report/timeline.ts';
import {slackMs} from './bounds.ts';
import {check, seconds} from './checks.ts';
import {readCluster, waitReady} from './cluster-view.ts';
import {fail, proxyNow, remoteOf, type TestEnv} from './env.ts';
import {chartOf, errorSummary} from './figures.ts';
import type {Check, FailsafeFigures} from './model.ts';
import type {TestRun} from './run-state.ts';
import {defaultWriterLimits, ProbeWriter} from './writer.ts';

export const failsafeTestId = 'failsafe';

/** How long etcd stays down: past the leader key's ttl and two more loops, so the key has expired. */
export function etcdDownMs(ttl: number, loopWait: number): number {
	return (ttl + 2 * loopWait + 5) * 1000;
}

/** `name role` per node, read from each node's own REST API (/patroni needs no etcd). */
export function rolesCommand(nodes: readonly {name: string; ip: string}[], port: number): string {
	const lines = nodes.map(node => `printf '%s %s\\n' ${shellQuote(node.name)} "$(curl -s --max-time 2 ${shellQuote(`http://${node.ip}:${port}/patroni`)} | sed -n 's/.*"role": *"\\([a-z_]*\\)".*/\\1/p')"`);
	return `sh -c ${shellQuote(lines.join('\n'))}`;
}

export function parseRoles(stdout: string): Map<string, string> {
	const roles = new Map<string, string>();
	for (const line of stdout.split('\n')) {
		const [name, role] = line.trim().split(/\s+/);
		if (name && role) roles.set(name, role);
	}

	return roles;
}

const primaryRoles = new Set(['master', 'primary']);

async function onEveryNode(env: TestEnv, command: string): Promise<void> {
	await Promise.all(env.cluster.nodes.map(node => remoteOf(env, node.name).exec(command, {sudo: true, signal: env.signal, timeoutMs: 60_000})));
}

export async function runFailsafeTest(env: TestEnv, run: TestRun): Promise<void> {
	const ready = await waitReady(env);
	const leader = ready.view.leader!.name;
	const downMs = etcdDownMs(run.settings.ttl, run.settings.loopWait);
	const firstSeq = run.reserveSeqs(defaultWriterLimits.maxWrites);
	const writer = new ProbeWriter(env, {firstSeq, ...defaultWriterLimits, durationMs: downMs + 120_000});
	const promoted = new Set<string>();
	let stoppedAt = 0;
	let startedAt = 0;
	let endAt = 0;
	let stopped = false;
	try {
		if (!(await writer.waitForAcks(40, 30_000))) throw fail('зонд не получил подтверждений записи до остановки etcd.', 'the probe got no acknowledged writes before etcd was stopped.');
		env.log(`failsafe: stopping etcd on every node for ${seconds(downMs)} s (failsafe_mode ${env.cluster.failsafeMode ? 'on' : 'off'}); the leader is ${leader}`);
		stoppedAt = await proxyNow(env);
		stopped = true;
		await onEveryNode(env, 'systemctl stop etcd');
		// Bounded: the loop ends when the planned time is up, whatever the answers.
		const until = Date.now() + downMs;
		while (Date.now() < until) {
			const result = await env.proxy.exec(rolesCommand(env.cluster.nodes, env.cluster.ports.patroniApi), {allowFailure: true, signal: env.signal, timeoutMs: 20_000});
			for (const [name, role] of parseRoles(result.stdout)) {
				if (name !== leader && primaryRoles.has(role)) promoted.add(name);
			}

			await sleep(2000, env.signal);
		}
	} finally {
		if (stopped) {
			startedAt = await proxyNow(env).catch(() => Date.now());
			env.log('failsafe: starting etcd on every node again');
			await onEveryNode(env, 'systemctl start --no-block etcd');
		}
	}

	try {
		await waitReady(env);
		await writer.waitForAckAfter(await proxyNow(env), 30_000);
	} finally {
		endAt = await proxyNow(env).catch(() => Date.now());
		await writer.stop();
	}

	const acks = [...writer.acks];
	const figures = failsafeFigures({
		failsafeMode: env.cluster.failsafeMode,
		leader,
		acks,
		errors: writer.errors,
		stoppedAt,
		startedAt,
		promoted: [...promoted],
		leaderAfter: (await readCluster(env))?.leader?.name ?? null,
		firstSeq,
		endAt,
	});
	run.failsafe = figures;
	run.setAcked(failsafeTestId, acks.map(ack => ack.seq));
	run.setChecks(failsafeTestId, failsafeChecks(figures, run.settings.retryTimeout));
}

export interface FailsafeInput {
	readonly failsafeMode: boolean;
	readonly leader: string;
	readonly acks: readonly Ack[];
	readonly errors: readonly {at: number; reason: string}[];
	readonly stoppedAt: number;
	readonly startedAt: number;
	readonly promoted: readonly string[];
	readonly leaderAfter: string | null;
	readonly firstSeq: number;
	readonly endAt: number;
}

export function failsafeFigures(input: FailsafeInput): FailsafeFigures {
	const during = input.acks.filter(ack => ack.at >= input.stoppedAt && ack.at <= input.startedAt);
	const inWindow = input.acks.filter(ack => ack.at <= input.startedAt);
	const gap = measureOutage(inWindow, input.stoppedAt);
	// A gap still open when etcd came back counts up to that moment.
	const lastAck = inWindow.at(-1)?.at ?? input.stoppedAt;
	const openGap = input.startedAt - lastAck;
	const firstError = input.errors.find(error => error.at >= input.stoppedAt && error.at <= input.startedAt);
	return {
		failsafeMode: input.failsafeMode,
		leader: input.leader,
		etcdDownAt: input.stoppedAt,
		etcdDownMs: input.startedAt - input.stoppedAt,
		ackedWhileDown: during.length,
		longestGapMs: Math.max(gap?.ms ?? 0, openGap),
		promoted: input.promoted,
		leaderAfter: input.leaderAfter,
		firstFailureMs: firstError ? firstError.at - input.stoppedAt : null,
		writes: {acked: input.acks.length, failed: input.errors.length, firstSeq: input.firstSeq, errors: errorSummary(input.errors.map(error => error.reason))},
		chart: chartOf(input.acks, {faultAt: input.stoppedAt, newLeaderAt: null, outage: undefined, endAt: input.endAt, file: 'failsafe.svg'}),
	};
}

/** A failsafe leader may pause writes for at most one retry of etcd (retry_timeout) plus the slack. */
export function failsafeGapBoundMs(retryTimeout: number): number {
	return retryTimeout * 1000 + slackMs;
}

export function failsafeChecks(figures: FailsafeFigures, retryTimeout: number): Check[] {
	const id = failsafeTestId;
	const noPromotion = check(id, figures.promoted.length === 0,
		figures.promoted.length === 0 ? 'без etcd никого не повысили: второго лидера не было' : `без etcd повышены ${figures.promoted.join(', ')}: два лидера`,
		figures.promoted.length === 0 ? 'nobody was promoted without etcd: never two leaders' : `promoted without etcd: ${figures.promoted.join(', ')}: two leaders`);
	if (!figures.failsafeMode) {
		return [noPromotion, check(id, figures.firstFailureMs !== null,
			figures.firstFailureMs !== null
				? `без failsafe_mode лидер перестал принимать запись через ${seconds(figures.firstFailureMs)} с после потери etcd (ожидаемо: включите failsafe_mode)`
				: 'без failsafe_mode лидер продолжал принимать запись без etcd (неожиданно)',
			figures.firstFailureMs !== null
				? `without failsafe_mode the leader stopped taking writes ${seconds(figures.firstFailureMs)} s after etcd was lost (as expected: turn failsafe_mode on)`
				: 'without failsafe_mode the leader kept taking writes without etcd (unexpected)')];
	}

	const bound = failsafeGapBoundMs(retryTimeout);
	return [
		noPromotion,
		check(id, figures.ackedWhileDown > 0 && figures.longestGapMs !== null && figures.longestGapMs <= bound,
			`с failsafe_mode запись шла без etcd: подтверждено ${figures.ackedWhileDown}, самый длинный перерыв ${seconds(figures.longestGapMs)} с (граница ${seconds(bound)} с)`,
			`with failsafe_mode writes went on without etcd: ${figures.ackedWhileDown} acknowledged, longest gap ${seconds(figures.longestGapMs)} s (bound ${seconds(bound)} s)`),
		check(id, figures.leaderAfter === figures.leader,
			`${figures.leader} остался лидером и после возвращения etcd`,
			`${figures.leader} was still the leader once etcd was back`),
	];
}
