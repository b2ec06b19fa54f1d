import test from 'ava';
import {mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import {ConfigError, loadClusterFile, saveClusterFile, type ClusterAnswers} from '../../source/config/load.ts';
import {ensurePghaDirs, newRunId, pghaPaths} from '../../source/config/paths.ts';

function tempDir(): string {
	return mkdtempSync(path.join(os.tmpdir(), 'pgha-config-'));
}

const answers: ClusterAnswers = {
	name: 'course',
	nodes: [
		{name: 'pg-node-1', ip: '192.168.0.30', sshPort: 22, sshUser: 'patroni', auth: {kind: 'password'}},
		{name: 'pg-node-2', ip: '192.168.0.31'},
		{name: 'pg-node-3', ip: '192.168.0.32', sshPort: 2222},
	],
	postgresVersion: 16,
	patroni: {source: 'package'},
	haproxy: {node: 'pg-node-2'},
	timingPreset: 'fast',
};

test('saved answers load back as the same cluster', async t => {
	const file = path.join(tempDir(), 'pgha.yaml');
	const saved = await saveClusterFile(answers, file);
	const loaded = await loadClusterFile(file);
	t.deepEqual(loaded.config, saved.config);
	t.is(loaded.config.name, 'course');
	t.is(loaded.config.nodes[2]!.sshPort, 2222);
	t.is(loaded.config.postgresVersion, 16);
	t.is(loaded.config.patroni.source, 'package');
	t.deepEqual(loaded.config.haproxy.nodes, ['pg-node-2']);
	t.deepEqual(loaded.config.timing, {ttl: 20, loopWait: 5, retryTimeout: 5});
});

test('a loaded config saves back unchanged', async t => {
	const dir = tempDir();
	const first = path.join(dir, 'pgha.yaml');
	const {config} = await saveClusterFile(answers, first);
	const second = path.join(dir, 'again.yaml');
	await saveClusterFile(config, second);
	const again = await loadClusterFile(second);
	t.deepEqual({...again.config, file: ''}, {...config, file: ''});
});

test('values with YAML-special characters survive saving (no string gluing)', async t => {
	const dir = tempDir();
	// A double quote is refused (no OpenSSH config can carry it, see safe-values.ts); the rest is YAML-special.
	const keyFile = path.join(dir, 'Иван Петров: ключи #1', "it's [mine] {& *}");
	await import('node:fs/promises').then(fs => fs.mkdir(path.dirname(keyFile), {recursive: true}));
	writeFileSync(keyFile, 'not really a key');
	const file = path.join(dir, 'pgha.yaml');
	await saveClusterFile({...answers, nodes: answers.nodes.map((node, index) => index === 0 ? {...node, auth: {kind: 'key', keyFile}} : node)}, file);
	const loaded = await loadClusterFile(file);
	t.deepEqual(loaded.config.nodes[0]!.auth, {kind: 'key', keyFile});
	t.is((YAML.parse(readFileSync(file, 'utf8')) as {nodes: Array<{ssh: {auth: {key: string}}}>}).nodes[0]!.ssh.auth.key, keyFile);
});

test('the saved file uses the documented snake_case keys', async t => {
	const file = path.join(tempDir(), 'pgha.yaml');
	await saveClusterFile({...answers, ports: {haproxyStats: 9000}, synchronousMode: true}, file);
	const data = YAML.parse(readFileSync(file, 'utf8')) as Record<string, any>;
	t.is(data.ports.haproxy_stats, 9000);
	t.true(data.synchronous_mode);
	t.is(data.timing.preset, 'fast');
	t.deepEqual(data.nodes[1], {name: 'pg-node-2', ip: '192.168.0.31', ssh: {auth: 'password'}});
});

test('invalid answers are refused and nothing is written', async t => {
	const file = path.join(tempDir(), 'pgha.yaml');
	const error = await t.throwsAsync(saveClusterFile({...answers, nodes: answers.nodes.slice(0, 2)}, file), {instanceOf: ConfigError});
	t.deepEqual(error.issues.map(issue => issue.message), ['nodes: only 2 given; a highly available cluster needs at least 3 nodes']);
	t.throws(() => statSync(file), {code: 'ENOENT'});
});

test('the cluster file is saved readable by its owner and others (it holds no secrets)', async t => {
	const file = path.join(tempDir(), 'pgha.yaml');
	await saveClusterFile(answers, file);
	t.is(statSync(file).mode & 0o777, 0o644);
});

test('a missing cluster file is reported by the file system error', async t => {
	await t.throwsAsync(loadClusterFile(path.join(tempDir(), 'pgha.yaml')), {code: 'ENOENT'});
});

test('a UTF-8 BOM (Windows Notepad) does not break loading', async t => {
	const file = path.join(tempDir(), 'pgha.yaml');
	await saveClusterFile(answers, file);
	writeFileSync(file, `\uFEFF${readFileSync(file, 'utf8')}`);
	t.is((await loadClusterFile(file)).config.name, 'course');
});

test('state, logs and known hosts live in .pgha beside the cluster file', t => {
	const paths = pghaPaths('/home/student/course/pgha.yaml');
	t.deepEqual(paths, {
		clusterFile: '/home/student/course/pgha.yaml',
		secretsFile: '/home/student/course/pgha.secrets.yaml',
		dir: '/home/student/course/.pgha',
		stateFile: '/home/student/course/.pgha/state.json',
		knownHostsFile: '/home/student/course/.pgha/known_hosts',
		logsDir: '/home/student/course/.pgha/logs',
	});
});

test('the .pgha folder is private to the user', async t => {
	const paths = pghaPaths(path.join(tempDir(), 'pgha.yaml'));
	await ensurePghaDirs(paths);
	t.is(statSync(paths.dir).mode & 0o777, 0o700);
	t.is(statSync(paths.logsDir).mode & 0o777, 0o700);
});

test('run ids sort by time', t => {
	const earlier = newRunId(new Date(2026, 0, 2, 3, 4, 5));
	const later = newRunId(new Date(2026, 0, 2, 3, 4, 6));
	t.regex(earlier, /^20260102-030405-[\da-f]{4}$/);
	t.true(earlier < later);
});
