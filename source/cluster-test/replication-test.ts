/**
 * Test 1, replication: a row written through the write port shows up on every replica, and the
 * leader reports each replica streaming with its lag in bytes.
 */
import {randomBytes} from 'node:crypto';
import {psql} from '../cluster/psql.ts';
import {check, seconds} from './checks.ts';
import {replicationRows, superuser, waitReady} from './cluster-view.ts';
import {markerTable, poll, proxyNow, testDatabase, type TestEnv} from './env.ts';
import type {ReplicaFigures} from './model.ts';
import type {TestRun} from './run-state.ts';
import {markerProbeCommand, parseMarkerProbe} from './sql.ts';

export const replicationTestId = 'replication';

export async function runReplicationTest(env: TestEnv, run: TestRun): Promise<void> {
	const ready = await waitReady(env);
	const leader = ready.view.leader!;
	const replicas = ready.view.members.filter(member => member.name !== leader.name);
	const token = randomBytes(8).toString('hex');
	await psql(env.proxy, superuser(env, env.entryHost, env.cluster.ports.haproxyWrite, testDatabase), `INSERT INTO ${markerTable} (token) VALUES ('${token}')`, env.signal);
	const writtenAt = await proxyNow(env);
	env.log(`row ${token} written through ${env.cluster.ports.haproxyWrite} at ${writtenAt}; looking for it on ${replicas.map(replica => replica.name).join(', ')}`);

	const visibleAt = new Map<string, number>();
	await poll(async () => {
		const pending = replicas.filter(replica => !visibleAt.has(replica.name));
		const result = await env.proxy.exec(markerProbeCommand(pending.map(replica => replica.host), env.cluster.ports.postgres, token), {
			stdin: `${env.secrets.superuserPassword}\n`, secrets: [env.secrets.superuserPassword], allowFailure: true, signal: env.signal, timeoutMs: 30_000,
		});
		const {seen, at} = parseMarkerProbe(result.stdout);
		for (const replica of pending) if (seen.get(replica.host)) visibleAt.set(replica.name, at);
		return visibleAt.size === replicas.length ? true : undefined;
	}, {timeoutMs: run.bounds.replicationVisibleMs, intervalMs: 200, signal: env.signal});

	const rows = await replicationRows(env, leader.host);
	const figures: ReplicaFigures[] = replicas.map(replica => {
		const row = rows.find(candidate => candidate.name === replica.name);
		const at = visibleAt.get(replica.name);
		return {
			name: replica.name,
			state: row?.state ?? 'absent',
			syncState: row?.syncState ?? '',
			lagBytes: row?.lagBytes ?? null,
			visibleMs: at === undefined ? null : Math.max(0, at - writtenAt),
		};
	});
	run.replication = {leader: leader.name, replicas: figures};

	const bound = seconds(run.bounds.replicationVisibleMs);
	run.setChecks(replicationTestId, figures.flatMap(replica => [
		check(replicationTestId, replica.visibleMs !== null,
			replica.visibleMs !== null ? `строка видна на ${replica.name} через ${seconds(replica.visibleMs)} с (граница ${bound} с)` : `строка не появилась на ${replica.name} за ${bound} с`,
			replica.visibleMs !== null ? `the row is visible on ${replica.name} after ${seconds(replica.visibleMs)} s (bound ${bound} s)` : `the row did not appear on ${replica.name} within ${bound} s`),
		check(replicationTestId, replica.state === 'streaming' && replica.lagBytes !== null,
			`${replica.name} в pg_stat_replication лидера: ${replica.state}, отставание ${replica.lagBytes ?? '—'} байт`,
			`${replica.name} in the leader's pg_stat_replication: ${replica.state}, lag ${replica.lagBytes ?? '—'} bytes`),
	]));
}
