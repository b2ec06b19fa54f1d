import test from 'ava';
import {newestMajor} from '../../steps/facts.ts';
import {
	defaultClusterGone, defaultClusterStateCommand, installedStateCommand, missingPackages, sameMajorProblem,
} from '../../steps/packages.ts';
import {packageList, packagesStage} from '../../steps/index.ts';
import {parsePatroniVersion, patroniInstallStage, patroniProbeCommand} from '../../steps/patroni-install.ts';
import {sshServerReady, sshStateCommand} from '../../steps/ssh-server.ts';
import {StepError} from '../../source/core/step.ts';
import {runLocally, sampleCluster, sampleSecrets, ScriptedRemote, stepContext} from '../helpers/install-fixtures.ts';

const installed = (names: readonly string[]) => names.map(name => `${name} install ok installed`).join('\n');

test('dpkg-query through the real command: installed packages found, unknown ones missing', async t => {
	const packages = ['bash', 'coreutils', 'pgha-no-such-package'];
	const result = await runLocally(installedStateCommand(packages));
	t.is(result.code, 0);
	t.deepEqual(missingPackages(packages, result.stdout), ['pgha-no-such-package']);
});

test('the newest postgresql-NN among apt-cache names; client and contrib names do not count', t => {
	t.is(newestMajor('postgresql-14\npostgresql-16\npostgresql-client-17\npostgresql-contrib\npostgresql-16-pgvector\npostgresql-9\n', /^postgresql-(\d+)$/), 16);
	t.is(newestMajor('', /^postgresql-(\d+)$/), undefined);
});

test('the packaged-cluster probe runs and reads back', async t => {
	const result = await runLocally(defaultClusterStateCommand('15'));
	t.regex(result.stdout, /^main=(yes|no)$/m);
	t.true(defaultClusterGone('main=no\nenabled=disabled\nactive=inactive\n'));
	t.false(defaultClusterGone('main=yes\nenabled=disabled\nactive=inactive\n'));
	t.false(defaultClusterGone('main=no\nenabled=enabled\nactive=inactive\n'));
	t.false(defaultClusterGone('main=no\nenabled=disabled\nactive=active\n'));
});

test('packages check with postgres auto: the newest offered major, installed, is done and becomes a fact', async t => {
	const cluster = sampleCluster('postgres: {version: auto}');
	const node = cluster.nodes[1]!;
	const step = packagesStage.steps[0]!;
	const wanted = packageList(cluster, node, '16');
	const remote = new ScriptedRemote(node.name, node.ip)
		.on('apt-cache pkgnames', {stdout: 'postgresql-15\npostgresql-16\npostgresql-client-16\n'})
		.on('dpkg-query', {stdout: installed(wanted)});
	const context = stepContext(cluster, sampleSecrets(), remote, {node});
	t.true(await step.check(context));
	t.is(context.facts.get('pg.major'), '16');
	const partial = new ScriptedRemote(node.name, node.ip)
		.on('apt-cache pkgnames', {stdout: 'postgresql-16\n'})
		.on('dpkg-query', {stdout: installed(wanted.slice(1))});
	t.false(await step.check(stepContext(cluster, sampleSecrets(), partial, {node})));
});

test('packages apply: drop-in first, then update, then the install of the major found after the update', async t => {
	const cluster = sampleCluster('postgres: {version: auto}');
	const step = packagesStage.steps[0]!;
	const remote = new ScriptedRemote().on('apt-cache pkgnames', {stdout: 'postgresql-16\npostgresql-17\n'});
	const context = stepContext(cluster, sampleSecrets(), remote);
	await step.apply!(context);
	const order = remote.calls.map(call => call.kind === 'upload' ? call.upload!.path : call.command);
	const dropIn = order.indexOf('/etc/postgresql-common/createcluster.d/pgha.conf');
	const update = order.findIndex(command => command.includes('Lock::Timeout=600 update'));
	const install = order.findIndex(command => command.includes('install -y --no-install-recommends postgresql-17 postgresql-client-17'));
	t.true(dropIn >= 0 && update > dropIn && install > update, order.join('\n'));
	t.is(context.facts.get('pg.major'), '17');
});

test('a major the repositories do not offer stops with a clear message and installs nothing', async t => {
	const cluster = sampleCluster('postgres: {version: 18}');
	const step = packagesStage.steps[0]!;
	const remote = new ScriptedRemote()
		.on('apt-cache pkgnames', {stdout: 'postgresql-16\n'})
		.on('apt-cache policy postgresql-18', {stdout: 'postgresql-18:\n  Installed: (none)\n  Candidate: (none)\n'});
	const error = await t.throwsAsync(step.apply!(stepContext(cluster, sampleSecrets(), remote)), {instanceOf: StepError});
	t.regex(error!.message, /PostgreSQL 18 is not in the node's repositories \(16 is\)/);
	t.regex(error!.say('ru'), /postgresVersion: auto|PGDG/);
	t.false(remote.commands().some(command => command.includes('install -y --no-install-recommends')));
});

test('ssh server: socket-activated sshd (Ubuntu 24.04) counts as enabled; a missing package does not', async t => {
	t.true(sshServerReady('installed=yes\nssh.service.enabled=disabled\nssh.service.active=active\nssh.socket.enabled=enabled\nssh.socket.active=active\n'));
	t.true(sshServerReady('installed=yes\nssh.service.enabled=enabled\nssh.service.active=active\nssh.socket.enabled=disabled\nssh.socket.active=inactive\n'));
	t.false(sshServerReady('installed=no\nssh.service.enabled=enabled\nssh.service.active=active\n'));
	t.false(sshServerReady('installed=yes\nssh.service.enabled=disabled\nssh.service.active=inactive\nssh.socket.enabled=disabled\nssh.socket.active=inactive\n'));
	const real = await runLocally(sshStateCommand);
	t.regex(real.stdout, /^installed=(yes|no)$/m);
	t.regex(real.stdout, /^ssh\.socket\.active=/m);
});

test('Patroni install: version parsed from both sources, the probe imports what etcd3 needs', async t => {
	t.is(parsePatroniVersion('patroni 3.0.2\n'), '3.0.2');
	t.is(parsePatroniVersion('patroni 4.1.0\n'), '4.1.0');
	t.is(parsePatroniVersion('command not found'), undefined);
	const venv = sampleCluster();
	t.true(patroniProbeCommand(venv).includes(`/opt/patroni-venv/bin/python3 -c '\\''import patroni, psycopg2, etcd'\\''`));
	t.true(patroniProbeCommand(venv).includes('readlink /usr/local/bin/patronictl'));
	t.is((await runLocally('bash -n', {input: patroniProbeCommand(venv)})).code, 0);

	const packaged = sampleCluster('patroni: {source: package}');
	const step = patroniInstallStage.steps[0]!;
	const ready = new ScriptedRemote()
		.on('dpkg-query', {stdout: installed(['patroni', 'python3-psycopg2', 'python3-etcd'])})
		.on('--version', {stdout: 'patroni 3.0.2\n'});
	const context = stepContext(packaged, sampleSecrets(), ready);
	t.true(await step.check(context));
	t.is(context.facts.get('patroni.version'), '3.0.2');
	t.is(ready.calls.find(call => call.command.includes('--version'))?.options?.asUser, 'postgres');
	const broken = new ScriptedRemote().on('dpkg-query', {stdout: installed(['patroni'])});
	t.false(await step.check(stepContext(packaged, sampleSecrets(), broken)));
});

test('auto never moves an existing cluster: the data directory\'s major wins over a newer package', async t => {
	const cluster = sampleCluster('postgres: {version: auto}');
	const step = packagesStage.steps[0]!;
	const remote = new ScriptedRemote()
		.on('PG_VERSION', {stdout: '/var/lib/postgresql/16/pg-cluster/PG_VERSION\n'})
		.on('apt-cache pkgnames', {stdout: 'postgresql-16\npostgresql-17\n'})
		.on('dpkg-query', {stdout: installed(packageList(cluster, cluster.nodes[0]!, '16'))});
	const context = stepContext(cluster, sampleSecrets(), remote);
	t.true(await step.check(context));
	t.is(context.facts.get('pg.major'), '16');
	const applying = new ScriptedRemote()
		.on('PG_VERSION', {stdout: '/var/lib/postgresql/16/pg-cluster/PG_VERSION\n'})
		.on('apt-cache pkgnames', {stdout: 'postgresql-16\npostgresql-17\n'});
	await step.apply!(stepContext(cluster, sampleSecrets(), applying));
	t.true(applying.commands().some(command => command.includes('postgresql-16 postgresql-client-16')));
	t.false(applying.commands().some(command => command.includes('postgresql-17')));
});

test('every node must run the same major', async t => {
	const names = ['pg-node-1', 'pg-node-2', 'pg-node-3'];
	t.is(sameMajorProblem(new Map(names.map(name => [name, '16'])), names), undefined);
	t.is(sameMajorProblem(new Map([['pg-node-1', '16'], ['pg-node-2', '17'], ['pg-node-3', '16']]), names), 'pg-node-1: 16, pg-node-2: 17, pg-node-3: 16');
	t.is(sameMajorProblem(new Map([['pg-node-1', '16']]), names), 'no PostgreSQL found on pg-node-2, pg-node-3');
	const cluster = sampleCluster('postgres: {version: auto}');
	const step = packagesStage.steps.find(item => item.id === 'packages.same-major')!;
	const remotes = new Map(cluster.nodes.map((node, index) => [node.name, new ScriptedRemote(node.name, node.ip)
		.on('ls -1d /usr/lib/postgresql', {stdout: `/usr/lib/postgresql/${index === 2 ? 17 : 16}/bin/postgres\n`})]));
	const context = stepContext(cluster, sampleSecrets(), remotes.get('pg-node-1')!, {remotes});
	t.false(await step.check(context));
	const error = await t.throwsAsync(step.verify(context), {instanceOf: StepError});
	t.regex(error!.message, /pg-node-3: 17/);
});
