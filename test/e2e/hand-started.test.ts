/**
 * Issue 18, item 3: a student who followed the guide by hand has etcd running from `nohup` in a
 * login session. The VM checks name that process (PID, owner, command line, how it was started, its
 * data), the command they advise works as written, and afterwards the check passes with the
 * student's etcd data still on disk.
 */
import test from 'ava';
import {readFileSync} from 'node:fs';
import {labExec, labSsh, requireLab, tcpOpen, useLab} from '../helpers/lab.ts';
import {nodeIp, outputTail, runPgha, useEtcdRelease, waitUntil} from '../helpers/e2e.ts';

useLab(test);
const etcd = useEtcdRelease(test);

/** The guide's etcd section, one member, typed by the student on pg-node-1 and started with nohup. */
function guideConfig(ip: string): string {
	return [
		'name: etcd1',
		'data-dir: /home/student/etcd-data1',
		`listen-client-urls: http://${ip}:2379,http://127.0.0.1:2379`,
		`advertise-client-urls: http://${ip}:2379`,
		`listen-peer-urls: http://${ip}:2380`,
		`initial-advertise-peer-urls: http://${ip}:2380`,
		`initial-cluster: etcd1=http://${ip}:2380`,
		'initial-cluster-state: new',
		'initial-cluster-token: by-hand',
		'',
	].join('\n');
}

test.serial('etcd started by hand with nohup: the VM checks name it and how to stop it, and the advice works', async t => {
	if (!requireLab(t)) return;
	t.timeout(8 * 60_000);
	const ip = nodeIp(1);
	// The tarball's binary in /usr/local/bin, as the guide installs it.
	const binary = readFileSync(etcd.release().etcdBinary).toString('base64');
	const copied = await labExec(1, 'base64 -d > /usr/local/bin/etcd && chmod 755 /usr/local/bin/etcd', {input: binary});
	t.is(copied.code, 0, copied.stderr);
	// The file as the student saved it (sshpass holds ssh's stdin, so it is written from outside)...
	const written = await labExec(1, 'cat > /home/student/etcd1.conf && chown student: /home/student/etcd1.conf', {input: guideConfig(ip)});
	t.is(written.code, 0, written.stderr);
	// ...and etcd started the guide's way, over SSH in the student's login session.
	const started = await labSsh(1, 'nohup etcd --config-file ~/etcd1.conf > ~/etcd1.log 2>&1 < /dev/null &', {timeoutMs: 30_000});
	t.is(started.code, 0, started.stderr);
	t.truthy(await waitUntil(async () => ((await tcpOpen(ip, 2379)) ? true : undefined), {attempts: 30, intervalMs: 1000}), 'the hand-started etcd answers on 2379');

	const work = etcd.workdir('hand-etcd');
	const refused = await runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes', '--only', 'vm-checks']});
	t.is(refused.code, 1, outputTail(refused, 25));
	const output = refused.stdout + refused.stderr;
	// The lab's password is the user's name, so pgha's masking stars "student" out wherever it appears.
	const student = '(?:student|\\*{6})';
	// One finding for the one process, naming both its ports.
	const named = new RegExp(`ports 2379 and 2380 \\(needed by etcd\\) are held by etcd --config-file /home/${student}/etcd1\\.conf \\(PID (\\d+), ${student}\\), started by hand in a login session \\(nohup or a terminal\\), not by the etcd\\.service pgha sets up; its data: /home/${student}/etcd-data1\\.`).exec(output);
	t.truthy(named, outputTail(refused, 25));
	t.notRegex(output, /port 2380 \(needed by etcd\) is held by/);
	const advice = new RegExp(`Stop it: (sudo kill ${named?.[1]}), then run pgha again\\.`).exec(output);
	t.truthy(advice, outputTail(refused, 25));

	// The advice exactly as printed (run as root on the node: sudo passes straight through).
	const stopped = await labExec(1, advice![1]!);
	t.is(stopped.code, 0, stopped.stderr);
	t.truthy(await waitUntil(async () => ((await tcpOpen(ip, 2379)) ? undefined : true), {attempts: 30, intervalMs: 1000}), 'etcd let go of 2379');

	const passed = await runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes', '--only', 'vm-checks']});
	t.is(passed.code, 0, outputTail(passed, 25));
	const kept = await labExec(1, 'test -d /home/student/etcd-data1/member && echo kept');
	t.is(kept.stdout.trim(), 'kept', 'the student\'s etcd data is still there');
});
