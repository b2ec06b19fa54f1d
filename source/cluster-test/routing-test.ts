/**
 * Test 2, routing: N separate connections through the write port all land on the leader, through
 * the read port only on replicas; HAProxy's stats list the leader alone UP for writes and every
 * replica UP for reads.
 */
import {check} from './checks.ts';
import {haproxyUp, waitReady} from './cluster-view.ts';
import type {TestEnv} from './env.ts';
import type {TestRun} from './run-state.ts';
import {connectionsCommand, parseConnections, type ConnectionAnswer} from './sql.ts';

export const routingTestId = 'routing';
export const routingConnections = 20;

function tally(answers: readonly (ConnectionAnswer | undefined)[]): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const answer of answers) {
		const key = answer?.server ?? 'error';
		counts[key] = (counts[key] ?? 0) + 1;
	}

	return counts;
}

async function connect(env: TestEnv, port: number): Promise<(ConnectionAnswer | undefined)[]> {
	const result = await env.proxy.exec(connectionsCommand(port, routingConnections, env.entryHost), {
		stdin: `${env.secrets.superuserPassword}\n`, secrets: [env.secrets.superuserPassword], allowFailure: true, signal: env.signal, timeoutMs: 120_000,
	});
	return parseConnections(result.stdout);
}

export async function runRoutingTest(env: TestEnv, run: TestRun): Promise<void> {
	const ready = await waitReady(env);
	const leader = ready.view.leader!;
	const replicaHosts = ready.view.members.filter(member => member.name !== leader.name).map(member => member.host);
	const replicaNames = ready.view.members.filter(member => member.name !== leader.name).map(member => member.name).sort();
	const writes = await connect(env, env.cluster.ports.haproxyWrite);
	const reads = await connect(env, env.cluster.ports.haproxyRead);
	const up = await haproxyUp(env);
	run.routing = {
		connections: routingConnections,
		leaderHost: leader.host,
		writeTargets: tally(writes),
		readTargets: tally(reads),
		readInRecovery: reads.filter(answer => answer?.inRecovery).length,
		statsUp: {primary: up.primary, replicas: up.replicas},
	};

	const writesOk = writes.length === routingConnections && writes.every(answer => answer?.server === leader.host && !answer.inRecovery);
	const readsOk = reads.length === routingConnections && reads.every(answer => answer !== undefined && answer.inRecovery && replicaHosts.includes(answer.server));
	const describe = (counts: Record<string, number>) => Object.entries(counts).map(([server, count]) => `${server} ×${count}`).join(', ');
	const w = env.cluster.ports.haproxyWrite;
	const r = env.cluster.ports.haproxyRead;
	run.setChecks(routingTestId, [
		check(routingTestId, writesOk,
			`${routingConnections} подключений через ${w}: ${describe(run.routing.writeTargets)} (лидер ${leader.name} ${leader.host})`,
			`${routingConnections} connections through ${w}: ${describe(run.routing.writeTargets)} (leader ${leader.name} ${leader.host})`),
		check(routingTestId, readsOk,
			`${routingConnections} подключений через ${r}: ${describe(run.routing.readTargets)}, в режиме реплики ${run.routing.readInRecovery}`,
			`${routingConnections} connections through ${r}: ${describe(run.routing.readTargets)}, in recovery ${run.routing.readInRecovery}`),
		check(routingTestId, up.primary.length === 1 && up.primary[0] === leader.name && up.replicas.join(',') === replicaNames.join(','),
			`статистика HAProxy: UP для записи ${up.primary.join(', ') || 'нет'}, для чтения ${up.replicas.join(', ') || 'нет'}`,
			`HAProxy stats: UP for writes ${up.primary.join(', ') || 'none'}, for reads ${up.replicas.join(', ') || 'none'}`),
	]);
}
