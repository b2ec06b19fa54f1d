/**
 * Stage 9, test: proves the cluster survives failures, with the outage measured. Every step runs on
 * the HAProxy node (the probe writer, pgbench, psql and curl run there, on one clock) and always
 * runs (check() is false): a test result is never taken from an earlier run. The measuring lives
 * in source/cluster-test/; a step only wires a test to the engine and fails when a bound is broken.
 *
 * Steps share the run's figures through a TestRun found by the engine's AbortSignal; each test
 * rewrites the report folder, so a run that stops early still leaves what it measured.
 */
import type {ClusterConfig} from '../source/core/cluster.ts';
import {type Lang} from '../source/core/text.ts';
import {check} from '../source/cluster-test/checks.ts';
import {waitReady} from '../source/cluster-test/cluster-view.ts';
import {benchDatabase, fail, markerTable, probeTable, testDatabase, TestFailure, type TestEnv} from '../source/cluster-test/env.ts';
import {failoverTestId, runFailoverTest} from '../source/cluster-test/failover-test.ts';
import {runEntryFaultTest} from '../source/cluster-test/entry-test.ts';
import {failsafeTestId, runFailsafeTest} from '../source/cluster-test/failsafe-test.ts';
import {faults} from '../source/cluster-test/faults.ts';
import {loadClients, loadTestId, runLoadTest, segmentSeconds} from '../source/cluster-test/load-test.ts';
import type {FaultKind, TestReport} from '../source/cluster-test/model.ts';
import {replicationTestId, runReplicationTest} from '../source/cluster-test/replication-test.ts';
import {renderSummary} from '../source/cluster-test/report-render.ts';
import {writeReport, type ReportFiles} from '../source/cluster-test/report-files.ts';
import {routingConnections, routingTestId, runRoutingTest} from '../source/cluster-test/routing-test.ts';
import {TestRuns, type TestRun} from '../source/cluster-test/run-state.ts';
import {dataSafetyTestId, runDataSafetyTest} from '../source/cluster-test/safety-test.ts';
import {createDatabaseSql, prepareTablesSql} from '../source/cluster-test/sql.ts';
import {runSwitchoverTest, switchoverTestId} from '../source/cluster-test/switchover-test.ts';
import {explainOf, testTexts, type TestKey} from '../source/cluster-test/texts.ts';
import {psql} from '../source/cluster/psql.ts';
import {superuser} from '../source/cluster-test/cluster-view.ts';
import {pgbenchLoopPath, renderPgbenchLoop} from '../templates/pgbench-loop.ts';
import {probeWriterPath, renderProbeWriter} from '../templates/probe-writer.ts';
import {drillMonitorPath, renderDrillMonitor} from '../templates/drill-monitor.ts';
import {haproxyStatsUri, haproxyStatsUser} from '../templates/haproxy-cfg.ts';
import {patroniNamespace, patroniRoles, restApiUser} from '../templates/patroni-yml.ts';
import type {Action, PlanContext, Stage, Step, StepContext, Text} from './types.ts';
import {probe, runAction, shq, text, writeAction} from './commands.ts';
import {ensurePgMajor} from './facts.ts';
import {patroniBinDir, patroniVenvDir, pgBinDir} from './layout.ts';
import {haproxyNode} from './render.ts';
import {severalHaproxies} from '../source/cluster/front-door.ts';

export interface TestStageHooks {
	/** Called whenever the report files are (re)written, with the figures so far. */
	readonly onReport?: (report: TestReport, files: ReportFiles) => void;
	/** Language of the summary written to the run log at the end (default English). */
	readonly lang?: Lang;
	/** Only these tests (report ids such as failover-poweroff, failsafe); all when absent. */
	readonly only?: readonly string[];
	/** An outage limit the student set (pgha test --max-outage): longer fails even when correct. */
	readonly maxOutageMs?: number;
}

const scratchDir = '/usr/local/lib/pgha';

/** The Python that has psycopg2: Patroni's venv, or the system one with the distro package. */
export function probePython(cluster: ClusterConfig): string {
	return cluster.patroni.source === 'venv' ? `${patroniVenvDir}/bin/python3` : '/usr/bin/python3';
}

async function envOf(ctx: StepContext): Promise<TestEnv> {
	const major = await ensurePgMajor(ctx);
	return {
		cluster: ctx.cluster,
		secrets: ctx.secrets,
		proxy: ctx.remote,
		proxyNode: ctx.node,
		entryHost: ctx.cluster.haproxy.vip ?? '127.0.0.1',
		remotes: ctx.remotes,
		log: ctx.log,
		...(ctx.panel ? {panel: ctx.panel} : {}),
		signal: ctx.signal,
		pgBinDir: pgBinDir(major),
		patroniBinDir: patroniBinDir(ctx.cluster),
		python: probePython(ctx.cluster),
	};
}

/** psql as a student would type it on the HAProxy node (it asks for the password). */
function psqlLine(host: string, port: number | string, database: string, sql: string): string {
	return `psql -h ${host} -p ${port} -U ${patroniRoles.superuser} -d ${database} -c ${shq(sql)}`;
}

/** Where the runbook's commands connect: the VIP, or HAProxy on the node they are typed on. */
function planEntry(ctx: PlanContext): string {
	return ctx.cluster.haproxy.vip ?? '127.0.0.1';
}

function manual(command: string): Action {
	return runAction(command, {sudo: false});
}

/** Plans are what the runbook prints: the commands to do the same test by hand. */
const plans: Record<string, (ctx: PlanContext) => Action[]> = {
	prepare: ctx => [
		runAction(`install -d -m 0755 ${scratchDir}`),
		writeAction(probeWriterPath, renderProbeWriter(), 0o644),
		writeAction(drillMonitorPath, renderDrillMonitor(), 0o644),
		writeAction(pgbenchLoopPath, renderPgbenchLoop(), 0o755),
		manual(psqlLine(planEntry(ctx), ctx.cluster.ports.haproxyWrite, 'postgres', `CREATE DATABASE ${testDatabase}`)),
	],
	replication: ctx => [
		manual(psqlLine(planEntry(ctx), ctx.cluster.ports.haproxyWrite, testDatabase, `INSERT INTO ${markerTable} (token) VALUES ('hello')`)),
		manual(psqlLine('<replica-ip>', ctx.cluster.ports.postgres, testDatabase, `SELECT * FROM ${markerTable} WHERE token = 'hello'`)),
		manual(psqlLine('<leader-ip>', ctx.cluster.ports.postgres, 'postgres', 'SELECT application_name, state, sync_state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS lag_bytes FROM pg_stat_replication')),
	],
	routing: ctx => [
		manual(`for i in $(seq 1 ${routingConnections}); do ${psqlLine(planEntry(ctx), ctx.cluster.ports.haproxyWrite, 'postgres', 'select inet_server_addr(), pg_is_in_recovery()')} -XAt; done`),
		manual(`for i in $(seq 1 ${routingConnections}); do ${psqlLine(planEntry(ctx), ctx.cluster.ports.haproxyRead, 'postgres', 'select inet_server_addr(), pg_is_in_recovery()')} -XAt; done`),
		manual(`curl -u ${haproxyStatsUser} ${shq(`http://127.0.0.1:${ctx.cluster.ports.haproxyStats}${haproxyStatsUri};csv`)}`),
	],
	switchover: ctx => [
		manual(`curl -u ${restApiUser} -X POST -H 'Content-Type: application/json' -d '{"leader": "<leader>", "candidate": "<replica>"}' http://<leader-ip>:${ctx.cluster.ports.patroniApi}/switchover`),
		manual(`curl -s -o /dev/null -w '%{http_code}\\n' http://<node-ip>:${ctx.cluster.ports.patroniApi}/primary`),
		manual(`curl -s -o /dev/null -w '%{http_code}\\n' http://<node-ip>:${ctx.cluster.ports.patroniApi}/replica`),
	],
	failsafe: ctx => [
		manual(`python3 ${probeWriterPath}  # settings as one JSON line on stdin; runs while etcd is down`),
		manual('for node in <every node>; do ssh $node sudo systemctl stop etcd; done'),
		manual(`curl -s http://<node-ip>:${ctx.cluster.ports.patroniApi}/patroni  # role stays primary on the leader, replica elsewhere`),
		manual('for node in <every node>; do ssh $node sudo systemctl start --no-block etcd; done'),
	],
	dataSafety: ctx => [
		manual(psqlLine(planEntry(ctx), ctx.cluster.ports.haproxyWrite, testDatabase, `SELECT count(*), md5(string_agg(seq::text, ',' ORDER BY seq)) FROM ${probeTable}`)),
	],
	load: ctx => [
		manual(`pgbench -h ${planEntry(ctx)} -p ${ctx.cluster.ports.haproxyWrite} -U ${patroniRoles.superuser} -i -s 1 ${benchDatabase}`),
		manual(`pgbench -h ${planEntry(ctx)} -p ${ctx.cluster.ports.haproxyWrite} -U ${patroniRoles.superuser} -n -c ${loadClients} -T ${segmentSeconds} ${benchDatabase}`),
		manual(`pgbench -h ${planEntry(ctx)} -p ${ctx.cluster.ports.haproxyRead} -U ${patroniRoles.superuser} -n -S -c ${loadClients} -T ${segmentSeconds} ${benchDatabase}`),
	],
};

function faultPlan(kind: FaultKind): (ctx: PlanContext) => Action[] {
	return ctx => [
		manual(`etcdctl watch ${patroniNamespace}${ctx.cluster.name}/leader  # in a second terminal: the leader key leaving and changing hands, as it happens`),
		manual(`python3 ${drillMonitorPath}  # pgha's watcher: the leader key's TTL, each node's role, HAProxy's view, twice a second`),
		manual(`python3 ${probeWriterPath}  # settings as one JSON line on stdin; runs while the leader is lost`),
		manual(faults[kind].manual.inject),
		manual(`curl -s http://<replica-ip>:${ctx.cluster.ports.patroniApi}/cluster`),
		manual(`curl -s http://<replica-ip>:${ctx.cluster.ports.patroniApi}/history`),
		manual(faults[kind].manual.restore),
	];
}

/** Every test the stage runs, in order, with the key of its texts and its id in the report. */
interface TestDefinition {
	readonly key: TestKey;
	readonly id: string;
	/** What a student types after `pgha test --only`: a fault by its kind (kill, poweroff), any other test by its id. */
	readonly choice: string;
	readonly plan: (ctx: PlanContext) => Action[];
	readonly run: (env: TestEnv, run: TestRun) => Promise<void>;
}

const faultKinds: readonly FaultKind[] = ['graceful', 'kill', 'poweroff', 'cut', 'entry-haproxy', 'entry-poweroff'];

function runFault(kind: FaultKind): (env: TestEnv, run: TestRun) => Promise<void> {
	return faults[kind].target === 'entry' ? (env, run) => runEntryFaultTest(env, run, kind) : (env, run) => runFailoverTest(env, run, kind);
}

const tests: readonly TestDefinition[] = [
	{key: 'replication', id: replicationTestId, choice: replicationTestId, plan: plans.replication!, run: runReplicationTest},
	{key: 'routing', id: routingTestId, choice: routingTestId, plan: plans.routing!, run: runRoutingTest},
	{key: 'switchover', id: switchoverTestId, choice: switchoverTestId, plan: plans.switchover!, run: runSwitchoverTest},
	...faultKinds.map(kind => ({key: kind, id: failoverTestId(kind), choice: kind, plan: faultPlan(kind), run: runFault(kind)})),
	// etcd stopped everywhere comes last among the faults: Patroni may need a while to settle after it.
	{key: 'load', id: loadTestId, choice: loadTestId, plan: plans.load!, run: runLoadTest},
	{key: 'failsafe', id: failsafeTestId, choice: failsafeTestId, plan: plans.failsafe!, run: runFailsafeTest},
	{key: 'dataSafety', id: dataSafetyTestId, choice: dataSafetyTestId, plan: plans.dataSafety!, run: runDataSafetyTest},
];

/** Every test's report id, in the order the stage runs them. */
export const testIds: readonly string[] = tests.map(test => test.id);

/** What `pgha test --only` accepts, in the order the stage runs them (kill, poweroff, switchover, ...). */
export const testChoices: readonly string[] = tests.map(test => test.choice);

/**
 * Why a test chosen by name cannot run on this cluster (the stage would only report it skipped), or
 * undefined: a student who asked for it by name is told before the run, not after.
 */
export function whyNotHere(choice: string, cluster: ClusterConfig): Text | undefined {
	const test = tests.find(item => item.choice === choice);
	if (!test || !(test.key in faults)) return undefined;
	const fault = faults[test.key as FaultKind];
	if (fault.labOnly && !cluster.lab) {
		return text('этот отказ устраивается только в лаборатории pgha (pgha lab up): на своих ВМ выключите узел или отключите его сеть вручную', 'that fault is staged only in the pgha lab (pgha lab up): on your own VMs, power a node off or unplug its network by hand');
	}

	if (fault.target === 'entry' && (!cluster.haproxy.vip || !severalHaproxies(cluster))) {
		return text('этому отказу нужен плавающий адрес (haproxy: {nodes: all, vip: ...})', 'that fault needs a floating address (haproxy: {nodes: all, vip: ...})');
	}

	return undefined;
}

/** The report ids of the tests a student chose by name; unknown names are the command line's business. */
export function testIdsOf(choices: readonly string[]): string[] {
	return tests.filter(test => choices.includes(test.choice)).map(test => test.id);
}

function onProxy(cluster: ClusterConfig): readonly string[] {
	return [haproxyNode(cluster).name];
}

/**
 * The test stage. Each call makes a stage with its own hooks; `testStage` is the one to append to
 * the course's stages.
 */
export function createTestStage(hooks: TestStageHooks = {}): Stage {
	const runs = new TestRuns(hooks.maxOutageMs);
	const selected = hooks.only ? tests.filter(test => hooks.only!.includes(test.id)) : tests;
	const publish = async (ctx: StepContext, run: TestRun): Promise<ReportFiles | undefined> => {
		try {
			const report = run.report();
			const files = await writeReport(run.reportDir, report);
			hooks.onReport?.(report, files);
			return files;
		} catch (error) {
			// A report that cannot be written must not hide the test's own outcome.
			ctx.log(`report: ${error instanceof Error ? error.message : String(error)}`);
			return undefined;
		}
	};

	const prepareStep: Step = {
		id: 'test.prepare',
		title: testTexts.prepare.title,
		explain: explainOf('prepare'),
		scope: 'one-node',
		targets: onProxy,
		retry: {tries: 1, delayMs: 5000},
		check: async () => false,
		plan: plans.prepare!,
		async apply(ctx) {
			const run = runs.of(ctx.signal, ctx.cluster);
			const env = await envOf(ctx);
			// Every node gets the probes: a fault on one node runs them on another.
			for (const [name, remote] of ctx.remotes) {
				if (!ctx.cluster.nodes.some(node => node.name === name)) continue;
				await remote.exec(`install -d -m 0755 ${scratchDir}`, {sudo: true, signal: ctx.signal});
				await remote.upload(renderProbeWriter(), probeWriterPath, {mode: 0o644, owner: 'root', group: 'root'});
				await remote.upload(renderDrillMonitor(), drillMonitorPath, {mode: 0o644, owner: 'root', group: 'root'});
				await remote.upload(renderPgbenchLoop(), pgbenchLoopPath, {mode: 0o755, owner: 'root', group: 'root'});
				const driver = await remote.exec(`${env.python} -c 'import psycopg2'`, {allowFailure: true, signal: ctx.signal, timeoutMs: 60_000});
				if (driver.code !== 0) {
					throw fail(`${env.python} не находит psycopg2 на ${name}.`, `${env.python} cannot import psycopg2 on ${name}.`,
						text('Повторите этап установки Patroni: pgha apply --from patroni-install.', 'Run the Patroni install stage again: pgha apply --from patroni-install.'));
				}
			}

			await waitReady(env);
			const admin = superuser(env, env.entryHost, ctx.cluster.ports.haproxyWrite);
			await psql(ctx.remote, admin, createDatabaseSql(testDatabase), ctx.signal);
			await psql(ctx.remote, {...admin, database: testDatabase}, prepareTablesSql, ctx.signal);
			ctx.log(`report folder: ${run.reportDir}`);
			run.setChecks('prepare', []);
			await publish(ctx, run);
		},
		async verify(ctx) {
			const run = runs.of(ctx.signal, ctx.cluster);
			if (!run.wasMeasured('prepare')) throw notInThisRun();
			const rows = await psql(ctx.remote, {...superuser(await envOf(ctx), (await envOf(ctx)).entryHost, ctx.cluster.ports.haproxyWrite), database: testDatabase}, `SELECT count(*) FROM ${probeTable}`, ctx.signal);
			if (rows[0]?.[0] === undefined) throw fail(`таблица ${probeTable} недоступна через HAProxy.`, `the table ${probeTable} is not reachable through HAProxy.`);
		},
	};

	const testSteps: Step[] = selected.map(test => ({
		id: `test.${test.id}`,
		title: testTexts[test.key].title,
		explain: explainOf(test.key),
		scope: 'one-node',
		targets: onProxy,
		// A failed test may be skipped to see the others; the report still counts it as failed.
		safeToSkip: true,
		// A test is never repeated behind the user's back: its figure is the figure.
		retry: {tries: 0},
		check: async () => false,
		plan: test.plan,
		async apply(ctx) {
			const run = runs.of(ctx.signal, ctx.cluster);
			try {
				// The run's language reaches the lines said before each fault (the predicted outage).
				await test.run({...await envOf(ctx), ...(hooks.lang ? {lang: hooks.lang} : {})}, run);
			} catch (error) {
				if (!run.checksOf(test.id).some(item => !item.ok)) {
					const message = error instanceof TestFailure ? error.text : {ru: String((error as Error)?.message ?? error), en: String((error as Error)?.message ?? error)};
					run.setChecks(test.id, [check(test.id, false, message.ru, message.en)]);
				}

				throw error;
			} finally {
				await publish(ctx, run);
			}
		},
		async verify(ctx) {
			const run = runs.of(ctx.signal, ctx.cluster);
			if (!run.wasMeasured(test.id)) throw notInThisRun();
			const failed = run.checksOf(test.id).filter(item => !item.ok);
			if (failed.length > 0) {
				throw new TestFailure({ru: failed.map(item => item.text.ru).join('; '), en: failed.map(item => item.text.en).join('; ')});
			}
		},
	}));

	const reportStep: Step = {
		id: 'test.report',
		title: testTexts.report.title,
		explain: explainOf('report'),
		scope: 'one-node',
		targets: onProxy,
		retry: {tries: 0},
		check: async () => false,
		plan: () => [],
		async apply(ctx) {
			const run = runs.of(ctx.signal, ctx.cluster);
			for (const test of selected) {
				if (!run.wasMeasured(test.id)) run.setChecks(test.id, [check(test.id, false, `${testTexts[test.key].title.ru}: не выполнен`, `${testTexts[test.key].title.en}: did not run`)]);
			}

			run.complete = true;
			run.finishedAt = new Date().toISOString();
			const files = await publish(ctx, run);
			if (!files) throw fail('не удалось записать отчёт.', 'the report could not be written.');
			for (const line of renderSummary(run.report(), hooks.lang ?? 'en', files.markdown).split('\n')) ctx.log(line);
			run.setChecks('report', []);
		},
		async verify(ctx) {
			const run = runs.of(ctx.signal, ctx.cluster);
			if (!run.wasMeasured('report')) throw notInThisRun();
			const failed = run.report().checks.filter(item => !item.ok);
			if (failed.length > 0) {
				throw new TestFailure({
					ru: `не пройдено проверок: ${failed.length} (отчёт: ${run.reportDir})`,
					en: `${failed.length} checks failed (report: ${run.reportDir})`,
				});
			}
		},
	};

	return {
		id: 'test',
		title: text('Проверка отказоустойчивости', 'Failover testing'),
		explain: text(
			'Доказывает, что кластер переживает отказы: репликация, маршрутизация HAProxy, плановое переключение, потеря лидера несколькими способами с замером простоя, сохранность подтверждённых записей и нагрузка pgbench. Итог — отчёт с цифрами, настройками, которые их объясняют, и графиками.',
			'Proves the cluster survives failures: replication, HAProxy routing, a planned switchover, the leader lost in several ways with the outage measured, safety of acknowledged writes and pgbench load. The result is a report with the figures, the settings that explain them and charts.'),
		differsFromGuide: text(
			'В методичке проверок нет; этап повторяет приёмочные тесты самого Patroni и измеряет простой, а не просто смотрит patronictl list.',
			'The guide has no tests; this stage follows Patroni\'s own acceptance tests and measures the outage instead of just looking at patronictl list.'),
		steps: [prepareStep, ...testSteps, reportStep],
	};
}

/** verify() of a step recorded done earlier: there is no figure of this run yet, so it must run. */
function notInThisRun(): TestFailure {
	return new TestFailure({ru: 'в этом запуске проверка ещё не выполнялась.', en: 'the test has not run in this run yet.'});
}

export const testStage: Stage = createTestStage();
