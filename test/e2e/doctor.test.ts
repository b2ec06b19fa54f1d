/**
 * `pgha doctor` on a real cluster (issue 16, item 1): built once with `pgha apply`, it must find
 * nothing; then one thing at a time is broken from inside a node, as a student would break it, and
 * doctor must name exactly that cause on exactly that node (no other finding), and nothing again
 * once it is undone. About 6 minutes of lab time: the install, then four faults of under a minute.
 *
 * The tests share one cluster and run in order; each depends on the install of the first.
 */
import test, {type ExecutionContext} from 'ava';
import type {DoctorJson} from '../../source/doctor/render.ts';
import {labExec, requireLab, useLab} from '../helpers/lab.ts';
import {clusterMembers, makeWorkdir, nodeIp, nodeNumbers, runPgha, waitUntil, type Workdir} from '../helpers/e2e.ts';

useLab(test);

let work: Workdir | undefined;
let installed = false;

test.after.always(() => work?.remove());

interface DoctorRun {
	readonly code: number;
	readonly report: DoctorJson;
	readonly ms: number;
	readonly stderr: string;
}

async function doctor(): Promise<DoctorRun> {
	const result = await runPgha({cwd: work!.dir, home: work!.home, args: ['doctor', '--json'], timeoutMs: 120_000});
	let report: DoctorJson;
	try {
		report = JSON.parse(result.stdout) as DoctorJson;
	} catch {
		throw new Error(`pgha doctor --json printed no JSON (exit ${result.code}): ${result.stdout.slice(-800)}\n${result.stderr.slice(-800)}`);
	}

	return {code: result.code, report, ms: result.ms, stderr: result.stderr};
}

const said = (report: DoctorJson): string[] => report.findings.map(item => `${item.rule}@${item.node ?? 'cluster'}`);

/** Runs doctor until it says exactly `expected` (a fault takes a Patroni loop or two to show), at most ~60 s. */
async function doctorSays(t: ExecutionContext, expected: readonly string[]): Promise<DoctorRun> {
	let last: DoctorRun | undefined;
	await waitUntil(async () => {
		last = await doctor();
		return JSON.stringify(said(last.report)) === JSON.stringify(expected) ? true : undefined;
	}, {attempts: 12, intervalMs: 3000});
	if (!last) throw new Error('pgha doctor --json never printed its JSON report');
	t.log(`doctor: exit ${last!.code} in ${(last!.ms / 1000).toFixed(1)} s: ${said(last!.report).join(', ') || 'clean'}`);
	t.deepEqual(said(last!.report), [...expected], JSON.stringify(last!.report.findings, null, 2));
	t.is(last!.code, expected.length === 0 ? 0 : 1);
	return last!;
}

function needsCluster(t: ExecutionContext): boolean {
	if (!requireLab(t)) return false;
	if (installed) return true;
	t.fail('the install test did not complete; nothing to check');
	return false;
}

/** A root command on a node that must succeed. */
async function onNode(t: ExecutionContext, node: number, command: string): Promise<string> {
	const result = await labExec(node, `export PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin; ${command}`, {timeoutMs: 90_000});
	t.is(result.code, 0, `pg-node-${node}: ${command}\n${result.stdout}\n${result.stderr}`);
	return result.stdout.trim();
}

const patronictl = 'cd / && runuser -u postgres -- "$(command -v patronictl || echo /opt/patroni-venv/bin/patronictl)" -c /etc/patroni/config.yml';

async function leaderAndReplica(): Promise<{leader: number; replica: number}> {
	const members = await clusterMembers(1);
	const number = (name: string) => nodeNumbers().find(node => nodeIp(node) === members.find(member => member.name === name)?.host)!;
	const leader = members.find(member => member.role === 'Leader')!;
	const replica = members.find(member => member.role !== 'Leader')!;
	return {leader: number(leader.name), replica: number(replica.name)};
}

test.serial('a cluster pgha built: doctor finds nothing and exits 0', async t => {
	if (!requireLab(t)) return;
	t.timeout(15 * 60_000);
	work = makeWorkdir('doctor');
	const apply = await runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes']});
	t.log(`pgha apply: exit ${apply.code} after ${(apply.ms / 1000).toFixed(1)} s`);
	t.is(apply.code, 0, apply.stdout.split('\n').slice(-30).join('\n') + apply.stderr);
	if (apply.code !== 0) return;
	installed = true;
	const clean = await doctorSays(t, []);
	t.true(clean.report.clean);
	t.true(clean.report.nodes.every(node => node.reached));
	// The text form says the same, in the language asked for.
	const text = await runPgha({cwd: work.dir, home: work.home, args: ['doctor', '--lang', 'ru'], timeoutMs: 120_000});
	t.is(text.code, 0, text.stderr);
	t.regex(text.stdout, /проблем не найдено/);
});

test.serial('patronictl pause: doctor names maintenance mode for the whole cluster', async t => {
	if (!needsCluster(t)) return;
	t.timeout(4 * 60_000);
	await onNode(t, 1, `${patronictl} pause --wait`);
	try {
		const run = await doctorSays(t, ['patroni-paused@cluster']);
		t.true(run.report.findings[0]!.fix[0]!.endsWith(' resume'));
		t.is(run.report.findings[0]!.runbook.anchor, 'step-patroni.cluster');
	} finally {
		await onNode(t, 1, `${patronictl} resume --wait`);
	}

	await doctorSays(t, []);
});

test.serial('etcd stopped on one node: doctor names etcd down on that node only', async t => {
	if (!needsCluster(t)) return;
	t.timeout(4 * 60_000);
	const node = nodeNumbers().at(-1)!;
	await onNode(t, node, 'systemctl stop etcd');
	try {
		const run = await doctorSays(t, [`etcd-down@pg-node-${node}`]);
		t.true(run.report.findings[0]!.evidence.includes('systemctl is-active etcd: inactive'));
		t.true(run.report.findings[0]!.fix.includes('sudo systemctl start etcd'));
	} finally {
		await onNode(t, node, 'systemctl start etcd');
	}

	await doctorSays(t, []);
});

test.serial('the replication line removed from the leader\'s pg_hba and a replica restarted: doctor names pg_hba on the leader', async t => {
	if (!needsCluster(t)) return;
	t.timeout(5 * 60_000);
	const {leader, replica} = await leaderAndReplica();
	const hba = '"$(awk \'/^ *data_dir:/ {print $2; exit}\' /etc/patroni/config.yml)/pg_hba.conf"';
	const reload = 'cd / && runuser -u postgres -- psql -XAtqc "select pg_reload_conf()"';
	// Only the subnet line: the loopback one stays, as a student deleting "the wrong line" would leave it.
	await onNode(t, leader, `f=${hba}; cp "$f" /root/pg_hba.doctor-test && grep -v -E '^host +replication +replicator +[0-9.]+/(1[0-9]|2[0-9]) ' /root/pg_hba.doctor-test > "$f" && ${reload}`);
	try {
		await onNode(t, replica, 'systemctl restart patroni');
		const run = await doctorSays(t, [`replica-pg-hba@pg-node-${leader}`]);
		t.regex(run.report.findings[0]!.cause.en, new RegExp(`lets no replication in from pg-node-${replica}`));
	} finally {
		await onNode(t, leader, `cp /root/pg_hba.doctor-test ${hba} && rm -f /root/pg_hba.doctor-test && ${reload}`);
	}

	// The replica's walreceiver retries by itself every few seconds.
	await doctorSays(t, []);
});

test.serial('etcd: written instead of etcd3: in a Patroni file: doctor names the v2 API on that node', async t => {
	if (!needsCluster(t)) return;
	t.timeout(3 * 60_000);
	const node = 2;
	// Not restarted: the running Patroni keeps its old settings, the file is the latent fault a student leaves.
	await onNode(t, node, 'sed -i "s/^etcd3:/etcd:/" /etc/patroni/config.yml');
	try {
		const run = await doctorSays(t, [`patroni-etcd-v2@pg-node-${node}`]);
		t.regex(run.report.findings[0]!.evidence[0]!, /^\/etc\/patroni\/config\.yml:\d+: etcd:$/);
	} finally {
		await onNode(t, node, 'sed -i "s/^etcd:/etcd3:/" /etc/patroni/config.yml');
	}

	await doctorSays(t, []);
});
