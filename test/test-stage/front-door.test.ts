/**
 * The front door on the lab: HAProxy on every node behind a floating address held by keepalived.
 * A student's path: a VIP someone else already uses is refused before anything changes; then
 * `pgha apply` builds the layout (synchronous, HAProxy checking every second), a second apply changes
 * nothing, `pgha test --only kill --timing fast` runs one drill with another Patroni timing and puts
 * the file's back, and the layout can be switched to the course's single HAProxy and back without
 * PostgreSQL restarting. Every fault of the test stage on this layout is run by the wizard's practice-lab test
 * (test/wizard-e2e/practice-lab.test.ts), with the default settings a student gets.
 */
import test from 'ava';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import type {TestReport} from '../../source/cluster-test/model.ts';
import {predictOutage} from '../../source/cluster-test/prediction.ts';
import {
	makeWorkdir, nodeNumbers, nodeOutput, outputLines, postmasterPid, psqlValue, readCluster, readSecrets, runPgha, writeCluster,
	type Workdir,
} from '../helpers/e2e.ts';
import {inSwitch, labExec, requireLab, useLab} from '../helpers/lab.ts';

useLab(test);

const vip = '192.168.0.40';
/** An address the switch itself takes, standing in for a printer that already uses it. */
const takenAddress = '192.168.0.41';

let work: Workdir | undefined;
test.after.always(() => work?.remove());

/** Which nodes hold `address` on an interface, read inside every node (not through pgha). */
async function holders(address: string): Promise<string[]> {
	const found: string[] = [];
	for (const node of nodeNumbers()) {
		const result = await labExec(node, `ip -o -4 addr show | grep -c ' ${address}/' || true`, {timeoutMs: 30_000});
		if (Number(result.stdout.trim()) > 0) found.push(`pg-node-${node}`);
	}

	return found;
}

function frontDoor(doc: Record<string, unknown>): void {
	doc['haproxy'] = {nodes: 'all', vip, inter: '1s'};
	doc['synchronous_mode'] = true;
}

test.serial('a floating address another machine already answers on is refused in the VM checks, before anything is installed', async t => {
	if (!requireLab(t)) return;
	const refused = makeWorkdir('vip-taken', doc => {
		frontDoor(doc);
		doc['haproxy'] = {nodes: 'all', vip: takenAddress};
	});
	await inSwitch('ip', ['addr', 'add', `${takenAddress}/24`, 'dev', 'br0']);
	try {
		const run = await runPgha({cwd: refused.dir, home: refused.home, args: ['apply', '--yes'], timeoutMs: 5 * 60_000});
		t.not(run.code, 0);
		const text = `${run.stdout}\n${run.stderr}`;
		t.true(text.includes(`another machine already answers on ${takenAddress} (haproxy.vip)`), outputLines(text).slice(-15).join('\n'));
		// Nothing was installed: the packages stage never ran.
		t.false(text.includes('Package installation'));
		t.is((await labExec(1, 'dpkg-query -W -f=\'${Status}\' haproxy 2>/dev/null || true')).stdout.includes('installed'), false);
	} finally {
		await inSwitch('ip', ['addr', 'del', `${takenAddress}/24`, 'dev', 'br0']);
		refused.remove();
	}
});

test.serial('pgha apply builds HAProxy on every node behind one floating address, and a second apply changes nothing', async t => {
	if (!requireLab(t)) return;
	t.timeout(20 * 60_000);
	work = makeWorkdir('front-door', frontDoor);
	const apply = await runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes'], timeoutMs: 15 * 60_000});
	t.is(apply.code, 0, `apply failed:\n${apply.stderr}\n${outputLines(apply.stdout).slice(-30).join('\n')}`);
	if (apply.code !== 0) return;

	t.deepEqual((await holders(vip)).length, 1, 'exactly one node holds the VIP');
	for (const node of nodeNumbers()) {
		t.is(await nodeOutput(node, 'systemctl is-active keepalived haproxy | sort -u'), 'active');
		t.is(await nodeOutput(node, 'stat -c %a /etc/keepalived/keepalived.conf'), '600');
		t.regex(await nodeOutput(node, 'cat /etc/keepalived/keepalived.conf'), /unicast_peer \{\n(\s+192\.168\.0\.\d+\n){2}\s+\}/);
	}

	// A client on the LAN (the switch) writes through the VIP and reads through it from a replica.
	const secrets = readSecrets(work);
	const password = secrets['superuser_password']!;
	t.is(await psqlValue({host: vip, port: 5000, password}, 'select pg_is_in_recovery()'), 'f');
	t.is(await psqlValue({host: vip, port: 5001, password}, 'select pg_is_in_recovery()'), 't');

	const pids = await Promise.all(nodeNumbers().map(postmasterPid));
	const again = await runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes'], timeoutMs: 10 * 60_000});
	t.is(again.code, 0, outputLines(again.stdout).slice(-20).join('\n'));
	const applied = outputLines(again.stdout).filter(line => /^✔ pg-node-\d: /.test(line));
	t.deepEqual(applied, [], 'the second apply did something on a node');
	t.false(/systemctl (restart|reload) /.test(again.stdout));
	t.deepEqual(await Promise.all(nodeNumbers().map(postmasterPid)), pids);

	const status = await runPgha({cwd: work.dir, home: work.home, args: ['status', '--lang', 'en'], timeoutMs: 2 * 60_000});
	t.is(status.code, 0);
	t.true(status.stdout.includes(`holds ${vip}`));
	t.true(status.stdout.includes('postgresql://postgres@192.168.0.30:5000,192.168.0.31:5000,192.168.0.32:5000/postgres?target_session_attrs=read-write'));
});

test.serial('pgha test --only kill --timing fast: the run uses ttl 20 through Patroni\'s dynamic configuration, and the file\'s 30/10/10 is back afterwards', async t => {
	if (!requireLab(t) || !work) return;
	t.timeout(10 * 60_000);
	const run = await runPgha({cwd: work.dir, home: work.home, args: ['test', '--only', 'kill', '--timing', 'fast', '--lang', 'en'], timeoutMs: 9 * 60_000});
	const lines = outputLines(run.stdout);
	t.is(run.code, 0, `pgha test failed:\n${run.stderr}\n${lines.slice(-40).join('\n')}`);
	t.true(lines.some(line => line.includes('Timing "fast" for this test: ttl 20, loop_wait 5, retry_timeout 5')), lines.slice(0, 10).join('\n'));
	t.true(lines.some(line => line.includes('Timing put back: ttl 30, loop_wait 10, retry_timeout 10')), lines.slice(-10).join('\n'));
	const reportLine = lines.find(line => line.trim().startsWith('Report: '));
	if (!reportLine) {
		t.fail('no report line');
		return;
	}

	const report = JSON.parse(readFileSync(path.join(path.dirname(reportLine.trim().slice('Report: '.length)), 'report.json'), 'utf8')) as TestReport;
	t.like(report.settings, {ttl: 20, loopWait: 5, retryTimeout: 5});
	t.deepEqual(report.checks.filter(check => !check.ok), []);
	const kill = report.faults.find(fault => fault.kind === 'kill');
	t.truthy(kill?.outageMs, 'the killed leader\'s outage was measured');
	const predicted = predictOutage(report.settings, 'kill', {vip: true});
	t.log(`kill with fast timing: outage ${((kill?.outageMs ?? 0) / 1000).toFixed(1)} s, predicted ${predicted ? `${(predicted.minMs / 1000).toFixed(1)}-${(predicted.maxMs / 1000).toFixed(1)} s` : 'none'}`);
	t.true(predicted !== undefined && kill!.outageMs! >= predicted.minMs && kill!.outageMs! <= predicted.maxMs, 'the fast timing\'s prediction holds the measured outage');
	// Its phases, read on the nodes, add up to the outage within half a second.
	t.deepEqual(kill?.phases?.phases.map(phase => phase.id), ['detection', 'election', 'routing', 'client']);
	t.deepEqual(kill?.phases?.phases.filter(phase => phase.ms === null).map(phase => phase.evidence.en), []);
	t.true((kill?.phases?.gapMs ?? Infinity) <= 500, `phases sum to ${kill?.phases?.sumMs} ms of ${kill?.outageMs} ms`);
	t.log(`kill with fast timing, phases: ${kill?.phases?.phases.map(phase => `${phase.id} ${phase.ms} ms (${phase.evidence.en})`).join('; ')}`);
	// Read in etcd through Patroni, on a node: the file's values, not the preset's.
	const shown = await nodeOutput(1, 'cd / && runuser -u postgres -- "$(command -v patronictl || echo /opt/patroni-venv/bin/patronictl)" -c /etc/patroni/config.yml show-config');
	t.regex(shown, /^ttl: 30$/m);
	t.regex(shown, /^loop_wait: 10$/m);
	t.regex(shown, /^retry_timeout: 10$/m);
});

test.serial('switching to the course\'s single HAProxy and back re-runs idempotently without restarting PostgreSQL', async t => {
	if (!requireLab(t) || !work) return;
	t.timeout(20 * 60_000);
	const before = await Promise.all(nodeNumbers().map(postmasterPid));
	const doc = readCluster(work.clusterFile);
	writeCluster(work.clusterFile, doc, edited => {
		edited['haproxy'] = {node: 'pg-node-1', inter: '1s'};
	});
	const single = await runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes'], timeoutMs: 10 * 60_000});
	t.is(single.code, 0, outputLines(single.stdout).slice(-20).join('\n'));
	t.deepEqual(await holders(vip), [], 'no node holds the VIP in the single layout');
	t.is(await nodeOutput(1, 'systemctl is-active haproxy'), 'active');
	for (const node of [2, 3]) t.not((await labExec(node, 'systemctl is-active haproxy')).stdout.trim(), 'active');
	for (const node of nodeNumbers()) t.not((await labExec(node, 'systemctl is-active keepalived')).stdout.trim(), 'active');

	writeCluster(work.clusterFile, doc);
	const back = await runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes'], timeoutMs: 10 * 60_000});
	t.is(back.code, 0, outputLines(back.stdout).slice(-20).join('\n'));
	t.is((await holders(vip)).length, 1);
	t.deepEqual(await Promise.all(nodeNumbers().map(postmasterPid)), before, 'PostgreSQL was restarted');
	work.remove();
	work = undefined;
});
