import test from 'ava';
import net from 'node:net';
import {StepError} from '../../source/core/step.ts';
import {
	evaluateCluster, evaluateNode, inspectionCommand, parseInspection, parseListeners, type ClusterSample,
} from '../../steps/vm-checks.ts';
import {requiredPorts, vmChecksStage} from '../../steps/index.ts';
import {parseHolders, startedBy} from '../../steps/port-holders.ts';
import {runLocally, sampleCluster, sampleSecrets, ScriptedRemote, stepContext} from '../helpers/install-fixtures.ts';

const cluster = sampleCluster();

interface Fixture {
	os?: string;
	memKb?: number;
	cpus?: number;
	availMb?: number;
	ips?: string[];
	ss?: string[];
	/** Lines of the holders probe: pid, owner, cgroup, cwd, etcd data, command line (tab-separated). */
	holders?: string[];
	uid?: number;
}

/** What inspectionCommand prints on a fresh Ubuntu 24.04 VM with 2 GB, 2 CPUs and a 7 GB disk. */
function inspection(fixture: Fixture = {}): string {
	return [
		'@@ os-release',
		...(fixture.os ?? 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nID=ubuntu\nVERSION_ID="24.04"').split('\n'),
		'@@ arch', 'amd64',
		'@@ meminfo', `MemTotal:        ${fixture.memKb ?? 2_013_404} kB`,
		'@@ nproc', String(fixture.cpus ?? 2),
		'@@ df', 'Filesystem     1048576-blocks  Used Available Capacity Mounted on',
		`/dev/sda2                6869  4012      ${fixture.availMb ?? 2485}      62% /`,
		'@@ addr', '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
		...(fixture.ips ?? ['192.168.0.30']).map(ip => `2: enp0s3    inet ${ip}/24 metric 100 brd 192.168.0.255 scope global dynamic enp0s3\\       valid_lft 86000sec`),
		'@@ hostname', 'pg-node-1',
		'@@ machine-id', '5b3c9a1f2e4d4c7a9e0f1a2b3c4d5e6f',
		'@@ uid', String(fixture.uid ?? 0),
		'@@ ss',
		...(fixture.ss ?? ['LISTEN 0      4096   127.0.0.54:53        0.0.0.0:*    users:(("systemd-resolve",pid=612,fd=17))', 'LISTEN 0      4096   *:22      *:*    users:(("sshd",pid=1,fd=3),("systemd",pid=1,fd=100))']),
		'@@ holders',
		...(fixture.holders ?? []),
		'@@ end',
	].join('\n');
}

const node = cluster.nodes[0]!;
const fails = (fixture: Fixture, on = node) => evaluateNode(parseInspection(inspection(fixture)), cluster, on, requiredPorts(cluster, on)).filter(finding => finding.level === 'fail');
const levels = (fixture: Fixture, on = node) => evaluateNode(parseInspection(inspection(fixture)), cluster, on, requiredPorts(cluster, on)).map(finding => finding.level);

test('a fresh 2 GB / 2 CPU / 7 GB Ubuntu 24.04 VM passes without a word', t => {
	t.deepEqual(levels({}), []);
});

test('memory: a 2 GB VM (about 1.9 GiB MemTotal) passes, 1.5 GB warns, 768 MB fails', t => {
	t.deepEqual(levels({memKb: 1_940_000}), []);
	t.deepEqual(levels({memKb: 1_500_000}), ['warn']);
	t.deepEqual(levels({memKb: 786_432}), ['fail']);
	t.regex(fails({memKb: 786_432})[0]!.fix!.ru, /2 ГБ/);
});

test('CPUs, disk thresholds from the cluster file, IP on an interface, sudo as root', t => {
	t.deepEqual(levels({cpus: 1}), ['fail']);
	t.deepEqual(levels({availMb: 1500}), ['warn']);
	t.deepEqual(levels({availMb: 700}), ['fail']);
	t.regex(fails({availMb: 700})[0]!.message.en, /700 MB free/);
	const wrongIp = fails({ips: ['192.168.0.77']});
	t.is(wrongIp.length, 1);
	t.regex(wrongIp[0]!.message.en, /192\.168\.0\.30 is not on any interface \(found: 192\.168\.0\.77\)/);
	t.deepEqual(levels({uid: 1000}), ['fail']);
});

test('OS: Ubuntu 24.04 silently, Debian 12/13 and Ubuntu 22.04 with a note, others refused', t => {
	t.deepEqual(levels({os: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"'}), ['note']);
	t.deepEqual(levels({os: 'ID=debian\nVERSION_ID="13"'}), ['note']);
	t.deepEqual(levels({os: 'ID=ubuntu\nVERSION_ID="22.04"'}), ['note']);
	t.deepEqual(levels({os: 'ID=ubuntu\nVERSION_ID="20.04"'}), ['fail']);
	t.deepEqual(levels({os: 'ID=centos\nVERSION_ID="9"'}), ['fail']);
});

test('ports: free or held by what pgha installs; a foreign holder fails with its name', t => {
	const ours = [
		'LISTEN 0 4096 192.168.0.30:2379 0.0.0.0:* users:(("etcd",pid=700,fd=8))',
		'LISTEN 0 4096 127.0.0.1:2379 0.0.0.0:* users:(("etcd",pid=700,fd=7))',
		'LISTEN 0 4096 192.168.0.30:2380 0.0.0.0:* users:(("etcd",pid=700,fd=6))',
		'LISTEN 0 200 192.168.0.30:5432 0.0.0.0:* users:(("postgres",pid=900,fd=6))',
		'LISTEN 0 5 192.168.0.30:8008 0.0.0.0:* users:(("patroni",pid=800,fd=5))',
		'LISTEN 0 4096 0.0.0.0:5000 0.0.0.0:* users:(("haproxy",pid=990,fd=7))',
	];
	t.deepEqual(levels({ss: ours}), []);
	const foreign = fails({ss: ['LISTEN 0 1 0.0.0.0:5432 0.0.0.0:* users:(("nc",pid=4242,fd=3))']});
	t.is(foreign.length, 1);
	t.regex(foreign[0]!.message.en, /port 5432 \(needed by PostgreSQL\) is held by nc/);
	t.regex(foreign[0]!.fix!.ru, /sport = :5432/);
	// HAProxy's ports matter only on the HAProxy node.
	const busy5000 = ['LISTEN 0 1 [::]:5000 [::]:* users:(("python3",pid=1,fd=3))'];
	t.is(fails({ss: busy5000}).length, 1);
	t.is(fails({ss: busy5000, ips: ['192.168.0.31']}, cluster.nodes[1]).length, 0);
});

test('ss lines: IPv4, IPv6 and several processes on one socket', t => {
	t.deepEqual(parseListeners([
		'LISTEN 0 4096 [::]:22 [::]:* users:(("sshd",pid=1,fd=3),("systemd",pid=1,fd=100))',
		'LISTEN 0 128 0.0.0.0:2024 0.0.0.0:*',
	]), [
		{address: '[::]', port: 22, processes: ['sshd', 'systemd'], pids: [1]},
		{address: '0.0.0.0', port: 2024, processes: [], pids: []},
	]);
});

test('cloned VMs: the same machine-id or hostname fails and names the nodes', t => {
	const base: ClusterSample[] = cluster.nodes.map((item, index) => ({node: item.name, hostname: item.name, machineId: `id${index}`, offsetMs: 0, uncertaintyMs: 5}));
	t.deepEqual(evaluateCluster(base), []);
	const cloned = base.map(sample => sample.node === 'pg-node-3' ? {...sample, machineId: 'id1', hostname: 'pg-node-2'} : sample);
	const findings = evaluateCluster(cloned);
	t.is(findings.length, 2);
	t.regex(findings[0]!.message.en, /pg-node-2, pg-node-3 share one \/etc\/machine-id/);
	t.regex(findings[0]!.fix!.en, /systemd-machine-id-setup/);
	t.regex(findings[1]!.message.en, /share one hostname/);
});

test('clocks: within 2 s passes, 3 s apart fails, and a slow round trip gives the benefit of the doubt', t => {
	const sample = (node: string, offsetMs: number, uncertaintyMs = 20): ClusterSample => ({node, hostname: node, machineId: node, offsetMs, uncertaintyMs});
	t.deepEqual(evaluateCluster([sample('a', 0), sample('b', 1500), sample('c', -400)]), []);
	const skewed = evaluateCluster([sample('a', 0), sample('b', 3000), sample('c', 100)]);
	t.is(skewed.length, 1);
	t.regex(skewed[0]!.message.en, /clocks of (a and b|b and a) differ by 3\.0 s/);
	t.deepEqual(evaluateCluster([sample('a', 0, 300), sample('b', 2400, 300)]), []);
});

test('the real inspection command runs on this machine and parses (a listener of ours is seen by name)', async t => {
	const server = net.createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
	t.teardown(() => server.close());
	const {port} = server.address() as net.AddressInfo;
	const result = await runLocally(inspectionCommand);
	t.is(result.code, 0, result.stderr);
	const parsed = parseInspection(result.stdout);
	t.truthy(parsed.osId);
	t.truthy(parsed.osVersion);
	t.regex(parsed.machineId, /^[0-9a-f]{32}$/);
	t.true(parsed.cpus >= 1);
	t.true(parsed.memMiB > 0);
	t.true(parsed.diskAvailMiB > 0);
	t.true(parsed.ipv4.includes('127.0.0.1'));
	t.is(parsed.uid, process.getuid?.() ?? 0);
	const mine = parsed.listeners.find(listener => listener.port === port);
	t.truthy(mine);
	t.true(mine!.processes.length > 0, 'ss -p names the process (run as root)');
	// The same listener on PostgreSQL's port would be a foreign holder.
	const onPostgresPort = sampleCluster(`ports: {postgres: ${port}}`);
	const local = {...onPostgresPort.nodes[0]!, ip: '127.0.0.1'};
	const findings = evaluateNode(parsed, onPostgresPort, local, requiredPorts(onPostgresPort, local)).filter(finding => finding.message.en.includes(`port ${port}`));
	t.is(findings.length, 1);
	// Its holder is read too: this very process, its owner and its command line.
	t.is(mine!.pids.length, 1);
	const holder = parsed.holders.get(mine!.pids[0]!);
	t.is(holder?.pid, process.pid);
	t.regex(holder?.command ?? '', /node/);
	t.truthy(holder?.user);
});

const etcdSs = [
	'LISTEN 0 4096 192.168.0.30:2379 0.0.0.0:* users:(("etcd",pid=700,fd=7))',
	'LISTEN 0 4096 192.168.0.30:2380 0.0.0.0:* users:(("etcd",pid=700,fd=6))',
];
const etcdByHand = '700\tstudent\t/user.slice/user-1000.slice/session-3.scope\t/home/student\t/home/student/etcd-data1\tetcd --config-file /home/student/etcd1.conf';

test('holders: the cgroup tells a login session, a user\'s systemd and sshd (no logind) from a system service', t => {
	t.deepEqual(startedBy('/user.slice/user-1000.slice/session-3.scope'), {kind: 'hand'});
	t.deepEqual(startedBy('/user.slice/user-1000.slice/user@1000.service/app.slice/etcd.service'), {kind: 'hand'});
	t.deepEqual(startedBy('/system.slice/ssh.service'), {kind: 'hand'});
	t.deepEqual(startedBy('/system.slice/etcd.service'), {kind: 'service', unit: 'etcd.service'});
	t.deepEqual(startedBy('/system.slice/system-postgresql.slice/postgresql@16-main.service'), {kind: 'service', unit: 'postgresql@16-main.service'});
	t.deepEqual(startedBy(''), {kind: 'unknown'});
	const holders = parseHolders([etcdByHand, 'garbage', '']);
	t.deepEqual([...holders.keys()], [700]);
	t.like(holders.get(700), {user: 'student', etcdData: '/home/student/etcd-data1', command: 'etcd --config-file /home/student/etcd1.conf'});
});

test('ports: etcd started by hand (the guide\'s nohup) is one finding naming both its ports, the process, its data and the kill that works', t => {
	const found = fails({ss: etcdSs, holders: [etcdByHand]});
	t.is(found.length, 1);
	t.is(found[0]!.message.en, 'ports 2379 and 2380 (needed by etcd) are held by etcd --config-file /home/student/etcd1.conf (PID 700, student), started by hand in a login session (nohup or a terminal), not by the etcd.service pgha sets up; its data: /home/student/etcd-data1.');
	t.regex(found[0]!.fix!.en, /does not take over a process it did not start.* Stop it: sudo kill 700, then run pgha again\.$/);
	t.regex(found[0]!.message.ru, /^порты 2379 и 2380 \(нужны для etcd\) заняты: .*запущен вручную в сеансе входа.*его данные: \/home\/student\/etcd-data1/);
	t.regex(found[0]!.fix!.ru, /sudo kill 700, затем запустите pgha снова/);
});

test('ports: the same process on several listeners of one port (IPv4 and IPv6) is named once, with the port once', t => {
	const found = fails({ss: [...etcdSs, 'LISTEN 0 4096 127.0.0.1:2379 0.0.0.0:* users:(("etcd",pid=700,fd=8))'], holders: [etcdByHand]});
	t.is(found.length, 1);
	t.regex(found[0]!.message.en, /^ports 2379 and 2380 \(needed by etcd\) are held by /);
});

test('ports: one process on ports of different stages names each port with its role; two processes are two findings', t => {
	const ss = [
		'LISTEN 0 5 0.0.0.0:5432 0.0.0.0:* users:(("python3",pid=4242,fd=3))',
		'LISTEN 0 5 0.0.0.0:8008 0.0.0.0:* users:(("python3",pid=4242,fd=4))',
		'LISTEN 0 5 0.0.0.0:2379 0.0.0.0:* users:(("nc",pid=4343,fd=3))',
	];
	const holders = [
		'4242\tstudent\t/user.slice/user-1000.slice/session-2.scope\t/home/student\t\tpython3 fake.py',
		'4343\tstudent\t/user.slice/user-1000.slice/session-2.scope\t/home/student\t\tnc -l 2379',
	];
	const found = fails({ss, holders});
	t.is(found.length, 2);
	const python = found.find(finding => finding.message.en.includes('PID 4242'))!;
	t.regex(python.message.en, /^ports 5432 \(needed by PostgreSQL\) and 8008 \(needed by [^)]+\) are held by python3 fake\.py \(PID 4242, student\)/);
	t.regex(python.message.ru, /^порты 5432 \(нужен для PostgreSQL\) и 8008 \(нужен для [^)]+\) заняты: python3 fake\.py/);
	t.is(python.fix!.en.match(/sudo kill 4242/g)?.length, 1);
	const nc = found.find(finding => finding.message.en.includes('PID 4343'))!;
	t.regex(nc.message.en, /^port 2379 \(needed by etcd\) is held by nc -l 2379 /);
});

test('ports: pgha\'s own services pass; another unit with the right name fails with systemctl; the packaged PostgreSQL is the packages stage\'s business', t => {
	const ours = [
		...etcdSs,
		'LISTEN 0 200 192.168.0.30:5432 0.0.0.0:* users:(("postgres",pid=900,fd=6))',
		'LISTEN 0 5 192.168.0.30:8008 0.0.0.0:* users:(("patroni",pid=800,fd=5))',
	];
	const underSystemd = [
		'700\tetcd\t/system.slice/etcd.service\t/\t/var/lib/etcd/pg-cluster\t/usr/local/bin/etcd --config-file /etc/etcd/etcd.conf.yml',
		'800\tpostgres\t/system.slice/patroni.service\t/\t\t/opt/patroni/bin/python3 /opt/patroni/bin/patroni /etc/patroni/config.yml',
		'900\tpostgres\t/system.slice/patroni.service\t/var/lib/postgresql/17/main\t\tpostgres -D /var/lib/postgresql/17/main',
	];
	t.deepEqual(fails({ss: ours, holders: underSystemd}), []);
	const packaged = ['900\tpostgres\t/system.slice/system-postgresql.slice/postgresql@16-main.service\t/var/lib/postgresql/16/main\t\t/usr/lib/postgresql/16/bin/postgres -D /var/lib/postgresql/16/main'];
	t.deepEqual(fails({ss: ours.slice(2, 3), holders: packaged}), []);
	const otherUnit = ['800\tpatroni\t/system.slice/patroni1.service\t/\t\tpatroni /home/patroni/patroni1.yml'];
	const found = fails({ss: ours.slice(3), holders: otherUnit});
	t.is(found.length, 1);
	t.regex(found[0]!.message.en, /started by the service patroni1\.service, not by the patroni\.service pgha sets up/);
	t.regex(found[0]!.fix!.en, /sudo systemctl disable --now patroni1\.service/);
	// PostgreSQL from a hand-started Patroni: named, and Patroni is to be stopped first.
	const handPostgres = ['900\tpatroni\t/user.slice/user-1001.slice/session-5.scope\t/home/patroni/pgdata1\t\tpostgres -D /home/patroni/pgdata1 --config-file=/home/patroni/pgdata1/postgresql.conf'];
	const postgres = fails({ss: ours.slice(2, 3), holders: handPostgres});
	t.is(postgres.length, 1);
	t.regex(postgres[0]!.message.en, /its data: \/home\/patroni\/pgdata1\.$/);
	t.regex(postgres[0]!.fix!.en, /stop that Patroni first/);
});

test('ports: a foreign program is named with its PID and command line when the holders probe saw it', t => {
	const found = fails({ss: ['LISTEN 0 1 0.0.0.0:5432 0.0.0.0:* users:(("nc",pid=4242,fd=3))'], holders: ['4242\tstudent\t/user.slice/user-1000.slice/session-2.scope\t/home/student\t\tnc -l 5432']});
	t.is(found.length, 1);
	t.is(found[0]!.message.en, 'port 5432 (needed by PostgreSQL) is held by nc -l 5432 (PID 4242, student), started by hand in a login session (nohup or a terminal).');
	t.regex(found[0]!.fix!.en, /sudo kill 4242/);
});

test('the step: check is true on a good VM; on a bad one apply throws one sentence per problem, naming the node', async t => {
	const step = vmChecksStage.steps.find(item => item.id === 'vm-checks.node')!;
	const good = new ScriptedRemote().on('@@ os-release', {stdout: inspection()});
	const log: string[] = [];
	t.true(await step.check(stepContext(cluster, sampleSecrets(), good, {log})));
	t.true(good.calls.every(call => call.options?.sudo === true), 'the inspection runs through sudo');

	const bad = new ScriptedRemote().on('@@ os-release', {stdout: inspection({cpus: 1, memKb: 700_000})});
	const context = stepContext(cluster, sampleSecrets(), bad);
	t.false(await step.check(context));
	t.deepEqual(step.plan(context), []);
	const error = await t.throwsAsync(step.apply!(context), {instanceOf: StepError});
	t.regex(error!.message, /^pg-node-1: /);
	t.is(error!.message.split('\n').length, 2);
	t.regex(error!.say('ru'), /процессор/);
	await t.throwsAsync(step.verify(context), {instanceOf: StepError});
});

test('the cross-node step reads every node through ctx.remotes', async t => {
	const step = vmChecksStage.steps.find(item => item.id === 'vm-checks.cluster')!;
	const remotes = new Map(cluster.nodes.map((item, index) => [item.name, new ScriptedRemote(item.name, item.ip)
		.on('machine-id', {stdout: `${item.name}\nmid-${index === 2 ? 1 : index}\n${Date.now()}\n`})]));
	const context = stepContext(cluster, sampleSecrets(), remotes.get('pg-node-1')!, {remotes});
	t.false(await step.check(context));
	const error = await t.throwsAsync(step.apply!(context), {instanceOf: StepError});
	t.regex(error!.message, /pg-node-2, pg-node-3 share one \/etc\/machine-id/);
	for (const remote of remotes.values()) t.is(remote.calls.length, 2);
});
