import test from 'ava';
import type {ClusterConfig, NodeConfig, Secrets} from '../../source/core/cluster.ts';
import {aptGet} from '../../steps/commands.ts';
import {installStages} from '../../steps/index.ts';
import type {Stage} from '../../source/core/stage.ts';
import type {Action, Facts, Step} from '../../source/core/step.ts';
import {runLocally, sampleCluster, sampleSecrets} from '../helpers/install-fixtures.ts';

const secrets = sampleSecrets();

const variants: Record<string, ClusterConfig> = {
	'venv + download': sampleCluster('postgres: {version: 16}'),
	'package + package': sampleCluster('postgres: {version: 15}\npatroni: {source: package}\netcd: {source: package}'),
	'venv + upload': sampleCluster('postgres: {version: auto}\netcd: {source: upload, tarball: /srv/etcd-v3.5.11-linux-amd64.tar.gz}'),
};

function nodesOf(step: Step, cluster: ClusterConfig): NodeConfig[] {
	if (step.scope !== 'one-node') return [...cluster.nodes];
	const names = step.targets?.(cluster) ?? [cluster.nodes[0]!.name];
	return names.map(name => cluster.nodes.find(node => node.name === name)!);
}

function plans(cluster: ClusterConfig, planSecrets: Secrets = secrets, facts: Facts = new Map([['pg.major', '16']])): Array<{stage: Stage; step: Step; node: NodeConfig; actions: readonly Action[]}> {
	return installStages.flatMap(stage => stage.steps.flatMap(step => nodesOf(step, cluster).map(node => ({
		stage, step, node, actions: step.plan({cluster, secrets: planSecrets, node, facts}),
	}))));
}

function commandsOf(stageId: string, cluster: ClusterConfig, node = 0): string[] {
	return plans(cluster).filter(entry => entry.stage.id === stageId && entry.node.name === cluster.nodes[node]!.name)
		.flatMap(entry => entry.actions).filter(action => action.kind === 'run').map(action => action.command);
}

test('the stages follow the guide\'s order', t => {
	t.deepEqual(installStages.map(stage => stage.id), ['vm-checks', 'user', 'ssh-server', 'packages', 'patroni-install', 'etcd', 'patroni', 'haproxy', 'keepalived']);
});

test('every stage and step explains itself in Russian and English; step ids are unique', t => {
	const ids = new Set<string>();
	for (const stage of installStages) {
		for (const text of [stage.title, stage.explain, ...stage.differsFromGuide ? [stage.differsFromGuide] : []]) {
			t.true(text.ru.length > 3 && text.en.length > 3, stage.id);
			t.regex(text.ru, /[а-яё]/i, `${stage.id} has Russian text`);
		}

		for (const step of stage.steps) {
			t.false(ids.has(step.id), step.id);
			ids.add(step.id);
			t.true(step.id.startsWith(`${stage.id}.`), step.id);
			for (const text of [step.title, step.explain]) {
				t.true(text.ru.length > 3 && text.en.length > 3, step.id);
				t.regex(text.ru, /[а-яё]/i, `${step.id} has Russian text`);
				t.notRegex(text.en, /[а-яё]/i, `${step.id} English text is English`);
			}
		}
	}

	for (const id of ['patroni', 'haproxy', 'etcd']) t.truthy(installStages.find(stage => stage.id === id)?.differsFromGuide, id);
});

test('no secret ever appears in a command line, for any source, node or step', t => {
	const values = Object.values(secrets);
	for (const [name, cluster] of Object.entries(variants)) {
		for (const entry of plans(cluster)) {
			for (const action of entry.actions) {
				if (action.kind !== 'run') continue;
				for (const value of values) t.false(action.command.includes(value), `${name} ${entry.step.id} ${entry.node.name}`);
			}
		}
	}
});

test('files holding secrets are written with mode 0600; nothing is written world-writable', t => {
	const values = Object.values(secrets);
	for (const cluster of Object.values(variants)) {
		for (const entry of plans(cluster)) {
			for (const action of entry.actions) {
				if (action.kind !== 'write') continue;
				t.is(action.mode & 0o002, 0, action.path);
				if (values.some(value => action.content.includes(value))) t.is(action.mode, 0o600, action.path);
			}
		}
	}

	const writes = plans(variants['venv + download']!).flatMap(entry => entry.actions).filter(action => action.kind === 'write');
	const patroni = writes.find(action => action.path === '/etc/patroni/config.yml');
	t.like(patroni, {mode: 0o600, owner: 'postgres', group: 'postgres'});
	t.like(writes.find(action => action.path.startsWith('/etc/haproxy/')), {mode: 0o600});
});

test('every run command is valid shell, down to the scripts inside sh -c / bash -c', async t => {
	const seen = new Set<string>();
	for (const cluster of Object.values(variants)) {
		for (const entry of plans(cluster)) {
			for (const action of entry.actions) if (action.kind === 'run') seen.add(action.command);
		}
	}

	// `bash -n` parses without running; the script inside a `sh -c '...'` is unquoted and parsed too.
	for (const command of seen) {
		const top = await runLocally('bash -n', {input: command});
		t.is(top.code, 0, `${command}\n${top.stderr}`);
		for (const script of nestedScripts(command)) {
			const parsed = await runLocally('bash -n', {input: script});
			t.is(parsed.code, 0, `${script}\n${parsed.stderr}`);
		}
	}
});

/** Every script quoted (the way shq quotes) after `sh -c` or `bash -c`, at any depth. */
function nestedScripts(command: string): string[] {
	const scripts: string[] = [];
	for (const match of command.matchAll(/\b(?:sh|bash) -c ('[^']*'(?:\\''[^']*')*)/g)) {
		const script = match[1]!.slice(1, -1).replaceAll(`'\\''`, `'`);
		scripts.push(script, ...nestedScripts(script));
	}

	return scripts;
}

test('the nested-script finder really unquotes two levels (so the syntax test above can fail)', t => {
	const inner = `bash -c 'echo "it'\\''s"'`;
	const outer = `sh -c 'x=1; ${inner.replaceAll(`'`, `'\\''`)}'`;
	t.deepEqual(nestedScripts(outer), [`x=1; ${inner}`, `echo "it's"`]);
});

test('packages: lock-waiting apt, the chosen major, no unversioned contrib, the packaged cluster dropped', t => {
	const cluster = variants['venv + download']!;
	const commands = commandsOf('packages', cluster).join('\n');
	t.true(commands.includes('-o DPkg::Lock::Timeout=600'));
	t.true(commands.includes('DEBIAN_FRONTEND=noninteractive'));
	t.true(commands.includes(' update'));
	t.false(commands.includes(' upgrade'));
	t.true(commands.includes(`install -y --no-install-recommends postgresql-16 postgresql-client-16 curl python3-venv python3-pip python3-dev libpq-dev ca-certificates haproxy`));
	t.false(/postgresql-contrib\b/.test(commands));
	t.true(commands.includes('systemctl disable --now postgresql'));
	t.true(commands.includes('pg_dropcluster --stop 16 main'));
	// HAProxy only on its node; the distro Patroni and etcd only for the package sources.
	t.false(commandsOf('packages', cluster, 1).join('\n').includes('haproxy'));
	const packaged = commandsOf('packages', variants['package + package']!, 2).join('\n');
	t.true(packaged.includes('postgresql-15 postgresql-client-15 curl patroni python3-psycopg2 python3-etcd etcd-server etcd-client'));
	t.true(packaged.includes('pg_dropcluster --stop 15 main'));
});

test('packages: upgrade only when the cluster file asks, and the main cluster is never created', t => {
	const upgrading = sampleCluster('apt_upgrade: true\npostgres: {version: 16}');
	t.true(commandsOf('packages', upgrading).some(command => command.includes('--force-confold upgrade')));
	const writes = plans(variants['venv + download']!).flatMap(entry => entry.actions).filter(action => action.kind === 'write');
	t.like(writes.find(action => action.path === '/etc/postgresql-common/createcluster.d/pgha.conf'), {mode: 0o644});
	t.true(writes.find(action => action.path === '/etc/postgresql-common/createcluster.d/pgha.conf')!.content.includes('create_main_cluster = false'));
});

test('packages: with postgres auto and no facts yet, the runbook shows a placeholder, never a guess', t => {
	const cluster = variants['venv + upload']!;
	const runbook = plans(cluster, secrets, new Map()).filter(entry => entry.stage.id === 'packages').flatMap(entry => entry.actions)
		.filter(action => action.kind === 'run').map(action => action.command).join('\n');
	t.true(runbook.includes('postgresql-<major>'));
});

test('patroni install: the venv commands exactly, owned by postgres; the package source uses apt', t => {
	const venv = plans(variants['venv + download']!).find(entry => entry.step.id === 'patroni-install.patroni')!.actions;
	t.deepEqual(venv.map(action => action.kind === 'run' ? [action.command, action.asUser ?? (action.sudo ? 'root' : 'login')] : ['write']), [
		[`sh -c 'pkill -f '\\''[/]opt/patroni-venv/bin/pip install'\\'' ; rm -rf /opt/patroni-venv && install -d -m 0755 -o postgres -g postgres /opt/patroni-venv'`, 'root'],
		[`sh -c 'cd / && python3 -m venv /opt/patroni-venv'`, 'postgres'],
		[`sh -c 'cd / && /opt/patroni-venv/bin/pip install --no-cache-dir --disable-pip-version-check '\\''patroni[etcd3]==4.0.7'\\'' psycopg2-binary'`, 'postgres'],
		['ln -sfn /opt/patroni-venv/bin/patroni /usr/local/bin/patroni', 'root'],
		['ln -sfn /opt/patroni-venv/bin/patronictl /usr/local/bin/patronictl', 'root'],
	]);
	const packaged = plans(variants['package + package']!).find(entry => entry.step.id === 'patroni-install.patroni')!.actions;
	t.false(packaged.some(action => action.kind === 'run' && action.command.includes('pip install')));
	t.true(packaged.some(action => action.kind === 'run' && action.command.includes('install -y --no-install-recommends patroni python3-psycopg2 python3-etcd')));
});

test('etcd download: the release URL and its SHA256SUMS, fetched on the node, verified before unpacking', t => {
	const commands = commandsOf('etcd', variants['venv + download']!);
	const url = 'https://github.com/etcd-io/etcd/releases/download/v3.5.11/etcd-v3.5.11-linux-amd64.tar.gz';
	const fetch = commands.findIndex(command => command.includes('curl -fSL ') && command.includes(url));
	const sums = commands.findIndex(command => command.includes('https://github.com/etcd-io/etcd/releases/download/v3.5.11/SHA256SUMS'));
	const verify = commands.findIndex(command => command.includes('sha256sum -c --strict -'));
	const unpack = commands.findIndex(command => command.includes('tar -xzf'));
	t.true(fetch >= 0 && sums > fetch && verify > sums && unpack > verify);
	t.true(commands.some(command => command.includes('install -m 0755') && command.includes('/usr/local/bin/$f')));
});

test('etcd download honours the download base from the cluster file', t => {
	const local = sampleCluster('etcd: {download_base: "http://192.168.0.10/etcd/", version: 3.5.17}');
	const commands = commandsOf('etcd', local).join('\n');
	t.true(commands.includes('http://192.168.0.10/etcd/v3.5.17/etcd-v3.5.17-linux-amd64.tar.gz'));
	t.true(commands.includes('http://192.168.0.10/etcd/v3.5.17/SHA256SUMS'));
});

test('etcd: config, identity and unit written, members started without blocking', t => {
	for (const cluster of Object.values(variants)) {
		const entry = plans(cluster).find(item => item.step.id === 'etcd.configure')!;
		const paths = entry.actions.filter(action => action.kind === 'write').map(action => action.path);
		t.deepEqual(paths, ['/etc/etcd/etcd.conf.yml', '/var/lib/etcd/pg-cluster.pgha-identity', '/etc/systemd/system/etcd.service']);
		const commands = entry.actions.filter(action => action.kind === 'run').map(action => action.command);
		t.true(commands.some(command => command.includes('systemctl restart --no-block etcd')));
		t.false(commands.some(command => /systemctl (re)?start etcd/.test(command)));
		const unit = entry.actions.find(action => action.kind === 'write' && action.path.endsWith('etcd.service'));
		t.true(unit?.kind === 'write' && unit.content.includes(cluster.etcd.source === 'package' ? 'ExecStart=/usr/bin/etcd ' : 'ExecStart=/usr/local/bin/etcd '));
	}

	// The package's auto-started single-node member goes first.
	const packaged = commandsOf('etcd', variants['package + package']!);
	t.true(packaged.includes('rm -rf /var/lib/etcd/default'));
	t.false(commandsOf('etcd', variants['venv + download']!).includes('rm -rf /var/lib/etcd/default'));
});

test('patroni: config validated before start, leader first, then the others', t => {
	const cluster = variants['venv + download']!;
	const all = plans(cluster).filter(entry => entry.stage.id === 'patroni');
	t.deepEqual(all.filter(entry => entry.step.id === 'patroni.leader').map(entry => entry.node.name), ['pg-node-1']);
	t.deepEqual(all.filter(entry => entry.step.id === 'patroni.replicas').map(entry => entry.node.name), ['pg-node-2', 'pg-node-3']);
	const stepOrder = installStages.find(stage => stage.id === 'patroni')!.steps.map(step => step.id);
	t.true(stepOrder.indexOf('patroni.leader') < stepOrder.indexOf('patroni.replicas'));
	const config = all.find(entry => entry.step.id === 'patroni.config')!.actions;
	t.true(config.some(action => action.kind === 'run' && action.command.includes('/opt/patroni-venv/bin/patroni --validate-config /etc/patroni/config.yml') && action.asUser === 'postgres'));
	t.true(all.find(entry => entry.step.id === 'patroni.leader')!.actions.some(action => action.kind === 'run' && action.command === 'systemctl enable --now patroni'));
	t.true(all.find(entry => entry.step.id === 'patroni.dynamic-config')!.actions.some(action => action.kind === 'run'
		&& action.command.includes('edit-config --force -s ttl=30 -s loop_wait=10 -s retry_timeout=10 -s maximum_lag_on_failover=1048576 -s synchronous_mode=false')));
	const unit = config.find(action => action.kind === 'write' && action.path === '/etc/systemd/system/patroni.service');
	t.true(unit?.kind === 'write' && unit.content.includes('ExecStart=/opt/patroni-venv/bin/patroni /etc/patroni/config.yml'));
	const packagedUnit = plans(variants['package + package']!).find(entry => entry.step.id === 'patroni.config')!.actions
		.find(action => action.kind === 'write' && action.path === '/etc/systemd/system/patroni.service');
	t.true(packagedUnit?.kind === 'write' && packagedUnit.content.includes('ExecStart=/usr/bin/patroni /etc/patroni/config.yml'));
});

test('haproxy: configured only on its node (the others only stop an HAProxy pgha set up earlier), checked with haproxy -c before it replaces the live file', t => {
	const cluster = sampleCluster('haproxy: {node: pg-node-2}');
	const entries = plans(cluster).filter(entry => entry.stage.id === 'haproxy');
	const writers = entries.filter(entry => entry.actions.some(action => action.kind === 'write'));
	t.deepEqual([...new Set(writers.map(entry => entry.node.name))], ['pg-node-2']);
	t.deepEqual([...new Set(entries.filter(entry => entry.step.id === 'haproxy.routing').map(entry => entry.node.name))], ['pg-node-2']);
	for (const other of entries.filter(entry => entry.node.name !== 'pg-node-2')) {
		t.true(other.actions.every(action => action.kind === 'run' && action.command.includes('grep -q') && action.command.includes('systemctl disable --now haproxy')));
	}

	const actions = entries.find(entry => entry.step.id === 'haproxy.config' && entry.node.name === 'pg-node-2')!.actions;
	const check = actions.findIndex(action => action.kind === 'run' && action.command === 'haproxy -c -f /etc/haproxy/haproxy.cfg.pgha-candidate');
	const candidate = actions.findIndex(action => action.kind === 'write' && action.path === '/etc/haproxy/haproxy.cfg.pgha-candidate');
	const install = actions.findIndex(action => action.kind === 'run' && action.command.startsWith('mv -f /etc/haproxy/haproxy.cfg.pgha-candidate /etc/haproxy/haproxy.cfg'));
	t.true(candidate >= 0 && check > candidate && install > check);
});

test('apt finishes an install an interrupted run left half done, then goes on', async t => {
	const dir = (await runLocally('mktemp -d')).stdout.trim();
	// Stand-ins: apt-get refuses until dpkg --configure -a has run, as after a Ctrl+C mid-install.
	await runLocally(`cat > ${dir}/apt-get <<'EOF'
#!/bin/sh
if [ ! -f ${dir}/configured ]; then echo "E: dpkg was interrupted, you must manually run 'sudo dpkg --configure -a' to correct the problem."; exit 100; fi
echo installed
EOF
cat > ${dir}/dpkg <<'EOF'
#!/bin/sh
echo "dpkg $*" > ${dir}/configured
EOF
chmod +x ${dir}/apt-get ${dir}/dpkg`);
	const env = {...process.env, PATH: `${dir}:${process.env['PATH']}`};
	const result = await runLocally(aptGet('install -y postgresql', {attempts: 3, delaySeconds: 0}), {env});
	t.is(result.code, 0, result.stdout);
	t.true(result.stdout.includes('installed'));
	t.regex((await runLocally(`cat ${dir}/configured`)).stdout, /--configure -a/);
	await runLocally(`rm -rf ${dir}`);
});

test('apt retries while another process holds a lock, and passes other failures through', async t => {
	const dir = (await runLocally('mktemp -d')).stdout.trim();
	// A stand-in apt-get: locked twice, then fine; FAIL=1 makes it fail for another reason.
	await runLocally(`cat > ${dir}/apt-get <<'EOF'
#!/bin/sh
n=$(cat ${dir}/count 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${dir}/count
echo "args: $*"
if [ -n "$FAIL" ]; then echo "E: Unable to locate package nope"; exit 100; fi
if [ $n -le 2 ]; then echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 1 (apt-get)"; exit 100; fi
echo done
EOF
chmod +x ${dir}/apt-get`);
	const env = {...process.env, PATH: `${dir}:${process.env['PATH']}`};
	const ok = await runLocally(aptGet('update', {attempts: 5, delaySeconds: 0}), {env});
	t.is(ok.code, 0);
	t.is((await runLocally(`cat ${dir}/count`)).stdout.trim(), '3');
	t.true(ok.stdout.includes('args: -o DPkg::Lock::Timeout=600 update'));
	t.true(ok.stdout.includes('holds the apt lock'));

	await runLocally(`rm -f ${dir}/count`);
	const failing = await runLocally(aptGet('install -y nope', {attempts: 5, delaySeconds: 0}), {env: {...env, FAIL: '1'}});
	t.is(failing.code, 100);
	t.is((await runLocally(`cat ${dir}/count`)).stdout.trim(), '1');

	await runLocally(`rm -f ${dir}/count`);
	const locked = await runLocally(aptGet('update', {attempts: 2, delaySeconds: 0}), {env});
	t.not(locked.code, 0);
	await runLocally(`rm -rf ${dir}`);
});
