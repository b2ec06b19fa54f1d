/**
 * Test 6, load: pgbench read-write through the write port and select-only through the read port,
 * in short segments, with a failover (Patroni stopped on the leader) in the middle. The figures are
 * transactions per second before, during and after, and what failed meanwhile.
 */
import {sleep} from '../core/sleep.ts';
import {randomBytes} from 'node:crypto';
import {psql} from '../cluster/psql.ts';
import {pgbenchLoopArgv, pgbenchLoopPath} from '../../templates/pgbench-loop.ts';
import {patroniRoles} from '../../templates/patroni-yml.ts';
import {shellJoin, shellQuote} from '../ssh/quote.ts';
import {haproxyRiseMs} from './bounds.ts';
import {check, seconds} from './checks.ts';
import {moveLeaderAwayFrom, readCluster, superuser} from './cluster-view.ts';
import {benchDatabase, fail, nodeByName, poll, proxyNow, settleWithin, type TestEnv} from './env.ts';
import {faults} from './faults.ts';
import type {LoadPhase, LoadSide} from './model.ts';
import {currentLsn, waitRejoined} from './observe.ts';
import type {TestRun} from './run-state.ts';
import {createDatabaseSql} from './sql.ts';

export const loadTestId = 'load';
export const loadClients = 2;
export const segmentSeconds = 2;
/** Load before the fault and after the recovery, so both rates rest on several segments. */
const steadyMs = 8000;

export interface Segment {
	readonly n: number;
	readonly start: number;
	readonly end: number;
	readonly code: number;
	readonly transactions: number;
	readonly failed: number;
	readonly aborted: number;
	readonly tps: number;
}

export function parseSegment(line: string): Segment | undefined {
	const match = /^seg (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) ([\d.]+)$/.exec(line.trim());
	if (!match) return undefined;
	const [, n, start, end, code, transactions, failed, aborted, tps] = match.map(Number) as number[];
	return {n: n!, start: start!, end: end!, code: code!, transactions: transactions!, failed: failed!, aborted: aborted!, tps: tps!};
}

export function phaseOf(segments: readonly Segment[]): LoadPhase {
	const transactions = segments.reduce((sum, segment) => sum + segment.transactions, 0);
	const ms = segments.reduce((sum, segment) => sum + Math.max(0, segment.end - segment.start), 0);
	return {
		segments: segments.length,
		transactions,
		seconds: Math.round(ms / 100) / 10,
		tps: ms > 0 ? Math.round((transactions / (ms / 1000)) * 10) / 10 : 0,
		failedSegments: segments.filter(segment => segment.code !== 0).length,
		abortedClients: segments.reduce((sum, segment) => sum + segment.aborted, 0),
		failedTransactions: segments.reduce((sum, segment) => sum + segment.failed, 0),
	};
}

/** before: ended by the fault; after: started once writes worked again; during: the rest. */
export function splitSegments(segments: readonly Segment[], faultAt: number, recoveredAt: number | null): {before: Segment[]; during: Segment[]; after: Segment[]} {
	const before = segments.filter(segment => segment.end <= faultAt);
	const after = recoveredAt === null ? [] : segments.filter(segment => segment.start >= recoveredAt);
	const during = segments.filter(segment => !before.includes(segment) && !after.includes(segment));
	return {before, during, after};
}

export function sideOf(port: number, segments: readonly Segment[], faultAt: number, recoveredAt: number | null): LoadSide {
	const parts = splitSegments(segments, faultAt, recoveredAt);
	return {port, before: phaseOf(parts.before), during: phaseOf(parts.during), after: phaseOf(parts.after)};
}

class PgbenchLoop {
	readonly segments: Segment[] = [];
	readonly reasons: string[] = [];
	readonly done: Promise<void>;

	constructor(env: TestEnv, mode: 'rw' | 'ro', port: number, stopFile: string) {
		const argv = pgbenchLoopArgv({
			pgbench: `${env.pgBinDir}/pgbench`, host: env.entryHost, port, user: patroniRoles.superuser, database: benchDatabase, mode,
			clients: loadClients, segmentSeconds, maxSegments: 200, maxSeconds: 240, stopFile,
		});
		this.done = env.proxy.exec(`bash ${pgbenchLoopPath} ${shellJoin(argv)}`, {
			stdin: `${env.secrets.superuserPassword}\n`,
			secrets: [env.secrets.superuserPassword],
			signal: env.signal,
			allowFailure: true,
			timeoutMs: 300_000,
			onLine: (line, stream) => {
				if (stream !== 'stdout') return;
				const segment = parseSegment(line);
				if (segment) this.segments.push(segment);
				else if (line.startsWith('why ')) this.reasons.push(line.slice(4));
			},
		}).then(() => undefined, error => env.log(`pgbench loop: ${error instanceof Error ? error.message : String(error)}`));
	}
}

export async function runLoadTest(env: TestEnv, run: TestRun): Promise<void> {
	const admin = superuser(env, env.entryHost, env.cluster.ports.haproxyWrite);
	await psql(env.proxy, admin, createDatabaseSql(benchDatabase), env.signal);
	env.log(`pgbench -i -s 1 ${benchDatabase} through ${env.cluster.ports.haproxyWrite}`);
	await env.proxy.exec(`sh -c ${shellQuote(`IFS= read -r PGPASSWORD; export PGPASSWORD PGCONNECT_TIMEOUT=5; exec ${env.pgBinDir}/pgbench -h ${env.entryHost} -p ${env.cluster.ports.haproxyWrite} -U ${patroniRoles.superuser} -i -s 1 -q ${benchDatabase}`)}`, {
		stdin: `${env.secrets.superuserPassword}\n`, secrets: [env.secrets.superuserPassword], signal: env.signal, timeoutMs: 300_000,
	});

	const ready = await moveLeaderAwayFrom(env, env.proxyNode.name);
	const victim = nodeByName(env.cluster, ready.view.leader!.name);
	const stopFile = `/tmp/pgha-load-${randomBytes(6).toString('hex')}.stop`;
	const rw = new PgbenchLoop(env, 'rw', env.cluster.ports.haproxyWrite, stopFile);
	const ro = new PgbenchLoop(env, 'ro', env.cluster.ports.haproxyRead, stopFile);
	let faultAt = 0;
	let newLeaderAt: number | null = null;
	let newLeader: string | null = null;
	let recoveredAt: number | null = null;
	let injected = false;
	let targetLsn: string | undefined;
	try {
		const steady = await poll(async () => (rw.segments.filter(s => s.code === 0).length >= 3 && ro.segments.filter(s => s.code === 0).length >= 3 ? true : undefined), {timeoutMs: 60_000, intervalMs: 250, signal: env.signal});
		if (!steady) {
			throw fail(`pgbench не работает через HAProxy: ${[...rw.reasons, ...ro.reasons].at(-1) ?? 'нет ответа'}`, `pgbench does not run through HAProxy: ${[...rw.reasons, ...ro.reasons].at(-1) ?? 'no answer'}`);
		}

		await sleep(Math.max(0, steadyMs - 3 * segmentSeconds * 1000), env.signal);
		faultAt = await proxyNow(env);
		injected = true;
		env.log(`load: stopping Patroni on the leader ${victim.name} under load`);
		const stopping = faults.graceful.inject(env, victim);
		const view = await poll(async () => {
			const current = await readCluster(env, [victim.name]);
			return current?.leader && current.leader.name !== victim.name && current.leader.state === 'running' ? current : undefined;
		}, {timeoutMs: run.bounds.gracefulMs + 60_000, intervalMs: 250, signal: env.signal});
		await stopping;
		newLeaderAt = view?.at ?? null;
		newLeader = view?.leader?.name ?? null;
		if (view) {
			const firstOk = await poll(async () => rw.segments.find(s => s.start >= view.at && s.code === 0 && s.transactions > 0),
				{timeoutMs: haproxyRiseMs(run.settings) + 60_000, intervalMs: 250, signal: env.signal});
			recoveredAt = firstOk?.start ?? null;
			targetLsn = await currentLsn(env, view.leader!.host);
		}

		if (recoveredAt !== null) await sleep(steadyMs, env.signal);
	} finally {
		await env.proxy.exec(`touch ${stopFile}`, {allowFailure: true, signal: env.signal, timeoutMs: 15_000});
		await settleWithin(Promise.all([rw.done, ro.done]), (segmentSeconds + 30) * 1000, env.signal);
		await env.proxy.exec(`rm -f ${stopFile}`, {allowFailure: true, signal: env.signal, timeoutMs: 15_000});
		if (injected) await faults.graceful.restore(env, victim);
	}

	const rejoinedAt = newLeader ? await waitRejoined(env, victim.name, targetLsn, run.bounds.rejoinMs) : undefined;
	const readWrite = sideOf(env.cluster.ports.haproxyWrite, rw.segments, faultAt, recoveredAt);
	const readOnly = sideOf(env.cluster.ports.haproxyRead, ro.segments, faultAt, recoveredAt);
	run.load = {victim: victim.name, newLeader, faultAt, newLeaderAt, clients: loadClients, segmentSeconds, readWrite, readOnly};
	const describe = (side: LoadSide, ru: boolean) => ru
		? `до ${side.before.tps}, во время ${side.during.tps}, после ${side.after.tps} tps; сегментов с ошибкой ${side.before.failedSegments + side.during.failedSegments + side.after.failedSegments}, оборванных клиентов ${side.during.abortedClients + side.before.abortedClients + side.after.abortedClients}`
		: `before ${side.before.tps}, during ${side.during.tps}, after ${side.after.tps} tps; failed segments ${side.before.failedSegments + side.during.failedSegments + side.after.failedSegments}, aborted clients ${side.during.abortedClients + side.before.abortedClients + side.after.abortedClients}`;
	const recoveredIn = recoveredAt !== null ? seconds(recoveredAt - faultAt) : '—';
	run.setChecks(loadTestId, [
		check(loadTestId, newLeader !== null && recoveredAt !== null,
			recoveredAt !== null ? `под нагрузкой: новый лидер ${newLeader}, запись через ${env.cluster.ports.haproxyWrite} снова идёт через ${recoveredIn} с` : 'под нагрузкой запись не восстановилась',
			recoveredAt !== null ? `under load: new leader ${newLeader}, writes through ${env.cluster.ports.haproxyWrite} work again after ${recoveredIn} s` : 'under load, writes did not recover'),
		check(loadTestId, readWrite.before.tps > 0 && readWrite.after.tps > 0,
			`чтение-запись (${readWrite.port}): ${describe(readWrite, true)}`, `read-write (${readWrite.port}): ${describe(readWrite, false)}`),
		check(loadTestId, readOnly.before.tps > 0 && readOnly.after.tps > 0,
			`только чтение (${readOnly.port}): ${describe(readOnly, true)}`, `read-only (${readOnly.port}): ${describe(readOnly, false)}`),
		check(loadTestId, rejoinedAt !== undefined,
			rejoinedAt !== undefined ? `${victim.name} снова реплика` : `${victim.name} не вернулся репликой`,
			rejoinedAt !== undefined ? `${victim.name} is a replica again` : `${victim.name} did not come back as a replica`),
	]);
}
