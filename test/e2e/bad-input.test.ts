/**
 * Bad input on real nodes (issue 4): a wrong SSH password, a wrong sudo password, a node that is
 * down, cloned VMs (one machine-id) and a foreign process on 5432. Each must end with a non-zero
 * exit code, one clear sentence naming the node and the fix, and nothing installed or created.
 */
import test, {type ExecutionContext} from 'ava';
import {execFileSync} from 'node:child_process';
import {join} from 'node:path';
import {labCli, labExec, requireLab, useLab} from '../helpers/lab.ts';
import {makeWorkdir, nodeIp, nodeNumbers, nodeOutput, runPgha, type PghaResult, type Workdir} from '../helpers/e2e.ts';

useLab(test);

/** What pgha's first changing stages would leave on a node. */
const footprint = [
	'id -u patroni >/dev/null 2>&1 && echo user:patroni',
	// Any major: trixie nodes offer 17, bookworm nodes 15.
	"dpkg-query -W -f='${Package} ${Status}\\n' 'postgresql-[0-9]*' 2>/dev/null | grep 'install ok installed' | sed 's/ .*//; s/^/package:/'",
	"dpkg-query -W -f='${Status}\\n' etcd-server 2>/dev/null | grep -q 'install ok installed' && echo package:etcd-server",
	'test -e /etc/patroni && echo dir:/etc/patroni',
	'test -e /etc/etcd && echo dir:/etc/etcd',
	'test -e /home/student/.ssh/authorized_keys && echo file:authorized_keys',
	'true',
].join('; ');

async function assertUntouched(t: ExecutionContext, allowed: readonly string[] = []): Promise<void> {
	for (const node of nodeNumbers()) {
		const found = (await nodeOutput(node, footprint)).split('\n').filter(line => line && !allowed.includes(line));
		t.deepEqual(found, [], `pg-node-${node} was changed`);
	}
}

/** Undo a test's change on a node; a node that is off (a failed test) is reset by the next file anyway. */
async function cleanup(node: number, command: string): Promise<void> {
	try {
		await labExec(node, command);
	} catch {}
}

const escape = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function refused(t: ExecutionContext, result: PghaResult, pattern: RegExp): void {
	t.log(`exit ${result.code} in ${result.ms} ms\n${result.stderr.trim()}`);
	t.is(result.code, 1);
	t.false(result.timedOut);
	t.regex(result.stderr, pattern);
	t.notRegex(result.stdout, /The cluster is healthy/);
	// Nothing past the checks ran: no step of a changing stage finished on any node.
	t.notRegex(result.stdout, /^✔ (Admin user with sudo|Packages:)/m);
}

/** The VM checks failed and the next stage (the first that changes anything) never started. */
function stoppedAtVmChecks(t: ExecutionContext, result: PghaResult): void {
	t.regex(result.stderr, /^✖ Virtual machine checks/m);
	t.regex(result.stdout, /^❯ Virtual machine checks$/m);
	t.notRegex(result.stdout, /^❯ The patroni user$/m);
}

async function apply(work: Workdir, env?: Record<string, string | undefined>): Promise<PghaResult> {
	return runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes'], env, timeoutMs: 5 * 60_000});
}

test.serial('a wrong SSH password: the login is refused and nothing is touched', async t => {
	if (!requireLab(t)) return;
	const work = makeWorkdir('bad-password');
	try {
		const result = await apply(work, {PGHA_SSH_PASSWORD: 'not-the-password'});
		for (const node of nodeNumbers()) t.regex(result.stderr, new RegExp(`^pg-node-${node} \\(${escape(nodeIp(node))}\\) rejected the login of user "student": the password or key is wrong`, 'm'));
		refused(t, result, /check the user name in the cluster file and the password/);
		t.notRegex(result.stdout, /^❯ /m, 'no stage started');
		await assertUntouched(t);
	} finally {
		work.remove();
	}
});

test.serial('a wrong sudo password (key login works): sudo is refused and nothing is touched', async t => {
	if (!requireLab(t)) return;
	const keyWork = makeWorkdir('bad-sudo');
	const key = join(keyWork.dir, 'id_ed25519');
	execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pgha-e2e', '-f', key]);
	const publicKey = execFileSync('cat', [`${key}.pub`], {encoding: 'utf8'}).trim();
	const work = makeWorkdir('bad-sudo', doc => {
		for (const node of doc.nodes) node.ssh.auth = {key};
	});
	try {
		for (const node of nodeNumbers()) {
			await nodeOutput(node, `install -d -m 700 -o student -g student /home/student/.ssh && echo '${publicKey}' > /home/student/.ssh/authorized_keys && chown student:student /home/student/.ssh/authorized_keys && chmod 600 /home/student/.ssh/authorized_keys`);
		}

		const result = await apply(work, {PGHA_SSH_PASSWORD: 'not-the-sudo-password'});
		refused(t, result, /^pg-node-1: sudo on pg-node-1 rejected the password of user "student"; enter that user's own login password/m);
		stoppedAtVmChecks(t, result);
		await assertUntouched(t, ['file:authorized_keys']);
	} finally {
		work.remove();
		keyWork.remove();
		for (const node of nodeNumbers()) await cleanup(node, 'rm -f /home/student/.ssh/authorized_keys');
	}
});

test.serial('a node that is down: pgha names it and stops before any change', async t => {
	if (!requireLab(t)) return;
	const work = makeWorkdir('node-down');
	const stopped = await labCli(['stop-node', '2']);
	t.is(stopped.code, 0, stopped.stderr);
	try {
		const result = await apply(work);
		// In the lab a powered-off node's address still answers with a TCP reset ("refused"); a real VM
		// that is off does not answer at all.
		const at = `pg-node-2 \\(${escape(nodeIp(2))}\\)`;
		refused(t, result, new RegExp(`^(${at} refused the SSH connection|${at} did not answer within|There is no route to ${at})`, 'm'));
		t.notRegex(result.stdout, /^❯ /m, 'no stage started');
		t.notRegex(result.stderr, /pg-node-[13] \(/, 'only the node that is down is blamed');
	} finally {
		const started = await labCli(['start-node', '2']);
		t.is(started.code, 0, started.stderr);
		work.remove();
	}

	await assertUntouched(t);
});

test.serial('cloned VMs (one machine-id on two nodes): the VM checks stop before any change', async t => {
	if (!requireLab(t)) return;
	const work = makeWorkdir('machine-id');
	const original = await nodeOutput(2, 'cat /etc/machine-id');
	const first = await nodeOutput(1, 'cat /etc/machine-id');
	await nodeOutput(2, `echo ${first} > /etc/machine-id`);
	try {
		const result = await apply(work);
		refused(t, result, /^pg-node-1: cluster: nodes pg-node-1, pg-node-2 share one \/etc\/machine-id \(cloned VMs\)/m);
		stoppedAtVmChecks(t, result);
		t.regex(result.stderr, /systemd-machine-id-setup/);
		await assertUntouched(t);
	} finally {
		work.remove();
		await cleanup(2, `echo ${original} > /etc/machine-id`);
	}
});

test.serial('a foreign process on port 5432: the VM checks name it and stop before any change', async t => {
	if (!requireLab(t)) return;
	const work = makeWorkdir('port-5432');
	await nodeOutput(3, 'systemd-run --unit=pgha-e2e-foreign-5432 --property=Type=simple /usr/bin/python3 -m http.server 5432 --bind 0.0.0.0');
	try {
		// The listener is up before pgha looks (bounded: 10 s).
		await nodeOutput(3, 'for i in $(seq 50); do ss -ltnH "sport = :5432" | grep -q . && exit 0; sleep 0.2; done; exit 1');
		const result = await apply(work);
		stoppedAtVmChecks(t, result);
		// Named with its command line and PID, how it was started, and the command that stops it.
		refused(t, result, /^pg-node-3: port 5432 \(needed by PostgreSQL\) is held by \/usr\/bin\/python3 -m http\.server 5432 --bind 0\.0\.0\.0 \(PID \d+, root\), started by the service pgha-e2e-foreign-5432\.service\..* Stop and disable that service: sudo systemctl disable --now pgha-e2e-foreign-5432\.service, then run pgha again\.$/m);
		await assertUntouched(t);
	} finally {
		work.remove();
		await cleanup(3, 'systemctl stop pgha-e2e-foreign-5432; systemctl reset-failed pgha-e2e-foreign-5432 2>/dev/null; true');
	}
});
