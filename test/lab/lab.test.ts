/**
 * The lab as a student and as pgha see it: SSH with a password, sudo, apt from the local repository,
 * distinct machines, no way out, and the fault commands. One file, serial: the tests share the lab.
 * The last test takes the lab down and brings it up again, so later files still find it.
 */
import test from 'ava';
import {existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs';
import {leaderPid, supervisorPid, nodeCgroups} from '../../source/lab/node.ts';
import {pidAlive} from '../../source/lab/pids.ts';
import {runningServerPid} from '../../source/lab/repo-server.ts';
import {nodesDir, releasePaths} from '../../source/lab/settings.ts';
import {
	inSwitch, labAvailable, labCli, labClusterFile, labExec, labNode, labNodes, labResetNodes, labSsh, labSshPassword,
	labState, requireLab, runCommand, tcpOpen, useLab,
} from '../helpers/lab.ts';

useLab(test);

const sudo = (command: string) => `sudo -S -p '' sh -c '${command}'`;

/** Polls `check` every 500 ms up to `attempts` times; the loop always ends. */
async function eventually(check: () => Promise<boolean>, attempts = 120): Promise<boolean> {
	for (let i = 0; i < attempts; i++) {
		if (await check()) return true;
		await new Promise(resolve => setTimeout(resolve, 500));
	}

	return false;
}

test.serial('every node accepts SSH with the lab password and has its own hostname', async t => {
	if (!requireLab(t)) return;
	for (const node of labNodes()) {
		const result = await labSsh(node, 'hostname; id -un');
		t.is(result.code, 0, result.stderr);
		t.is(result.stdout, `${node.name}\nstudent\n`);
	}
});

test.serial('a wrong password and a password login as root are refused', async t => {
	if (!requireLab(t)) return;
	const wrong = await labSsh(1, 'true', {password: 'not-the-password'});
	t.not(wrong.code, 0);
	t.regex(wrong.stderr, /Permission denied/);
	const root = await labSsh(1, 'true', {user: 'root'});
	t.not(root.code, 0);
	t.regex(root.stderr, /Permission denied/);
});

test.serial('sudo asks for the password, like on a course VM', async t => {
	if (!requireLab(t)) return;
	const withoutPassword = await labSsh(2, 'sudo -n true');
	t.not(withoutPassword.code, 0);
	t.regex(withoutPassword.stderr, /password is required/);
	const withPassword = await labSsh(2, "sudo -S -p '' id -u", {input: `${labSshPassword}\n`});
	t.is(withPassword.code, 0, withPassword.stderr);
	t.is(withPassword.stdout.trim(), '0');
});

test.serial('apt-get installs a cluster package from the local repository', async t => {
	if (!requireLab(t)) return;
	const before = await labSsh(3, 'command -v etcdctl');
	t.not(before.code, 0, 'a fresh node has no etcd-client');
	const install = await labSsh(3, sudo('apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y etcd-client'), {
		input: `${labSshPassword}\n`,
		timeoutMs: 300_000,
	});
	t.is(install.code, 0, install.stderr);
	t.true(install.stdout.includes(`http://${labState()!.switchIp}/debian`), install.stdout);
	const version = await labSsh(3, 'etcdctl version');
	t.regex(version.stdout, /etcdctl version: 3\./);
});

test.serial('machine-ids, ssh host keys and hostnames differ between nodes', async t => {
	if (!requireLab(t)) return;
	const machineIds = new Set<string>();
	const hostKeys = new Set<string>();
	const hostnames = new Set<string>();
	for (const node of labNodes()) {
		const id = await labExec(node, 'cat /etc/machine-id');
		t.regex(id.stdout, /^[0-9a-f]{32}\n$/);
		machineIds.add(id.stdout);
		hostnames.add((await labExec(node, 'hostname')).stdout);
		// The key sshd really offers, as a client sees it.
		const scan = await inSwitch('ssh-keyscan', ['-t', 'ed25519', node.ip]);
		const key = /ssh-ed25519 (\S+)/.exec(scan.stdout)?.[1];
		t.truthy(key, scan.stderr);
		hostKeys.add(key ?? '');
	}

	t.is(machineIds.size, labNodes().length);
	t.is(hostKeys.size, labNodes().length);
	t.is(hostnames.size, labNodes().length);
});

test.serial('systemd runs on every node with no failed unit', async t => {
	if (!requireLab(t)) return;
	for (const node of labNodes()) {
		const running = await labExec(node, 'systemctl is-system-running --wait');
		t.is(running.stdout.trim(), 'running', `${node.name}: ${(await labExec(node, 'systemctl --failed --no-legend')).stdout}`);
	}
});

test.serial('nothing leaves the lab: no default route, outside addresses are unreachable', async t => {
	if (!requireLab(t)) return;
	const routes = await labExec(1, 'ip route show default');
	t.is(routes.code, 0);
	t.is(routes.stdout.trim(), '');
	const lookup = await labExec(1, 'ip route get 1.1.1.1');
	t.not(lookup.code, 0);
	t.regex(lookup.stderr, /Network is unreachable/);
	const connect = await labExec(1, "bash -c 'exec 3<>/dev/tcp/203.0.113.1/80'");
	t.not(connect.code, 0);
	t.regex(connect.stderr, /Network is unreachable/);
	const forwarding = await inSwitch('cat', ['/proc/sys/net/ipv4/ip_forward']);
	t.is(forwarding.stdout.trim(), '0');
	const switchRoutes = await inSwitch('ip', ['route', 'show', 'default']);
	t.is(switchRoutes.stdout.trim(), '');
	// The lab's addresses exist only inside its namespaces.
	const host = await runCommand('ip', ['-o', 'addr', 'show']);
	t.false(host.stdout.includes(`${labState()!.switchIp}/24`));
});

test.serial('the nodes reach the switch and each other, and the runner resolves their names', async t => {
	if (!requireLab(t)) return;
	const [first, second] = labNodes();
	const ping = await labExec(first!, `ping -c 1 -W 2 ${second!.ip}`);
	t.is(ping.code, 0, ping.stdout + ping.stderr);
	const byName = await inSwitch('getent', ['hosts', first!.name]);
	t.is(byName.stdout.split(/\s+/)[0], first!.ip);
});

test.serial('exec runs a root command in a node and passes its exit code through', async t => {
	if (!requireLab(t)) return;
	const result = await labCli(['exec', '2', '--', 'id -u; hostname; exit 7']);
	t.is(result.code, 7);
	t.is(result.stdout, '0\npg-node-2\n');
	const argv = await labCli(['exec', '2', '--', 'test', '-d', '/etc']);
	t.is(argv.code, 0);
});

test.serial('stop-node powers a node off; start-node boots it again with its data', async t => {
	if (!requireLab(t)) return;
	const node = labNode(3);
	await labExec(node, 'echo kept > /root/marker');
	const stop = await labCli(['stop-node', '3']);
	t.is(stop.code, 0, stop.stderr);
	t.is(leaderPid(node), undefined);
	t.false(await tcpOpen(node.ip, 22));
	// Like a powered-off VM: no answer at all, not "connection refused" (which means "no SSH server").
	const probe = await inSwitch('timeout', ['6', 'bash', '-c', `exec 3<>/dev/tcp/${node.ip}/22`]);
	t.not(probe.code, 0);
	t.notRegex(probe.stderr, /refused/i);
	t.regex((await labCli(['status'])).stdout, /pg-node-3\s+192\.168\.0\.32\s+down/);
	const start = await labCli(['start-node', '3']);
	t.is(start.code, 0, start.stderr);
	t.regex((await labCli(['status'])).stdout, /pg-node-3\s+192\.168\.0\.32\s+up/);
	t.is((await labSsh(node, 'hostname')).stdout.trim(), node.name);
	t.is((await labExec(node, 'cat /root/marker')).stdout, 'kept\n');
});

test.serial('cut unplugs a node from the network and heal plugs it back', async t => {
	if (!requireLab(t)) return;
	const node = labNode(2);
	t.teardown(async () => {
		await labCli(['heal', '2']);
	});
	const cut = await labCli(['cut', '2']);
	t.is(cut.code, 0, cut.stderr);
	t.false(await tcpOpen(node.ip, 22));
	const link = await labExec(node, 'ip -o link show eth0');
	t.regex(link.stdout, /NO-CARRIER/);
	const fromNode = await labExec(node, `ping -c 1 -W 1 ${labState()!.switchIp}`);
	t.not(fromNode.code, 0);
	t.regex((await labCli(['status'])).stdout, /pg-node-2\s+192\.168\.0\.31\s+up, network cut/);
	const heal = await labCli(['heal', '2']);
	t.is(heal.code, 0, heal.stderr);
	t.true(await eventually(async () => (await labSsh(node, 'true')).code === 0, 20));
});

test.serial('a reboot inside a node boots it again', async t => {
	if (!requireLab(t)) return;
	const node = labNode(1);
	const before = leaderPid(node);
	await labExec(node, 'systemctl reboot');
	const rebooted = await eventually(async () => {
		const now = leaderPid(node);
		return now !== undefined && now !== before && (await labSsh(node, 'true')).code === 0;
	});
	t.true(rebooted);
});

test.serial('reset gives fresh nodes: files and identity are gone', async t => {
	if (!requireLab(t)) return;
	await labExec(1, 'touch /root/before-reset');
	const idBefore = (await labExec(1, 'cat /etc/machine-id')).stdout;
	await labResetNodes();
	const after = await labExec(1, 'test -e /root/before-reset');
	t.is(after.code, 1);
	t.not((await labExec(1, 'cat /etc/machine-id')).stdout, idBefore);
	for (const node of labNodes()) t.is((await labSsh(node, 'hostname')).stdout.trim(), node.name);
});

test.serial('build again changes nothing while the lab is up', async t => {
	if (!requireLab(t)) return;
	const stamp = statSync(releasePaths(labState()!.release).rootfsStamp).mtimeMs;
	const result = await labCli(['build']);
	t.is(result.code, 0, result.stderr);
	t.regex(result.stdout, /Nothing changed/);
	t.is(statSync(releasePaths(labState()!.release).rootfsStamp).mtimeMs, stamp);
});

test.serial('up refuses to start a second lab', async t => {
	if (!requireLab(t)) return;
	const result = await labCli(['up', '-o', '/tmp/pgha-lab-second.yaml']);
	t.is(result.code, 1);
	t.regex(result.stderr, /already up/);
	t.false(existsSync('/tmp/pgha-lab-second.yaml'));
});

test.serial('down leaves no namespace, mount, process or cgroup behind; up restores the lab', async t => {
	if (!requireLab(t)) return;
	const state = labState()!;
	const clusterFile = labClusterFile()!;
	const clusterText = readFileSync(clusterFile, 'utf8');
	const nodes = labNodes();
	const pids = [runningServerPid(), ...nodes.flatMap(node => [supervisorPid(node), leaderPid(node)])];
	t.true(pids.every(pid => pid !== undefined), 'every lab process is found before down');
	const cgroups = nodes.flatMap(node => nodeCgroups(node));

	const down = await labCli(['down']);
	t.is(down.code, 0, down.stderr);
	try {
		const namespaces = await runCommand('ip', ['netns', 'list']);
		t.notRegex(namespaces.stdout, /lab-/);
		const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
		t.false(mountinfo.includes('pgha-lab'), 'no lab mount (overlays, nspawn tmpfs)');
		t.false(mountinfo.includes(nodesDir));
		// A killed orphan may linger as a zombie until PID 1 reaps it; it runs nothing any more.
		for (const pid of pids) t.false(pidAlive(pid!), `process ${pid} is gone`);
		for (const dir of cgroups) t.false(existsSync(dir), `${dir} is gone`);
		t.false(existsSync('/run/pgha-lab'));
		t.false(existsSync(nodesDir) && readdirSync(nodesDir).length > 0);
		t.false(labAvailable());
		const status = await labCli(['status']);
		t.is(status.code, 3);
		t.regex(status.stdout, /The lab is down/);
	} finally {
		// What a reboot (or a copy of the disk) leaves when /run is not a tmpfs: the records of a lab
		// of which nothing runs. `up` must clear them instead of answering "already up".
		mkdirSync('/run/pgha-lab', {recursive: true});
		writeFileSync('/run/pgha-lab/state.json', JSON.stringify({...state, phase: 'up'}));
		mkdirSync('/run/netns', {recursive: true});
		writeFileSync(`/run/netns/${state.switchNetns}`, '');
		// Later test files need the lab: always bring it back as it was.
		const up = await labCli(['up', '--nodes', String(state.nodeCount), '--prefix', state.prefix, '-o', clusterFile]);
		t.is(up.code, 0, up.stderr);
		t.regex(up.stdout + up.stderr, /records of a lab of which nothing runs/);
	}

	t.true(labAvailable());
	t.is(readFileSync(clusterFile, 'utf8'), clusterText);
	for (const node of labNodes()) t.is((await labSsh(node, 'hostname')).stdout.trim(), node.name);
});
