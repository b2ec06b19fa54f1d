import test from 'ava';
import {sha256} from '../../steps/commands.ts';
import {
	configPlan, dynamicConfigDiffers, judgeCluster, parsePatroniList, parseReplication, patroniStage, validationErrors,
} from '../../steps/patroni.ts';
import {StepError, type Action} from '../../source/core/step.ts';
import {sampleCluster, sampleSecrets, ScriptedRemote, stepContext} from '../helpers/install-fixtures.ts';

const cluster = sampleCluster('postgres: {version: 16}');
const secrets = sampleSecrets();
const step = (id: string) => patroniStage.steps.find(item => item.id === id)!;

/** patronictl 3.0.2 `list -f json` on a healthy cluster (replicas say "running" in 3.0). */
const healthyList = JSON.stringify([
	{Cluster: 'pg-cluster', Member: 'pg-node-1', Host: '192.168.0.30', Role: 'Leader', State: 'running', TL: 1},
	{Cluster: 'pg-cluster', Member: 'pg-node-2', Host: '192.168.0.31', Role: 'Replica', State: 'running', TL: 1, 'Lag in MB': 0},
	{Cluster: 'pg-cluster', Member: 'pg-node-3', Host: '192.168.0.32', Role: 'Replica', State: 'running', TL: 1, 'Lag in MB': 0},
]);

test('patronictl list JSON parses; one leader plus streaming replicas is healthy', t => {
	const members = parsePatroniList(healthyList)!;
	t.is(members.length, 3);
	t.like(members[1], {member: 'pg-node-2', role: 'Replica', state: 'running', timeline: 1, lagMb: 0});
	const streaming = new Map([['pg-node-2', 'streaming'], ['pg-node-3', 'streaming']]);
	t.true(judgeCluster(cluster, members, streaming).ok);
	// Patroni 4 says "streaming" for the replicas; same verdict.
	t.true(judgeCluster(cluster, members.map(member => member.role === 'Replica' ? {...member, state: 'streaming'} : member), streaming).ok);
});

test('not healthy: a replica still catching up, two leaders, a missing member, no pg_stat_replication', t => {
	const members = parsePatroniList(healthyList)!;
	const catching = judgeCluster(cluster, members, new Map([['pg-node-2', 'streaming'], ['pg-node-3', 'catchup']]));
	t.false(catching.ok);
	t.regex(catching.summary, /not streaming: pg-node-3/);
	t.false(judgeCluster(cluster, members.map(member => ({...member, role: 'Leader'})), new Map()).ok);
	t.false(judgeCluster(cluster, members.slice(0, 2), new Map([['pg-node-2', 'streaming']])).ok);
	t.false(judgeCluster(cluster, members.map(member => member.member === 'pg-node-3' ? {...member, state: 'creating replica'} : member), new Map([['pg-node-2', 'streaming']])).ok);
	t.false(judgeCluster(cluster, members, undefined).ok);
	t.false(judgeCluster(cluster, undefined, undefined).ok);
	t.is(parsePatroniList('Error: etcd is not reachable'), undefined);
	t.deepEqual(parseReplication('pg-node-2 streaming\npg-node-3 streaming\n'), new Map([['pg-node-2', 'streaming'], ['pg-node-3', 'streaming']]));
});

test('the cluster step asks patronictl on its node and pg_stat_replication on the leader\'s node', async t => {
	// After a failover the leader is pg-node-2: its node is asked for pg_stat_replication.
	const failedOver = JSON.stringify(parsePatroniList(healthyList)!.map(member => ({
		Member: member.member, Host: member.host, Role: member.member === 'pg-node-2' ? 'Leader' : 'Replica', State: 'running', TL: 2,
	})));
	const remotes = new Map(cluster.nodes.map(node => [node.name, new ScriptedRemote(node.name, node.ip)]));
	const first = remotes.get('pg-node-1')!.on('list -f json', {stdout: failedOver});
	remotes.get('pg-node-2')!.on('pg_stat_replication', {stdout: 'pg-node-1 streaming\npg-node-3 streaming\n'});
	const context = stepContext(cluster, secrets, first, {remotes});
	t.true(await step('patroni.cluster').check(context));
	t.is(first.calls[0]!.options?.asUser, 'postgres');
	t.true(first.calls[0]!.command.includes('/opt/patroni-venv/bin/patronictl -c /etc/patroni/config.yml list -f json'));
	const query = remotes.get('pg-node-2')!.calls.find(call => call.command.includes('pg_stat_replication'));
	t.is(query?.options?.asUser, 'postgres');
	t.true(query!.command.includes('psql -h /var/run/postgresql -p 5432 -U postgres'));
});

function patroniNode(files: readonly Action[], service: string): ScriptedRemote {
	const lines = files.filter(action => action.kind === 'write')
		.map(action => action.kind === 'write' ? `${action.path} ${action.mode.toString(8)} ${action.owner} ${action.group} ${sha256(action.content)}` : '');
	return new ScriptedRemote()
		.on('sha256sum <', {stdout: `${lines.join('\n')}\n`})
		.on('is-active patroni', {stdout: service});
}

const planned = () => configPlan({cluster, secrets, node: cluster.nodes[0]!, facts: new Map([['pg.major', '16']])});
const facts = () => new Map([['pg.major', '16']]);

test('config: written and validated as postgres before the first start', async t => {
	const remote = patroniNode([], 'active=inactive\nenabled=disabled\nNeedDaemonReload=no\n');
	const context = stepContext(cluster, secrets, remote, {facts: facts()});
	t.false(await step('patroni.config').check(context));
	await step('patroni.config').apply!(context);
	t.deepEqual(remote.uploads(), ['/etc/patroni/config.yml', '/etc/systemd/system/patroni.service']);
	const config = remote.calls.find(call => call.upload?.path === '/etc/patroni/config.yml')!.upload!;
	t.deepEqual(config.options, {mode: 0o600, owner: 'postgres', group: 'postgres'});
	const validate = remote.calls.find(call => call.command.includes('--validate-config'));
	t.is(validate?.options?.asUser, 'postgres');
	t.true(remote.commands().includes('install -d -m 0755 -o postgres -g postgres /var/lib/postgresql/16'));
	t.true(remote.commands().includes('systemctl daemon-reload'));
	t.false(remote.commands().some(command => command.includes('systemctl start') || command.includes('restart')));
});

test('config: the validator\'s complaint stops the step with its words; "port in use" alone does not', async t => {
	const rejecting = patroniNode([], 'active=inactive\n').on('--validate-config', {code: 1, stderr: 'etcd3 is not a dictionary\n'});
	const error = await t.throwsAsync(step('patroni.config').apply!(stepContext(cluster, secrets, rejecting, {facts: facts()})), {instanceOf: StepError});
	t.regex(error!.message, /patroni --validate-config rejected \/etc\/patroni\/config.yml: etcd3 is not a dictionary/);
	t.deepEqual(validationErrors('postgresql.listen 192.168.0.30,127.0.0.1:5432 Port 5432 is already in use.\n'), []);
	const busy = patroniNode([], 'active=inactive\n').on('--validate-config', {code: 1, stderr: 'postgresql.listen 192.168.0.30,127.0.0.1:5432 Port 5432 is already in use.\n'});
	await t.notThrowsAsync(step('patroni.config').apply!(stepContext(cluster, secrets, busy, {facts: facts()})));
});

test('config: a running Patroni gets a reload for a changed file, never a restart', async t => {
	const unitOnly = planned().filter(action => action.kind !== 'write' || action.path !== '/etc/patroni/config.yml');
	const remote = patroniNode(unitOnly, 'active=active\nenabled=enabled\nNeedDaemonReload=no\n');
	const log: string[] = [];
	const context = stepContext(cluster, secrets, remote, {facts: facts(), log});
	t.false(await step('patroni.config').check(context));
	await step('patroni.config').apply!(context);
	t.deepEqual(remote.uploads(), ['/etc/patroni/config.yml']);
	t.true(remote.commands().includes('systemctl reload patroni'));
	t.false(remote.commands().some(command => command.includes('restart') || command.includes('--validate-config')));

	const done = patroniNode(planned(), 'active=active\nenabled=enabled\nNeedDaemonReload=no\n');
	done.on('test -d', {code: 0});
	t.true(await step('patroni.config').check(stepContext(cluster, secrets, done, {facts: facts()})));
	const reloadPending = patroniNode(planned(), 'active=active\nenabled=enabled\nNeedDaemonReload=yes\n');
	t.false(await step('patroni.config').check(stepContext(cluster, secrets, reloadPending, {facts: facts()})));
});

test('config on a resumed run re-detects the PostgreSQL major from the node', async t => {
	const auto = sampleCluster('postgres: {version: auto}');
	const remote = patroniNode([], 'active=inactive\n').on('ls -1d /usr/lib/postgresql', {stdout: '/usr/lib/postgresql/15/bin/postgres\n/usr/lib/postgresql/16/bin/postgres\n'});
	const context = stepContext(auto, secrets, remote);
	await step('patroni.config').apply!(context);
	t.is(context.facts.get('pg.major'), '16');
	const config = remote.calls.find(call => call.upload?.path === '/etc/patroni/config.yml')!.upload!.content.toString();
	t.true(config.includes('bin_dir: /usr/lib/postgresql/16/bin'));
});

test('leader first: done only when the service runs and the cluster has a running leader', async t => {
	const started = new ScriptedRemote()
		.on('is-active patroni', {stdout: 'active=active\nenabled=enabled\nNeedDaemonReload=no\n'})
		.on('list -f json', {stdout: healthyList});
	t.true(await step('patroni.leader').check(stepContext(cluster, secrets, started)));
	const noLeader = new ScriptedRemote()
		.on('is-active patroni', {stdout: 'active=active\nenabled=enabled\n'})
		.on('list -f json', {stdout: healthyList.replace('"Leader"', '"Replica"')});
	t.false(await step('patroni.leader').check(stepContext(cluster, secrets, noLeader)));
	t.deepEqual(step('patroni.leader').targets!(cluster), ['pg-node-1']);
	t.deepEqual(step('patroni.replicas').targets!(cluster), ['pg-node-2', 'pg-node-3']);
});

test('dynamic configuration: differences with the cluster file are found in show-config output', t => {
	const showConfig = 'failsafe_mode: true\nloop_wait: 10\nmaximum_lag_on_failover: 1048576\npostgresql:\n  use_pg_rewind: true\nretry_timeout: 10\nttl: 30\n';
	t.deepEqual(dynamicConfigDiffers(cluster, showConfig), []);
	t.deepEqual(dynamicConfigDiffers(cluster, showConfig.replace('failsafe_mode: true\n', '')), ['failsafe_mode']);
	t.deepEqual(dynamicConfigDiffers(sampleCluster('failsafe_mode: false'), showConfig), ['failsafe_mode']);
	t.deepEqual(dynamicConfigDiffers(sampleCluster('timing: {preset: fast}'), showConfig), ['ttl', 'loop_wait', 'retry_timeout']);
	t.deepEqual(dynamicConfigDiffers(sampleCluster('synchronous_mode: true'), showConfig), ['synchronous_mode']);
});
