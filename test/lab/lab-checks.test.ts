/**
 * The lab's preconditions and data, without the lab: error messages a user would read, the cluster
 * file, argument checks. Runs anywhere (the CLI checks that need root are skipped when not root).
 */
import test from 'ava';
import {mkdtempSync, writeFileSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parse} from 'yaml';
import {clusterFileText, installLines, mayWrite} from '../../source/lab/cluster-file.ts';
import {installLine, missingTools, requireDisk, requireLinux, requireRoot, requireTools} from '../../source/lab/host-check.ts';
import {pickNode} from '../../source/lab/lab.ts';
import {buildTools, labLayout, runTools, validPrefix} from '../../source/lab/settings.ts';
import {LabError, pickLang} from '../../source/lab/text.ts';
import {labCli, runCommand} from '../helpers/lab.ts';

function labError(t: import('ava').ExecutionContext, work: () => unknown): LabError {
	const error = t.throws(work, {instanceOf: LabError}) as LabError;
	return error;
}

test('missing host tools are named with the exact apt-get line that installs them', t => {
	const present = new Set(['apt-get', 'mount']);
	const missing = missingTools(buildTools, command => (present.has(command) ? `/usr/bin/${command}` : undefined));
	t.deepEqual(missing.map(tool => tool.command), ['apt-ftparchive', 'mmdebstrap']);
	t.is(installLine(missing), 'apt-get install -y --no-install-recommends apt-utils mmdebstrap');
	const error = labError(t, () => requireTools(buildTools, command => (present.has(command) ? command : undefined)));
	t.true(error.text.en.includes('apt-get update && apt-get install -y --no-install-recommends apt-utils mmdebstrap'));
	t.true(error.text.ru.includes('apt-utils mmdebstrap'));
});

test('one package providing several missing tools is listed once', t => {
	const missing = missingTools(runTools, () => undefined);
	const line = installLine(missing);
	t.is(line.split(' ').filter(word => word === 'mount').length, 1);
	t.true(line.includes('systemd-container'));
	t.true(line.includes('iproute2'));
});

test('not Linux, not root and too little disk are explained', t => {
	t.regex(labError(t, () => requireLinux('win32')).text.en, /Linux only/);
	t.notThrows(() => requireLinux('linux'));
	t.regex(labError(t, () => requireRoot(1000)).text.en, /needs root/);
	t.regex(labError(t, () => requireRoot(1000)).text.ru, /root/);
	t.notThrows(() => requireRoot(0));
	const disk = labError(t, () => requireDisk('/var/cache/pgha-lab', 2048, () => 300));
	t.regex(disk.text.en, /300 MB free, at least 2048 MB needed/);
	t.notThrows(() => requireDisk('/var/cache/pgha-lab', 2048, () => 5000));
});

type LabClusterFile = {
	name: string;
	nodes: Array<{name: string; ip: string; ssh: {port: number; user: string; auth: string}}>;
	postgres: {version: string};
	patroni: {source: string; user: string; index_url?: string};
	etcd: {source: string; version?: string; download_base?: string};
	haproxy: {node: string};
	lab: {netns: string};
};

test('the cluster file has the nodes and the lab netns', t => {
	const data = parse(clusterFileText(labLayout('10.1.2', 4, 'bookworm'))) as LabClusterFile;
	t.is(data.name, 'pg-cluster');
	t.deepEqual(data.nodes.map(node => [node.name, node.ip]), [
		['pg-node-1', '10.1.2.30'], ['pg-node-2', '10.1.2.31'], ['pg-node-3', '10.1.2.32'], ['pg-node-4', '10.1.2.33'],
	]);
	t.deepEqual(data.nodes[0]!.ssh, {port: 22, user: 'student', auth: 'password'});
	t.deepEqual(data.postgres, {version: 'auto'});
	t.deepEqual(data.haproxy, {node: 'pg-node-1'});
	t.deepEqual(data.lab, {netns: 'lab-sw'});
});

test('trixie lab nodes take the course path: pip from the lab index, etcd from the lab tarball', t => {
	const layout = labLayout('10.1.2', 3, 'trixie');
	const data = parse(clusterFileText(layout, installLines(layout, '3.5.16'))) as LabClusterFile;
	t.deepEqual(data.patroni, {source: 'venv', user: 'patroni', index_url: 'http://10.1.2.10/pypi/simple'});
	t.deepEqual(data.etcd, {source: 'download', version: '3.5.16', download_base: 'http://10.1.2.10/etcd'});
	t.regex(clusterFileText(layout, installLines(layout, '3.5.16')), /^# Debian trixie lab nodes$/m);
});

test('bookworm lab nodes, and a trixie lab without its served extras, use the distribution packages', t => {
	for (const layout of [labLayout('10.1.2', 3, 'bookworm'), labLayout('10.1.2', 3, 'trixie')]) {
		const data = parse(clusterFileText(layout, installLines(layout, layout.release === 'trixie' ? undefined : '3.4.23'))) as LabClusterFile;
		t.deepEqual(data.patroni, {source: 'package', user: 'patroni'});
		t.deepEqual(data.etcd, {source: 'package'});
	}
});

test('up never overwrites a cluster file it did not write', t => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-lab-'));
	const own = path.join(dir, 'lab.yaml');
	const users = path.join(dir, 'pgha.yaml');
	t.true(mayWrite(own), 'a missing file may be written');
	writeFileSync(own, clusterFileText(labLayout('192.168.0', 3)));
	t.true(mayWrite(own));
	writeFileSync(users, 'name: my-vms\nnodes: []\n');
	t.false(mayWrite(users));
	t.is(readFileSync(users, 'utf8'), 'name: my-vms\nnodes: []\n');
});

test('nodes are picked by number or name; prefixes are three octets', t => {
	const layout = labLayout('192.168.0', 3);
	t.is(pickNode(layout, '2').ip, '192.168.0.31');
	t.is(pickNode(layout, 'pg-node-3').netns, 'lab-pg-node-3');
	t.is(labError(t, () => pickNode(layout, '4')).exitCode, 2);
	t.is(labError(t, () => pickNode(layout, undefined)).exitCode, 2);
	t.true(validPrefix('10.0.5'));
	t.false(validPrefix('10.0.5.1'));
	t.false(validPrefix('10.0.300'));
	t.false(validPrefix('a.b.c'));
});

test('messages follow --lang, then the locale', t => {
	t.is(pickLang('ru', {}), 'ru');
	t.is(pickLang(undefined, {LANG: 'ru_RU.UTF-8'}), 'ru');
	t.is(pickLang(undefined, {LANG: 'C.UTF-8'}), 'en');
	t.is(pickLang('en', {LANG: 'ru_RU.UTF-8'}), 'en');
});

test('pgha lab without a subcommand prints the usage and fails', async t => {
	const result = await labCli([]);
	t.is(result.code, 2);
	// A usage error: the sentence and the usage go to stderr, like every other command's.
	t.regex(result.stderr, /which lab command\?/);
	t.regex(result.stderr, /Usage: pgha lab/);
	for (const word of ['build', 'up', 'down', 'reset', 'status', 'stop-node', 'start-node', 'cut', 'heal', 'exec']) t.true(result.stderr.includes(`pgha lab ${word}`), word);
});

test('pgha lab refuses to run without root', async t => {
	if (process.getuid?.() !== 0) {
		const result = await labCli(['status']);
		t.is(result.code, 1);
		t.regex(result.stderr, /needs root|root/);
		return;
	}

	// As root: drop to nobody for this one command.
	const result = await runCommand('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, path.resolve('source/bin.js'), 'lab', 'status'], {
		env: {...process.env, HOME: '/tmp', LANG: 'C.UTF-8'},
	});
	t.is(result.code, 1, result.stderr);
	t.regex(result.stderr, /The lab needs root/);
});

test('bad --nodes and --prefix values are usage errors', async t => {
	if (process.getuid?.() !== 0) {
		t.pass('needs root to get past the root check');
		return;
	}

	const nodes = await labCli(['up', '--nodes', '7', '-o', '/tmp/pgha-lab-bad.yaml']);
	t.is(nodes.code, 2);
	t.regex(nodes.stderr, /--nodes: "7" is not valid: from 3 to 5/);
	const prefix = await labCli(['up', '--prefix', '10.0', '-o', '/tmp/pgha-lab-bad.yaml']);
	t.is(prefix.code, 2);
	t.regex(prefix.stderr, /--prefix/);
});
