import test from 'ava';
import {mkdtemp, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {sha256} from '../../steps/commands.ts';
import {configPlan, haproxyStage, parseStatsCsv, recoveryQueryCommand, routingSettled} from '../../steps/haproxy.ts';
import {StepError} from '../../source/core/step.ts';
import {runLocally, sampleCluster, sampleSecrets, ScriptedRemote, stepContext} from '../helpers/install-fixtures.ts';

const cluster = sampleCluster();
const secrets = sampleSecrets();
const step = (id: string) => haproxyStage.steps.find(item => item.id === id)!;

function liveFile(): string {
	const write = configPlan({cluster, secrets, node: cluster.nodes[0]!, facts: new Map()}).find(action => action.kind === 'write')!;
	return write.kind === 'write' ? `/etc/haproxy/haproxy.cfg 600 root root ${sha256(write.content)}\n` : '';
}

test('config: unchanged file and a running service is done; nothing restarts', async t => {
	const remote = new ScriptedRemote().on('sha256sum <', {stdout: liveFile()}).on('is-active haproxy', {stdout: 'active=active\nenabled=enabled\n'});
	t.true(await step('haproxy.config').check(stepContext(cluster, secrets, remote)));
	const stopped = new ScriptedRemote().on('sha256sum <', {stdout: liveFile()}).on('is-active haproxy', {stdout: 'active=inactive\nenabled=enabled\n'});
	const context = stepContext(cluster, secrets, stopped);
	t.false(await step('haproxy.config').check(context));
	await step('haproxy.config').apply!(context);
	t.true(stopped.commands().includes('systemctl start haproxy'));
	t.false(stopped.commands().some(command => command.includes('restart')));
	t.deepEqual(stopped.uploads(), []);
});

test('config: a new file is checked with haproxy -c as a candidate, then installed and HAProxy restarted', async t => {
	const remote = new ScriptedRemote().on('sha256sum <', {stdout: '/etc/haproxy/haproxy.cfg 644 root root 00\n'}).on('is-active haproxy', {stdout: 'active=active\nenabled=enabled\n'});
	await step('haproxy.config').apply!(stepContext(cluster, secrets, remote));
	const order = remote.calls.map(call => call.kind === 'upload' ? `upload ${call.upload!.path}` : call.command);
	const candidate = order.indexOf('upload /etc/haproxy/haproxy.cfg.pgha-candidate');
	const check = order.indexOf('haproxy -c -f /etc/haproxy/haproxy.cfg.pgha-candidate');
	const install = order.indexOf('mv -f /etc/haproxy/haproxy.cfg.pgha-candidate /etc/haproxy/haproxy.cfg');
	const restart = order.indexOf('systemctl restart haproxy');
	t.true(candidate >= 0 && check > candidate && install > check && restart > install, order.join('\n'));
	t.is(remote.calls.find(call => call.upload)?.upload?.options.mode, 0o600);
});

test('config: when haproxy -c refuses the candidate, the live file stays and nothing restarts', async t => {
	const remote = new ScriptedRemote()
		.on('sha256sum <', {stdout: '/etc/haproxy/haproxy.cfg -\n'})
		.on('haproxy -c', {code: 1, stdout: '[ALERT]    (1) : config : parsing [x:3] : unknown keyword\n'});
	const error = await t.throwsAsync(step('haproxy.config').apply!(stepContext(cluster, secrets, remote)), {instanceOf: StepError});
	t.regex(error!.message, /haproxy -c rejected the new configuration: \[ALERT\]/);
	t.false(remote.commands().some(command => command.startsWith('mv -f') || command.includes('restart')));
});

test('stats CSV: UP servers per proxy, FRONTEND/BACKEND rows and transitional states not counted', t => {
	const csv = [
		'# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight',
		'primary,FRONTEND,,,0,0,262119,0,0,0,0,0,0,,,,,OPEN,',
		'primary,pg-node-1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1',
		'primary,pg-node-2,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1',
		'primary,pg-node-3,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1',
		'primary,BACKEND,0,0,0,0,26212,0,0,0,0,,0,0,0,0,0,UP,1',
		'replicas,pg-node-1,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1',
		'replicas,pg-node-2,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1',
		'replicas,pg-node-3,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP 1/2,1',
	].join('\n');
	const counts = parseStatsCsv(csv);
	t.deepEqual(counts.get('primary'), {up: 1, servers: 3});
	t.deepEqual(counts.get('replicas'), {up: 1, servers: 3});
	t.false(routingSettled(cluster, counts));
	t.true(routingSettled(cluster, parseStatsCsv(csv.replace('UP 1/2', 'UP'))));
});

test('psql through HAProxy: the password is read from stdin into the environment, never an argument', async t => {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pgha-psql-'));
	// A stand-in psql that reports how it was called.
	await writeFile(path.join(dir, 'psql'), '#!/bin/sh\necho "args=$*"\necho "env=$PGPASSWORD"\n', {mode: 0o755});
	const command = recoveryQueryCommand(5000);
	t.false(command.includes(secrets.superuserPassword));
	const result = await runLocally(command, {input: `${secrets.superuserPassword}\n`, env: {...process.env, PATH: `${dir}:${process.env['PATH']}`}});
	t.is(result.code, 0, result.stderr);
	t.regex(result.stdout, /^args=host=127\.0\.0\.1 port=5000 user=postgres dbname=postgres connect_timeout=5 -XAtqc select pg_is_in_recovery\(\)$/m);
	t.true(result.stdout.includes(`env=${secrets.superuserPassword}`));
	t.false(/^args=.*PGPASSWORD/m.test(result.stdout));
});

test('routing check: settled stats, then 5000 answers f and 5001 answers t', async t => {
	const csv = '# pxname,svname,status\nprimary,pg-node-1,UP\nprimary,pg-node-2,DOWN\nprimary,pg-node-3,DOWN\nreplicas,pg-node-1,DOWN\nreplicas,pg-node-2,UP\nreplicas,pg-node-3,UP\n';
	const remote = new ScriptedRemote()
		.on('stats;csv', {stdout: csv})
		.on('port=5000', {stdout: 'f\n'})
		.on('port=5001', {stdout: 't\n'});
	t.true(await step('haproxy.routing').check(stepContext(cluster, secrets, remote)));
	const stats = remote.calls.find(call => call.command.includes('stats;csv'))!;
	t.is(stats.options?.stdin, `user = "admin:${secrets.haproxyStatsPassword}"\n`);
	t.is(remote.calls.find(call => call.command.includes('port=5000'))!.options?.stdin, `${secrets.superuserPassword}\n`);
	for (const call of remote.calls) t.false(call.command.includes(secrets.haproxyStatsPassword) || call.command.includes(secrets.superuserPassword));
	const wrong = new ScriptedRemote().on('stats;csv', {stdout: csv}).on('port=5000', {stdout: 't\n'}).on('port=5001', {stdout: 't\n'});
	t.false(await step('haproxy.routing').check(stepContext(cluster, secrets, wrong)));
});
