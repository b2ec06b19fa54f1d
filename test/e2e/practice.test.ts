/**
 * `pgha practice` on a real cluster (issue 16, item 2): built once with `pgha apply`, then for every
 * scenario the lab can host, practice breaks it, doctor names exactly that cause on exactly that node
 * (no other finding), the fix a student would type makes `practice check` pass, and doctor is clean
 * again. Also: a sick cluster is refused, and `practice undo` puts a scenario back. Last, etcd is
 * moved the guide's way (~/etcdN.conf, data in the home folder, nohup in the student's SSH session):
 * doctor is clean, names that etcd when it dies with the guide's own start line, and practice works.
 * The doctor times are logged per scenario for the note. About 12 minutes of lab time.
 * This is doctor's lab test too: each scenario is a fault doctor must name exactly.
 *
 * The tests share one cluster and run in order; each depends on the install of the first.
 */
import test, {type ExecutionContext} from 'ava';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import type {DoctorJson} from '../../source/doctor/render.ts';
import type {ClusterConfig} from '../../source/core/cluster.ts';
import {loadClusterFile} from '../../source/config/load.ts';
import {contextOf} from '../../source/practice/flow.ts';
import type {Progress} from '../../source/practice/progress.ts';
import {expectedFindings, findScenario, rootScript, scenarios, type Scenario} from '../../source/practice/scenarios.ts';
import {labExec, labSsh, requireLab, useLab} from '../helpers/lab.ts';
import {makeWorkdir, readSecrets, runPgha, waitUntil, type Workdir} from '../helpers/e2e.ts';

useLab(test);

let work: Workdir | undefined;
let cluster: ClusterConfig | undefined;
let installed = false;
const timings: string[] = [];

test.after.always(async () => {
	// A scenario left broken by a failed test is put back before the folder goes.
	if (work && progress()?.current) await runPgha({cwd: work.dir, home: work.home, args: ['practice', 'undo'], timeoutMs: 180_000});
	if (timings.length > 0) console.log(`doctor per scenario:\n${timings.join('\n')}`);
	work?.remove();
});

interface DoctorRun {
	readonly code: number;
	readonly report: DoctorJson;
	readonly ms: number;
}

async function doctor(): Promise<DoctorRun> {
	const result = await runPgha({cwd: work!.dir, home: work!.home, args: ['doctor', '--json'], timeoutMs: 120_000});
	try {
		return {code: result.code, report: JSON.parse(result.stdout) as DoctorJson, ms: result.ms};
	} catch {
		throw new Error(`pgha doctor --json printed no JSON (exit ${result.code}): ${result.stdout.slice(-800)}\n${result.stderr.slice(-800)}`);
	}
}

// Sorted: doctor's order of findings is by rule, not the scenario's cause-first order.
const said = (report: DoctorJson): string[] => report.findings.map(item => `${item.rule}@${item.node ?? 'cluster'}`).sort();

/** Runs doctor until it says exactly `expected` (a fault takes a Patroni loop or two to show), at most ~60 s. */
async function doctorSays(t: ExecutionContext, expected: readonly string[]): Promise<DoctorRun> {
	let last: DoctorRun | undefined;
	await waitUntil(async () => {
		last = await doctor();
		return JSON.stringify(said(last.report)) === JSON.stringify([...expected].sort()) ? true : undefined;
	}, {attempts: 12, intervalMs: 3000});
	if (!last) throw new Error('pgha doctor --json never printed its JSON report');
	t.log(`doctor: exit ${last.code} in ${(last.ms / 1000).toFixed(1)} s: ${said(last.report).join(', ') || 'clean'}`);
	t.deepEqual(said(last.report), [...expected].sort(), JSON.stringify(last.report.findings, null, 2));
	t.is(last.code, expected.length === 0 ? 0 : 1);
	return last;
}

function needsCluster(t: ExecutionContext): boolean {
	if (!requireLab(t)) return false;
	if (installed) return true;
	t.fail('the install test did not complete; nothing to check');
	return false;
}

function progress(): Progress | undefined {
	try {
		return JSON.parse(readFileSync(join(work!.dir, '.pgha', 'practice.json'), 'utf8')) as Progress;
	} catch {
		return undefined;
	}
}

const nodeNumber = (name: string): number => Number(/(\d+)$/.exec(name)![1]);

async function practice(...args: string[]) {
	return runPgha({cwd: work!.dir, home: work!.home, args: ['practice', ...args], timeoutMs: 240_000});
}

test.serial('a cluster pgha built: doctor clean (JSON and Russian text), the catalog lists the scenarios', async t => {
	if (!requireLab(t)) return;
	t.timeout(15 * 60_000);
	work = makeWorkdir('practice');
	const apply = await runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes']});
	t.log(`pgha apply: exit ${apply.code} after ${(apply.ms / 1000).toFixed(1)} s`);
	t.is(apply.code, 0, apply.stdout.split('\n').slice(-30).join('\n') + apply.stderr);
	if (apply.code !== 0) return;
	cluster = (await loadClusterFile(work.clusterFile)).config;
	installed = true;
	const clean = await doctorSays(t, []);
	t.true(clean.report.clean);
	t.true(clean.report.nodes.every(node => node.reached));
	// The text form says the same, in the language asked for.
	const text = await runPgha({cwd: work.dir, home: work.home, args: ['doctor', '--lang', 'ru'], timeoutMs: 120_000});
	t.is(text.code, 0, text.stderr);
	t.regex(text.stdout, /проблем не найдено/);
	const list = await practice('--list');
	t.is(list.code, 0);
	t.regex(list.stdout, /^paused\s/m);
});

test.serial('a cluster with a problem is not broken further: refused, nothing recorded', async t => {
	if (!needsCluster(t)) return;
	t.timeout(4 * 60_000);
	await labExec(3, 'systemctl stop etcd');
	try {
		await doctorSays(t, ['etcd-down@pg-node-3']);
		const run = await practice('--scenario', 'paused');
		t.is(run.code, 1, run.stdout + run.stderr);
		t.regex(run.stdout, /not healthy/);
		t.is(progress()?.current, undefined);
	} finally {
		await labExec(3, 'systemctl start etcd');
	}

	await doctorSays(t, []);
});

test.serial('practice undo puts a scenario back; the attempt is recorded with no points', async t => {
	if (!needsCluster(t)) return;
	t.timeout(5 * 60_000);
	const start = await practice('--scenario', 'etcd-v2');
	t.is(start.code, 0, start.stdout + start.stderr);
	const hint = await practice('hint');
	t.regex(hint.stdout, /Hint 1 of 3/);
	const undo = await practice('undo');
	t.is(undo.code, 0, undo.stdout + undo.stderr);
	await doctorSays(t, []);
	t.like(progress()?.attempts.at(-1), {scenario: 'etcd-v2', outcome: 'undone', hints: 1, points: 0});
});

/** One scenario from break to solved. */
async function solve(t: ExecutionContext, scenario: Scenario): Promise<void> {
	const start = await practice('--scenario', scenario.name);
	t.is(start.code, 0, start.stdout + start.stderr);
	if (start.code !== 0) return;
	t.true(start.stdout.includes(scenario.symptom.en), start.stdout);
	const current = progress()!.current!;
	const broken = await doctorSays(t, expectedFindings(scenario, current.node));
	timings.push(`${scenario.name.padEnd(22)} ${(broken.ms / 1000).toFixed(1)} s  ${said(broken.report).join(', ')}`);

	// Not solved while broken.
	const early = await practice('check');
	t.is(early.code, 1, early.stdout);

	const context = contextOf(cluster!, current);
	const fix = await labExec(nodeNumber(current.node), rootScript(scenario.fix(context)), {input: `${readSecrets(work!)['replication_password']}\n`, timeoutMs: 120_000});
	t.is(fix.code, 0, `${current.node}: ${fix.stdout}\n${fix.stderr}`);

	// The walreceiver and HAProxy's checks need a few seconds to notice.
	let check: Awaited<ReturnType<typeof practice>> | undefined;
	await waitUntil(async () => {
		check = await practice('check');
		return check.code === 0 ? true : undefined;
	}, {attempts: 12, intervalMs: 5000});
	t.is(check?.code, 0, check ? check.stdout + check.stderr : 'no check ran');
	t.regex(check?.stdout ?? '', /Solved in \d+ s/);
	t.is(progress()?.current, undefined);
	await doctorSays(t, []);
}

for (const scenario of scenarios) {
	test.serial(`scenario ${scenario.name}: doctor names ${scenario.finding} on the right node only; the student's fix passes practice check`, async t => {
		if (!needsCluster(t)) return;
		t.timeout(8 * 60_000);
		try {
			await solve(t, scenario);
		} finally {
			if (progress()?.current) {
				const undo = await practice('undo');
				t.log(`undo after a failure: exit ${undo.code}`);
			}
		}
	});
}


/** The guide's etcd on node i: pgha's member moved into the student's home and started with nohup over SSH. */
async function etcdTheGuidesWay(t: ExecutionContext, node: number): Promise<void> {
	const home = '/home/student';
	const moved = await labExec(node, [
		'set -e',
		'systemctl disable --now etcd',
		"d=$(awk '/^data-dir:/ {print $2}' /etc/etcd/etcd.conf.yml)",
		`mkdir -p ${home}/etcd-data${node} && cp -a "$d"/. ${home}/etcd-data${node}/`,
		`sed "s#^data-dir:.*#data-dir: ${home}/etcd-data${node}#" /etc/etcd/etcd.conf.yml > ${home}/etcd${node}.conf`,
		`chown -R student: ${home}/etcd-data${node} ${home}/etcd${node}.conf && chmod 700 ${home}/etcd-data${node}`,
	].join('\n'), {timeoutMs: 60_000});
	t.is(moved.code, 0, moved.stderr);
	const started = await labSsh(node, `nohup etcd --config-file ~/etcd${node}.conf > ~/etcd${node}.log 2>&1 < /dev/null &`, {timeoutMs: 30_000});
	t.is(started.code, 0, started.stderr);
	const healthy = await waitUntil(async () => ((await labExec(node, 'ETCDCTL_API=3 etcdctl --endpoints=http://127.0.0.1:2379 endpoint health')).code === 0 ? true : undefined), {attempts: 30, intervalMs: 1000});
	t.truthy(healthy, `the hand-started etcd on node ${node} is healthy`);
}

test.serial('etcd started by hand the guide\'s way: doctor clean; one dies, doctor gives the guide\'s start line, which works; practice works there', async t => {
	if (!needsCluster(t)) return;
	t.timeout(10 * 60_000);
	// One member at a time, so etcd keeps its quorum and Patroni its leader throughout.
	for (const node of [1, 2, 3]) await etcdTheGuidesWay(t, node);
	t.regex((await labExec(3, 'systemctl is-enabled etcd || true')).stdout, /disabled/);
	await doctorSays(t, []);

	await labExec(3, 'pkill -x etcd');
	const down = await doctorSays(t, ['etcd-down@pg-node-3']);
	const found = down.report.findings[0]!;
	t.regex(found.cause.en, /started by hand with \/home\/student\/etcd3\.conf/);
	const start = found.fix[0]!;
	t.is(start, 'nohup etcd --config-file /home/student/etcd3.conf >> /home/student/etcd3.log 2>&1 < /dev/null &');
	// The line as printed, typed by the student in their own SSH session.
	const typed = await labSsh(3, start, {timeoutMs: 30_000});
	t.is(typed.code, 0, typed.stderr);
	await doctorSays(t, []);

	await solve(t, findScenario('paused')!);
});
