/**
 * The whole course on fresh lab nodes, the way a student runs it (issue 4, "Done when"): `pgha apply`
 * killed with SIGKILL in the middle of the etcd stage and again in the middle of the Patroni stage,
 * then a run that completes. The cluster is then checked from outside, as a user would: etcd,
 * Patroni roles and streaming, HAProxy routing, the stats page, the SSH config for VS Code (issue 7),
 * a no-op second run that restarts nothing, reachability diagnoses and a node reboot.
 *
 * The tests share one cluster and run in order; each depends on the install of the first.
 */
import test, {type ExecutionContext} from 'ava';
import {existsSync, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {randomBytes} from 'node:crypto';
import {loadClusterFile} from '../../source/config/load.ts';
import {createReachabilityStage} from '../../steps/reachability.ts';
import {harness} from '../fixtures/host/run-steps.ts';
import {labCli, labExec, requireLab, runCommand, useLab} from '../helpers/lab.ts';
import {
	assertTarballEtcd, buildEtcdRelease, clusterMembers, etcdctlOnNode, httpStatus, makeWorkdir, mainPid, nodeIp, nodeNumbers, nodeOutput, outputLines,
	postmasterPid, psql, psqlValue, readSecrets, runPgha, streamingReplicas, waitUntil, writeCluster, readCluster,
	type Member, type PghaResult, type Workdir,
} from '../helpers/e2e.ts';

useLab(test);

const longTest = 15 * 60_000;
let work: Workdir | undefined;
let installed = false;

function apply(t: ExecutionContext, extra: {killAfter?: (line: string) => boolean} = {}): Promise<PghaResult> {
	return runPgha({cwd: work!.dir, home: work!.home, args: ['apply', '--yes'], ...extra}).then(result => {
		t.log(`pgha apply: exit ${result.code}${result.signal ? ` (${result.signal})` : ''} after ${(result.ms / 1000).toFixed(1)} s${result.killedAt ? `, killed at: ${result.killedAt.slice(0, 120)}` : ''}`);
		return result;
	});
}

function tail(result: PghaResult): string {
	return `${result.stdout.split('\n').slice(-25).join('\n')}\n--- stderr\n${result.stderr.split('\n').slice(-25).join('\n')}`;
}

/** Skips a test (as failed) when the install before it did not complete. */
function needsCluster(t: ExecutionContext): boolean {
	if (!requireLab(t)) return false;
	if (installed) return true;
	t.fail('the install test did not complete; nothing to check');
	return false;
}

function secrets(): Record<string, string> {
	return readSecrets(work!);
}

const superuser = () => secrets()['superuser_password']!;

test.after.always(() => work?.remove());

test.serial('apply killed in the etcd stage and again in the Patroni stage: the next apply completes healthy', async t => {
	if (!requireLab(t)) return;
	t.timeout(longTest);
	work = makeWorkdir('install');

	// 0: SIGKILL while pip installs Patroni into the venv (the course's path): a venv without its
	// patroni binary, maybe a pip still running; the next run must rebuild it, not take it as done.
	const venv = readCluster(work.clusterFile)['patroni']?.source === 'venv';
	if (venv) {
		const killed = await apply(t, {killAfter: line => /^› pg-node-\d+: .*\/bin\/pip install /.test(line)});
		t.is(killed.signal, 'SIGKILL', tail(killed));
		t.regex(killed.stdout, /^❯ Patroni installation$/m);
		t.notRegex(killed.stdout, /^✔ Patroni installation$/m);
	}

	// 1: SIGKILL right after a member was told to start: the others may not have their config yet.
	const first = await apply(t, {killAfter: line => /^› pg-node-\d+: .*start --no-block etcd/.test(line)});
	t.is(first.signal, 'SIGKILL', tail(first));
	t.regex(first.stdout, /^❯ etcd cluster$/m);
	t.notRegex(first.stdout, /^✔ etcd cluster$/m);
	t.true(existsSync(join(work.dir, '.pgha', 'state.json')));

	// 2: it gets through etcd; SIGKILL when the first replica's Patroni is being started.
	const second = await apply(t, {killAfter: line => /^› pg-node-[2-9]: .*systemctl enable --now patroni/.test(line)});
	t.is(second.signal, 'SIGKILL', tail(second));
	t.regex(second.stdout, /^✔ etcd cluster$/m);
	t.regex(second.stdout, /^✔ Start Patroni on the first node \(leader\)$/m);
	t.notRegex(second.stdout, /^✔ Patroni cluster$/m);

	// 3: completes.
	const third = await apply(t);
	t.is(third.code, 0, tail(third));
	t.regex(third.stdout, /^The cluster is healthy\.$/m);
	t.regex(third.stdout, /^✔ HAProxy load balancer$/m);
	installed = third.code === 0;

	const status = await runPgha({cwd: work.dir, home: work.home, args: ['status']});
	t.is(status.code, 0, tail(status));
	t.regex(status.stdout, /^Healthy\.$/m);
	if (venv) {
		// What pip left: the pinned Patroni from the lab's index, whole, with nothing broken.
		for (const node of nodeNumbers()) {
			t.regex(await nodeOutput(node, '/opt/patroni-venv/bin/patroni --version'), /^patroni 4\.0\.7$/m, `pg-node-${node}`);
			t.regex(await nodeOutput(node, 'runuser -u postgres -- /opt/patroni-venv/bin/pip check 2>&1 || true'), /No broken requirements/, `pg-node-${node}`);
			t.is(await nodeOutput(node, "pgrep -fc '[/]opt/patroni-venv/bin/pip install' || true"), '0', `no pip left running on pg-node-${node}`);
		}
	}
});

test.serial('etcd came from the release tarball at download_base, checked against SHA256SUMS', async t => {
	if (!needsCluster(t)) return;
	const cluster = readCluster(work!.clusterFile);
	if (cluster['etcd']?.source !== 'download') {
		t.log(`etcd source here: ${cluster['etcd']?.source}; the tarball checks need download`);
		t.pass();
		return;
	}

	const release = buildEtcdRelease();
	try {
		t.is(String(cluster['etcd'].version), release.version);
		await assertTarballEtcd(t, work!, release);
	} finally {
		release.remove();
	}
});

test.serial('etcd: every member healthy and exactly the three planned members', async t => {
	if (!needsCluster(t)) return;
	const endpoints = nodeNumbers().map(node => `http://${nodeIp(node)}:2379`).join(',');
	const health = await etcdctlOnNode(1, `--endpoints=${endpoints} endpoint health`);
	t.is(health.code, 0, health.stderr);
	for (const node of nodeNumbers()) t.regex(health.stdout + health.stderr, new RegExp(`http://${nodeIp(node).replaceAll('.', '\\.')}:2379 is healthy`));
	const list = await etcdctlOnNode(2, 'member list -w json');
	t.is(list.code, 0, list.stderr);
	const members = (JSON.parse(list.stdout) as {members: Array<{name: string; peerURLs: string[]}>}).members;
	t.deepEqual(
		members.map(member => `${member.name} ${member.peerURLs.join(',')}`).sort(),
		nodeNumbers().map(node => `pg-node-${node} http://${nodeIp(node)}:2380`),
	);
});

test.serial('Patroni: one leader, two replicas streaming from it', async t => {
	if (!needsCluster(t)) return;
	const members = await clusterMembers(1);
	const leaders = members.filter(member => member.role === 'Leader');
	t.is(leaders.length, 1, JSON.stringify(members));
	t.is(members.filter(member => member.role === 'Replica').length, 2, JSON.stringify(members));
	const leader = Number(leaders[0]!.name.replace('pg-node-', ''));
	const streaming = await streamingReplicas(nodeIp(leader), superuser());
	t.deepEqual(streaming.sort(), nodeNumbers().filter(node => node !== leader).map(node => nodeIp(node)).sort());
});

test.serial('a row written through 5000 is read through 5001 and directly on every node', async t => {
	if (!needsCluster(t)) return;
	const haproxy = nodeIp(1);
	const token = randomBytes(8).toString('hex');
	await psqlValue({host: haproxy, port: 5000, password: superuser()},
		`create table if not exists e2e_rows (token text primary key); insert into e2e_rows values ('${token}')`);
	const query = `select count(*) from e2e_rows where token = '${token}'`;
	// Replication is asynchronous: the row arrives on a replica shortly after the commit.
	const seen = async (host: string, port: number) => ((await psqlValue({host, port, password: superuser()}, query)) === '1' ? true : undefined);
	t.true(await waitUntil(() => seen(haproxy, 5001), {attempts: 30, intervalMs: 1000}), 'through 5001');
	for (const node of nodeNumbers()) {
		t.true(await waitUntil(() => seen(nodeIp(node), 5432), {attempts: 30, intervalMs: 1000}), `directly on pg-node-${node}`);
	}

	const readOnly = await psql({host: haproxy, port: 5001, password: superuser()}, `insert into e2e_rows values ('${token}-via-5001')`);
	t.not(readOnly.code, 0);
	t.regex(readOnly.stderr, /read-only transaction/);
});

test.serial('20 connections through 5000 all reach the primary, 20 through 5001 all reach replicas', async t => {
	if (!needsCluster(t)) return;
	const haproxy = nodeIp(1);
	const members = await clusterMembers(1);
	const leaderIp = members.find(member => member.role === 'Leader')!.host;
	const replicaIps = members.filter(member => member.role === 'Replica').map(member => member.host).sort();
	const where = 'select inet_server_addr(), pg_is_in_recovery()';
	const writes: string[] = [];
	const reads: string[] = [];
	for (let i = 0; i < 20; i++) writes.push(await psqlValue({host: haproxy, port: 5000, password: superuser()}, where));
	for (let i = 0; i < 20; i++) reads.push(await psqlValue({host: haproxy, port: 5001, password: superuser()}, where));
	t.deepEqual([...new Set(writes)], [`${leaderIp}|f`]);
	// Round robin over both replicas, each a standby.
	t.deepEqual([...new Set(reads)].sort(), replicaIps.map(ip => `${ip}|t`));
});

test.serial('the HAProxy stats page answers 200 with its password and 401 without', async t => {
	if (!needsCluster(t)) return;
	const url = `http://${nodeIp(1)}:8404/stats`;
	t.is(await httpStatus(url, `admin:${secrets()['haproxy_stats_password']}`), 200);
	t.is(await httpStatus(url), 401);
	t.is(await httpStatus(url, 'admin:wrong-password'), 401);
});

test.serial('the SSH config for VS Code: Host entries, the key on the nodes, the system ssh reaches every node by alias', async t => {
	if (!needsCluster(t)) return;
	const sshDir = join(work!.home, '.ssh');
	const config = readFileSync(join(sshDir, 'config'), 'utf8');
	t.is(statSync(join(sshDir, 'config')).mode & 0o777, 0o600);
	for (const node of nodeNumbers()) {
		t.regex(config, new RegExp(`^Host pg-node-${node}\\n\\s+HostName ${nodeIp(node).replaceAll('.', '\\.')}\\n\\s+User student\\n\\s+Port 22\\n\\s+IdentityFile ~/\\.ssh/id_ed25519$`, 'm'));
	}

	// "~" in IdentityFile: the key pgha generated in the user's home, readable by the user alone.
	t.is(statSync(join(sshDir, 'id_ed25519')).mode & 0o777, 0o600);
	const publicKey = readFileSync(join(sshDir, 'id_ed25519.pub'), 'utf8').trim().split(/\s+/)[1]!;
	for (const node of nodeNumbers()) t.true((await nodeOutput(node, 'cat /home/student/.ssh/authorized_keys')).includes(publicKey), `key on pg-node-${node}`);

	// OpenSSH expands "~" from the passwd entry, not $HOME: in a private mount namespace the test's
	// HOME is mounted over root's home, so ssh sees exactly the files pgha wrote, at their "~" paths.
	const ssh = await runCommand('unshare', ['--mount', 'sh', '-c',
		'mount --bind "$1" /root && shift && for alias; do ip netns exec lab-sw ssh -F /root/.ssh/config -o StrictHostKeyChecking=no -o BatchMode=yes -o ConnectTimeout=10 "$alias" hostname || exit; done',
		'sh', work!.home, ...nodeNumbers().map(node => `pg-node-${node}`)], {timeoutMs: 60_000});
	t.is(ssh.code, 0, ssh.stderr);
	t.deepEqual(outputLines(ssh.stdout), nodeNumbers().map(node => `pg-node-${node}`));
});

test.serial('a second apply finds every step done and restarts nothing', async t => {
	if (!needsCluster(t)) return;
	t.timeout(longTest);
	const pids = async () => {
		const found: Record<string, number> = {};
		for (const node of nodeNumbers()) {
			found[`pg-node-${node} patroni`] = await mainPid(node, 'patroni');
			found[`pg-node-${node} postmaster`] = await postmasterPid(node);
			found[`pg-node-${node} etcd`] = await mainPid(node, 'etcd');
		}

		const haproxy = await mainPid(1, 'haproxy');
		found['pg-node-1 haproxy'] = haproxy;
		// Master-worker mode: a reload would replace the worker and keep the master.
		found['pg-node-1 haproxy worker'] = Number((await nodeOutput(1, `pgrep -P ${haproxy} -x haproxy | head -1`)) || 0);
		return found;
	};

	const before = await pids();
	for (const [what, pid] of Object.entries(before)) t.true(pid > 0, `${what} runs`);
	const again = await apply(t);
	t.is(again.code, 0, tail(again));
	t.regex(again.stdout, /^The cluster is healthy\.$/m);
	t.log(`no-op re-run: ${(again.ms / 1000).toFixed(1)} s`);

	const lines = outputLines(again.stdout);
	const started = lines.filter(line => /^❯ (pg-node-\d+|host): /.test(line)).map(line => line.slice(2));
	// Read-only steps (checks, waits for health) say "checked"; steps that change something, "already done".
	const skipped = lines.flatMap(line => /^↓ (.+) \[SKIPPED: (?:already done|checked)\]$/.exec(line)?.[1] ?? []);
	t.true(started.length >= 30, `${started.length} node steps`);
	t.deepEqual([...skipped].sort(), [...started].sort(), 'every node step reports "already done" or "checked"');
	t.deepEqual(lines.filter(line => /^✔ (pg-node-\d+|host): /.test(line)), [], 'no step did any work');
	t.deepEqual(lines.filter(line => /^› \S+: \$ write /.test(line)), [], 'no file written');
	t.deepEqual(await pids(), before);
});

test.serial('reachability from this computer: nodes up, a closed SSH port, a node off (issue 7)', async t => {
	if (!needsCluster(t)) return;
	t.timeout(longTest);
	const stage = createReachabilityStage({timeouts: {connectMs: 3000, bannerMs: 1500}});
	const probe = async (file: string): Promise<{lines: string[]; error?: string}> => {
		const {config} = await loadClusterFile(file);
		const run = harness(config);
		const context = run.context();
		const step = stage.steps[0]!;
		const done = await step.check(context);
		try {
			await step.verify(context);
			return {lines: run.lines};
		} catch (error) {
			t.false(done, 'check and verify agree');
			return {lines: run.lines, error: (error as Error).message};
		}
	};

	const up = await probe(work!.clusterFile);
	t.is(up.error, undefined);
	for (const node of nodeNumbers()) t.true(up.lines.some(line => line.includes(`pg-node-${node}: ${nodeIp(node)}:22 is reachable (SSH-2.0-OpenSSH`)), up.lines.join('\n'));

	// A closed port: sshd listens on 22 only.
	const closedFile = join(work!.dir, 'closed-port.yaml');
	writeCluster(closedFile, readCluster(work!.clusterFile), doc => (doc.nodes[1].ssh.port = 2222));
	const closed = await probe(closedFile);
	t.regex(closed.error ?? '', new RegExp(`^pg-node-2: ${nodeIp(2).replaceAll('.', '\\.')} refuses connections on port 2222, so no SSH server runs there`, 'm'));
	t.notRegex(closed.error ?? '', /pg-node-[13]:/);

	// A node powered off. In the lab its address stays configured (a TCP reset comes back, as from
	// a VM without sshd); with its cable cut too it looks like a VirtualBox VM that is off.
	const stopped = await labCli(['stop-node', '3']);
	t.is(stopped.code, 0, stopped.stderr);
	try {
		const off = await probe(work!.clusterFile);
		t.regex(off.error ?? '', /^pg-node-3: /m);
		t.notRegex(off.error ?? '', /pg-node-[12]:/);
		t.log(`stopped node: ${off.error}`);
		const cut = await labCli(['cut', '3']);
		t.is(cut.code, 0, cut.stderr);
		const gone = await probe(work!.clusterFile);
		t.regex(gone.error ?? '', new RegExp(`^pg-node-3: (nothing answers at ${nodeIp(3).replaceAll('.', '\\.')}|no answer from ${nodeIp(3).replaceAll('.', '\\.')}:22 within)`, 'm'));
		t.regex(gone.error ?? '', /the VM is off/);
	} finally {
		await labCli(['heal', '3']);
		await labCli(['start-node', '3']);
	}
});

/** pg-node-3 back as a streaming replica (after a power-off it takes Patroni a loop or two). */
async function nodeThreeStreaming(): Promise<Member[] | undefined> {
	return waitUntil(async () => {
		const members = await clusterMembers(1);
		const three = members.find(member => member.name === 'pg-node-3');
		return three?.role === 'Replica' && three.state === 'streaming' ? members : undefined;
	}, {attempts: 90, intervalMs: 2000});
}

test.serial('a node reboot: etcd, Patroni and PostgreSQL come back by themselves and it streams again', async t => {
	if (!needsCluster(t)) return;
	t.timeout(longTest);
	// The test before powered pg-node-3 off and on: it must be a streaming replica before this one starts.
	const before = await nodeThreeStreaming();
	t.truthy(before, `pg-node-3 is not a streaming replica: ${JSON.stringify(await clusterMembers(1).catch(() => []))}`);
	const stopped = await labCli(['stop-node', '3']);
	t.is(stopped.code, 0, stopped.stderr);
	const started = await labCli(['start-node', '3']);
	t.is(started.code, 0, started.stderr);
	const units = await waitUntil(async () => {
		const active = await labExec(3, 'systemctl is-active etcd patroni');
		return active.stdout.trim().split('\n').every(state => state === 'active') ? true : undefined;
	}, {attempts: 90, intervalMs: 2000});
	t.true(units, 'etcd and patroni active again on pg-node-3');
	const members = await clusterMembers(1);
	const leaderIp = members.find(member => member.role === 'Leader')?.host ?? nodeIp(1);
	const streams = await waitUntil(async () => ((await streamingReplicas(leaderIp, superuser())).includes(nodeIp(3)) ? true : undefined), {attempts: 90, intervalMs: 2000});
	t.true(streams, 'pg-node-3 streams from the leader again');
	t.true((await postmasterPid(3)) > 0, 'postgres runs on pg-node-3');
	const health = await etcdctlOnNode(3, 'endpoint health');
	t.is(health.code, 0, health.stderr);
});
