import test from 'ava';
import {chmod, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {hostEnv} from '../../source/host/platform.ts';
import {
	directProbeRunner,
	parseWrappedTcp,
	wrappedProbeRunner,
	type ProbeRunner,
	type TcpProbe,
} from '../../source/host/probes.ts';
import {diagnose, type NodeReach} from '../../source/host/reachability.ts';
import {hostSubnets, inCidr} from '../../source/host/subnets.ts';
import {createReachabilityStage} from '../../steps/reachability.ts';
import {StepError} from '../../source/core/step.ts';
import {cluster, node} from '../fixtures/host/cluster.ts';
import {harness, runStep} from '../fixtures/host/run-steps.ts';

const timeouts = {connectMs: 3000, bannerMs: 300};

/** A loopback listener that greets like sshd (or says something else, or nothing). */
async function listener(greeting: string | undefined): Promise<{port: number; close: () => Promise<void>}> {
	const sockets = new Set<net.Socket>();
	const server = net.createServer(socket => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => undefined);
		if (greeting !== undefined) socket.write(greeting);
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as net.AddressInfo;
	return {
		port,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}

/** A loopback port nobody listens on: bound once by us, then released. */
async function closedPort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as net.AddressInfo;
	await new Promise<void>(resolve => server.close(() => resolve()));
	return port;
}

const linux = hostEnv({platform: 'linux', env: {PATH: process.env['PATH']}});
const runners: Array<[string, () => ProbeRunner]> = [
	['direct', () => directProbeRunner({host: linux, timeouts})],
	['bash /dev/tcp (the lab runner without its namespace)', () => wrappedProbeRunner('plain', argv => argv, {host: linux, timeouts})],
];

for (const [label, makeRunner] of runners) {
	test(`${label}: an SSH server on loopback is open with its banner`, async t => {
		const server = await listener('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n');
		t.teardown(server.close);
		t.deepEqual(await makeRunner().tcp('127.0.0.1', server.port), {status: 'open', banner: 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13'});
	});

	test(`${label}: a closed loopback port is refused`, async t => {
		const probe = await makeRunner().tcp('127.0.0.1', await closedPort());
		t.is(probe.status, 'refused');
	});

	test(`${label}: a silent listener is open without a banner`, async t => {
		const server = await listener(undefined);
		t.teardown(server.close);
		t.deepEqual(await makeRunner().tcp('127.0.0.1', server.port), {status: 'open', banner: undefined});
	});
}

test('the wrapped runner maps the outputs of bash and timeout', t => {
	t.deepEqual(parseWrappedTcp(0, 'OPEN\nBANNER SSH-2.0-x\r\n', '', false), {status: 'open', banner: 'SSH-2.0-x'});
	t.deepEqual(parseWrappedTcp(124, '', '', false), {status: 'timeout'});
	t.deepEqual(parseWrappedTcp(1, '', 'bash: connect: Connection refused\nbash: line 1: /dev/tcp/1.2.3.4/22: Connection refused', false), {status: 'refused'});
	t.deepEqual(parseWrappedTcp(1, '', 'bash: connect: No route to host', false), {status: 'unreachable', detail: 'No route to host'});
	t.is(parseWrappedTcp(1, '', 'Cannot open network namespace "lab-sw": No such file or directory', false).status, 'error');
});

test('the wrapped runner reports a probe that outlives its time limit as a timeout', async t => {
	const runner = wrappedProbeRunner('stuck', () => ['timeout', '1', 'sleep', '30'], {host: linux, timeouts});
	t.is((await runner.tcp('127.0.0.1', 22)).status, 'timeout');
});

async function fakePing(dir: string, name: string, script: string): Promise<void> {
	await mkdir(dir, {recursive: true});
	await writeFile(path.join(dir, name), `#!/bin/sh\n${script}\n`);
	await chmod(path.join(dir, name), 0o755);
}

test('ping: exit code on Linux, a TTL= line on Windows (where an unreachable reply still exits 0), absent ping', async t => {
	const root = await mkdtemp(path.join(os.tmpdir(), 'pgha-ping-'));
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const dirs = {linuxOk: path.join(root, 'a'), linuxLost: path.join(root, 'b'), winUnreachable: path.join(root, 'c'), winOk: path.join(root, 'd')};
	await fakePing(dirs.linuxOk, 'ping', '[ "$1 $2 $3 $4" = "-c 1 -W 1" ] || exit 9; echo "64 bytes from $5: icmp_seq=1 ttl=64 time=0.3 ms"');
	await fakePing(dirs.linuxLost, 'ping', 'exit 1');
	await fakePing(dirs.winUnreachable, 'ping.exe', 'echo "Ответ от 192.168.0.1: Заданный узел недоступен."; exit 0');
	await fakePing(dirs.winOk, 'PING.EXE'.toLowerCase(), '[ "$1 $2 $3 $4" = "-n 1 -w 1000" ] || exit 9; echo "Ответ от $5: число байт=32 время<1мс TTL=64"');
	const ping = async (platform: 'linux' | 'win32', dir: string) =>
		directProbeRunner({host: hostEnv({platform, env: {PATH: dir}, path: path.posix}), timeouts}).ping('192.168.0.30');
	t.is(await ping('linux', dirs.linuxOk), 'reply');
	t.is(await ping('linux', dirs.linuxLost), 'no-reply');
	t.is(await ping('win32', dirs.winUnreachable), 'no-reply');
	t.is(await ping('win32', dirs.winOk), 'reply');
	t.is(await ping('win32', dirs.linuxOk), 'unavailable', 'Windows runs ping.exe, not an extensionless file');
	t.is(await ping('linux', path.join(root, 'nothing')), 'unavailable');
});

test('subnets: membership and the host table', t => {
	t.true(inCidr('192.168.0.30', '192.168.0.10/24'));
	t.false(inCidr('192.168.1.30', '192.168.0.10/24'));
	t.true(inCidr('10.1.2.3', '10.0.0.1/8'));
	t.true(inCidr('127.0.0.1', '127.0.0.1/8'));
	t.false(inCidr('not-an-ip', '10.0.0.1/8'));
	const table = {
		lo: [{address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8'}],
		'Беспроводная сеть': [
			{address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: 'aa:bb:cc:dd:ee:ff', internal: false, cidr: 'fe80::1/64', scopeid: 3},
			{address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: 'aa:bb:cc:dd:ee:ff', internal: false, cidr: '192.168.1.20/24'},
		],
	} as const;
	t.deepEqual(hostSubnets(table as unknown as NodeJS.Dict<os.NetworkInterfaceInfo[]>), [
		{name: 'lo', cidr: '127.0.0.1/8'},
		{name: 'Беспроводная сеть', cidr: '192.168.1.20/24'},
	]);
});

function reach(tcp: TcpProbe, extra: Partial<NodeReach> = {}): NodeReach {
	return {node: node(1), tcp, ...extra};
}

test('diagnosis: each failure names its cause and fix in both languages', t => {
	const open = diagnose(reach({status: 'open', banner: 'SSH-2.0-OpenSSH_9.6'}));
	t.true(open.ok);
	t.is(open.finding, undefined);

	const notSsh = diagnose(reach({status: 'open', banner: 'HTTP/1.1 400 Bad Request'}));
	t.false(notSsh.ok);
	t.regex(notSsh.finding!.text.en, /not with SSH \("HTTP\/1.1 400 Bad Request"\).*sshPort/);

	const refused = diagnose(reach({status: 'refused'}, {ping: 'reply'}));
	t.regex(refused.finding!.text.en, /^pg-node-1: 192\.168\.0\.30 refuses connections on port 22.*"SSH server" step.*openssh-server/);
	t.regex(refused.finding!.text.ru, /шаг руководства «SSH-сервер»/);

	const wrongNet = diagnose(reach({status: 'timeout'}, {ping: 'no-reply', foreignTo: ['127.0.0.1/8', '192.168.1.20/24']}));
	t.regex(wrongNet.finding!.text.en, /in none of this computer's networks \(192\.168\.1\.20\/24\).*Adapter 1 > Name/);
	t.regex(wrongNet.finding!.text.ru, /не входит ни в одну сеть этого компьютера/);
	t.regex(diagnose(reach({status: 'unreachable', detail: 'EHOSTUNREACH'}, {foreignTo: ['10.0.0.5/24']})).finding!.text.en, /none of this computer's networks/);

	const firewall = diagnose(reach({status: 'timeout'}, {ping: 'reply'}));
	t.regex(firewall.finding!.text.en, /answers ping but port 22 stays silent.*ufw allow OpenSSH/);

	const off = diagnose(reach({status: 'timeout'}, {ping: 'no-reply'}));
	t.regex(off.finding!.text.en, /no answer from 192\.168\.0\.30:22 within 3 s: the VM is off/);
	t.regex(diagnose(reach({status: 'timeout'}, {ping: 'unavailable'})).finding!.text.ru, /ВМ выключена/);

	const down = diagnose(reach({status: 'unreachable', detail: 'EHOSTUNREACH'}, {ping: 'no-reply'}));
	t.regex(down.finding!.text.en, /nothing answers at 192\.168\.0\.30 \(EHOSTUNREACH\)/);
});

test('the stage on loopback: the node with sshd passes, the closed port points to the SSH server step', async t => {
	const server = await listener('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n');
	t.teardown(server.close);
	const closed = await closedPort();
	const c = cluster({
		nodes: [
			node(1, {ip: '127.0.0.1', sshPort: server.port}),
			node(2, {ip: '127.0.0.1', sshPort: closed}),
			node(3, {ip: '127.0.0.1', sshPort: server.port}),
		],
	});
	const stage = createReachabilityStage({host: {platform: 'linux', env: {PATH: '/nonexistent'}}, timeouts});
	const h = harness(c);
	const [step] = stage.steps;
	t.false(await step!.check(h.context()));
	const error = await t.throwsAsync(runStep(step!, h.context()), {instanceOf: StepError});
	t.is(error!.message, `pg-node-2: 127.0.0.1 refuses connections on port ${closed}, so no SSH server runs there: do the guide's "SSH server" step in the VM window (sudo apt install -y openssh-server && sudo systemctl enable --now ssh) or correct sshPort in the cluster file.`);
	t.true(h.lines.some(line => line.startsWith(`pg-node-1: 127.0.0.1:${server.port} is reachable (SSH-2.0-OpenSSH_9.2p1 Debian-2)`)));

	const healthy = cluster({nodes: [1, 2, 3].map(index => node(index, {ip: '127.0.0.1', sshPort: server.port}))});
	t.false(await runStep(step!, harness(healthy).context()), 'all open: nothing to apply, verify passes');
});

test('a node outside every host subnet gets the bridged-adapter diagnosis (subnets injected)', async t => {
	const closed = await closedPort();
	const c = cluster({nodes: [node(1, {ip: '127.0.0.1', sshPort: closed})]});
	// A probe runner that times out, as a real VM on another network would.
	const stage = createReachabilityStage({
		probeRunner: () => ({label: 'fake', tcp: async () => ({status: 'timeout'}), ping: async () => 'no-reply'}),
		interfaces: () => ({eth0: [{address: '10.9.8.7', netmask: '255.255.255.0', family: 'IPv4', mac: '00:11:22:33:44:55', internal: false, cidr: '10.9.8.7/24'}]}),
	});
	const error = await t.throwsAsync(runStep(stage.steps[0]!, harness(c).context()), {instanceOf: StepError});
	t.regex(error!.message, /in none of this computer's networks \(10\.9\.8\.7\/24\)/);
});

test('lab clusters probe through their namespace and skip the subnet diagnosis', async t => {
	const seen: string[] = [];
	const stage = createReachabilityStage({
		probeRunner: cluster => {
			seen.push(cluster.lab?.netns ?? 'none');
			return {label: 'fake', tcp: async () => ({status: 'timeout'}), ping: async () => 'no-reply'};
		},
		interfaces: () => ({eth0: [{address: '10.9.8.7', netmask: '255.255.255.0', family: 'IPv4', mac: '00:11:22:33:44:55', internal: false, cidr: '10.9.8.7/24'}]}),
	});
	const error = await t.throwsAsync(runStep(stage.steps[0]!, harness(cluster({lab: {netns: 'lab-sw'}})).context()), {instanceOf: StepError});
	t.deepEqual(seen, ['lab-sw', 'lab-sw']);
	t.false(error!.message.includes('networks'));
	t.regex(error!.message, /no answer from 192\.168\.0\.30:22/);
});

test('the reachability texts exist in both languages', t => {
	const stage = createReachabilityStage();
	for (const text of [stage.title, stage.explain, stage.differsFromGuide!, ...stage.steps.flatMap(step => [step.title, step.explain])]) {
		t.regex(text.ru, /[а-яё]/i);
		t.not(text.ru, text.en);
	}
});
