/**
 * Test 5, data safety: every write the probe writer saw acknowledged during the switchover and the
 * faults must be in the table afterwards (count and checksum of the sequence numbers), and every
 * node must hold the same rows. With synchronous_mode the expected loss is 0; without it a commit
 * acknowledged by the old primary may be missing on the new one, and the number says how many.
 */
import {psql} from '../cluster/psql.ts';
import {findLost} from '../report/timeline.ts';
import {check} from './checks.ts';
import {superuser, waitReady} from './cluster-view.ts';
import {poll, probeTable, testDatabase, type TestEnv} from './env.ts';
import {seqChecksum} from './figures.ts';
import type {DataSafetyFigures} from './model.ts';
import type {TestRun} from './run-state.ts';

export const dataSafetyTestId = 'data-safety';

async function nodeRows(env: TestEnv): Promise<Record<string, number | null>> {
	const counts: Record<string, number | null> = {};
	for (const node of env.cluster.nodes) {
		const rows = await psql(env.proxy, superuser(env, node.ip, env.cluster.ports.postgres, testDatabase), `SELECT count(*) FROM ${probeTable}`, env.signal).catch(() => undefined);
		const value = Number(rows?.[0]?.[0]);
		counts[node.name] = rows && Number.isFinite(value) ? value : null;
	}

	return counts;
}

export function expandRuns(runs: readonly (readonly [number, number])[]): Set<number> {
	const seqs = new Set<number>();
	for (const [from, to] of runs) {
		for (let seq = from; seq <= to; seq++) seqs.add(seq);
	}

	return seqs;
}

export function safetyFigures(acked: readonly number[], present: ReadonlySet<number>, counts: Record<string, number | null>, expectZeroLoss: boolean): DataSafetyFigures {
	const report = findLost(acked, present);
	const ackedSet = new Set(acked);
	const presentAcked = acked.filter(seq => present.has(seq));
	return {
		acknowledged: report.acknowledged,
		present: report.present,
		lost: report.lost.length,
		lostSample: report.lost.slice(0, 20),
		tableRows: present.size,
		unacknowledgedPresent: [...present].filter(seq => !ackedSet.has(seq)).length,
		ackedChecksum: seqChecksum(acked),
		presentChecksum: seqChecksum(presentAcked),
		nodeRows: counts,
		expectZeroLoss,
	};
}

export async function runDataSafetyTest(env: TestEnv, run: TestRun): Promise<void> {
	await waitReady(env);
	const acked = run.allAcked();
	const target = superuser(env, env.entryHost, env.cluster.ports.haproxyWrite, testDatabase);
	// Runs of consecutive numbers (a handful of lines) instead of one line per row.
	const runs = await psql(env.proxy, target, `SELECT min(seq), max(seq) FROM (SELECT seq, seq - row_number() OVER (ORDER BY seq) AS island FROM ${probeTable}) runs GROUP BY island ORDER BY 1`, env.signal);
	const present = expandRuns(runs.map(([from, to]) => [Number(from), Number(to)]));
	const [summary] = await psql(env.proxy, target, `SELECT count(*), md5(coalesce(string_agg(seq::text, ',' ORDER BY seq), '')) FROM ${probeTable}`, env.signal);
	const transferred = Number(summary?.[0]) === present.size && summary?.[1] === seqChecksum(present);
	// Replicas replay asynchronously: wait (bounded) until every node holds the leader's rows.
	const counts = await poll(async () => {
		const current = await nodeRows(env);
		return Object.values(current).every(count => count === present.size) ? current : undefined;
	}, {timeoutMs: 60_000, intervalMs: 2000, signal: env.signal}) ?? await nodeRows(env);

	const figures = safetyFigures(acked, present, counts, env.cluster.synchronousMode);
	run.dataSafety = figures;
	const sync = env.cluster.synchronousMode;
	const countsText = Object.entries(counts).map(([node, count]) => `${node} ${count ?? '—'}`).join(', ');
	run.setChecks(dataSafetyTestId, [
		check(dataSafetyTestId, figures.acknowledged > 0 && transferred,
			`подтверждено записей: ${figures.acknowledged}, в таблице строк: ${figures.tableRows} (из них без подтверждения: ${figures.unacknowledgedPresent})`,
			`acknowledged writes: ${figures.acknowledged}, table rows: ${figures.tableRows} (of them unacknowledged: ${figures.unacknowledgedPresent})`),
		check(dataSafetyTestId, sync ? figures.lost === 0 : true,
			`потеряно подтверждённых записей: ${figures.lost}${figures.lost > 0 ? ` (например, ${figures.lostSample.slice(0, 5).join(', ')})` : ''}; ${sync ? 'synchronous_mode включён: допустимо 0' : 'synchronous_mode выключен: асинхронная репликация может терять последние подтверждённые записи'}; контрольная сумма ${figures.ackedChecksum === figures.presentChecksum ? 'совпадает' : 'не совпадает'}`,
			`acknowledged writes lost: ${figures.lost}${figures.lost > 0 ? ` (e.g. ${figures.lostSample.slice(0, 5).join(', ')})` : ''}; ${sync ? 'synchronous_mode is on: 0 allowed' : 'synchronous_mode is off: asynchronous replication may lose the last acknowledged writes'}; checksum ${figures.ackedChecksum === figures.presentChecksum ? 'matches' : 'differs'}`),
		check(dataSafetyTestId, Object.values(counts).every(count => count === present.size),
			`строк на узлах: ${countsText}`, `rows on the nodes: ${countsText}`),
	]);
}
