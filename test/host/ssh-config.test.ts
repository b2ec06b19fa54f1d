import test from 'ava';
import {execFile} from 'node:child_process';
import {mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile, chmod} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {resolveSshPaths, planSshConfig} from '../../source/host/ssh-config-file.ts';
import {hostEnv, getEnv} from '../../source/host/platform.ts';
import {blockStartMarker, blockEndMarker} from '../../templates/ssh-config.ts';
import {createSshConfigStage} from '../../steps/ssh-config.ts';
import {StepError, type Step} from '../../source/core/step.ts';
import {cluster, node} from '../fixtures/host/cluster.ts';
import {harness, runStep} from '../fixtures/host/run-steps.ts';

const run = promisify(execFile);

async function tempRoot(): Promise<string> {
	return mkdtemp(path.join(os.tmpdir(), 'pgha-host-'));
}

/** The config step alone (no keys), for a Windows user whose profile folder is Cyrillic. */
function windowsStage(profile: string, extra: {now?: () => Date; verifyWithSsh?: boolean} = {}) {
	return createSshConfigStage({
		host: {platform: 'win32', env: {USERPROFILE: profile, USERNAME: 'Maksim', PATH: process.env['PATH']}, path: path.posix},
		keys: false,
		verifyWithSsh: extra.verifyWithSsh ?? false,
		now: extra.now,
	});
}

function posixStage(home: string, keys = false) {
	return createSshConfigStage({host: {platform: 'linux', env: {HOME: home, PATH: process.env['PATH']}}, keys});
}

function configStep(stage: {steps: readonly Step[]}): Step {
	return stage.steps.find(step => step.id === 'host-ssh-config')!;
}

const guideEntries = [
	'Host pg-node-1',
	'    HostName 192.168.0.30',
	'    User patroni',
	'    Port 22',
	'',
	'Host pg-node-2',
	'    HostName 192.168.0.31',
	'    User patroni',
	'    Port 22',
	'',
].join('\r\n');

test('Windows paths come from USERPROFILE, never from the user name', t => {
	const host = hostEnv({
		platform: 'win32',
		env: {UserProfile: 'C:\\Users\\Максим', USERNAME: 'Maksim', HOMEDRIVE: 'D:', HOMEPATH: '\\Other'},
	});
	const paths = resolveSshPaths(host);
	t.is(paths.sshDir, 'C:\\Users\\Максим\\.ssh');
	t.is(paths.config, 'C:\\Users\\Максим\\.ssh\\config');
	t.is(paths.strayTxt, 'C:\\Users\\Максим\\.ssh\\config.txt');
	t.is(getEnv(host, 'USERPROFILE'), 'C:\\Users\\Максим');
});

test('POSIX paths come from HOME and have no config.txt handling', t => {
	const paths = resolveSshPaths(hostEnv({platform: 'linux', env: {HOME: '/home/student'}}));
	t.is(paths.config, '/home/student/.ssh/config');
	t.is(paths.strayTxt, undefined);
});

test('Windows: a missing .ssh in a Cyrillic profile is created and the file is UTF-8 without BOM, CRLF', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const profile = path.join(root, 'Пользователи', 'Максим');
	await mkdir(profile, {recursive: true});
	const h = harness(cluster());
	const step = configStep(windowsStage(profile));
	t.true(await runStep(step, h.context()));

	const bytes = await readFile(path.join(profile, '.ssh', 'config'));
	t.not(bytes[0], 0xef, 'no UTF-8 BOM');
	const text = bytes.toString('utf8');
	t.true(text.startsWith(blockStartMarker('pg-cluster') + '\r\n'));
	t.true(text.endsWith(blockEndMarker('pg-cluster') + '\r\n'));
	t.false(/[^\r]\n/.test(text), 'every line ends with CRLF');
	t.true(text.includes('Host pg-node-2\r\n    HostName 192.168.0.31\r\n    User patroni\r\n    Port 22\r\n'));
	t.false(text.includes('IdentityFile'));
	t.true(h.lines.some(line => line.includes('Максим') && line.includes('.ssh')), 'the log names the created folder');
	// The name typed from USERNAME must not exist anywhere.
	t.deepEqual(await readdir(path.join(root, 'Пользователи')), ['Максим']);
});

test('the system ssh reads the written CRLF file and gets the nodes (ssh -G)', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const profile = path.join(root, 'Пользователи', 'Максим');
	await mkdir(profile, {recursive: true});
	const step = configStep(windowsStage(profile, {verifyWithSsh: true}));
	await runStep(step, harness(cluster()).context());
	const {stdout} = await run('ssh', ['-G', '-F', path.join(profile, '.ssh', 'config'), 'pg-node-3']);
	t.regex(stdout, /^hostname 192\.168\.0\.32$/m);
	t.regex(stdout, /^user patroni$/m);
	t.regex(stdout, /^port 22$/m);
});

test('Windows: config.txt saved by Notepad is merged, renamed, and pgha entries come before it', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const profile = path.join(root, 'Максим');
	const sshDir = path.join(profile, '.ssh');
	await mkdir(sshDir, {recursive: true});
	await writeFile(path.join(sshDir, 'config.txt'), guideEntries);
	const h = harness(cluster({nodes: [node(1, {sshUser: 'student'}), node(2), node(3)]}));
	const step = configStep(windowsStage(profile, {verifyWithSsh: true}));
	await runStep(step, h.context());

	const files = (await readdir(sshDir)).sort();
	t.deepEqual(files, ['config', 'config.txt.pgha-merged']);
	const text = await readFile(path.join(sshDir, 'config'), 'utf8');
	t.true(text.endsWith(guideEntries), 'the typed entries are kept as typed');
	t.true(text.indexOf(blockStartMarker('pg-cluster')) < text.indexOf(guideEntries));
	t.true(h.lines.some(line => line.includes('config.txt.pgha-merged')));
	t.true(h.lines.some(line => line.includes('another "Host pg-node-1"')));
	// pgha's values win over the older entry: real ssh agrees.
	const {stdout} = await run('ssh', ['-G', '-F', path.join(sshDir, 'config'), 'pg-node-1']);
	t.regex(stdout, /^user student$/m);
	t.true(await step.check(h.context()), 'a second run has nothing to do');
});

test('Windows: config.txt already contained in config is only renamed', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const sshDir = path.join(root, '.ssh');
	await mkdir(sshDir, {recursive: true});
	const existing = `Host github.com\r\n    User git\r\n\r\n${guideEntries}`;
	await writeFile(path.join(sshDir, 'config'), existing);
	await writeFile(path.join(sshDir, 'config.txt'), guideEntries);
	const step = configStep(windowsStage(root));
	await runStep(step, harness(cluster()).context());
	const text = await readFile(path.join(sshDir, 'config'), 'utf8');
	t.is(text.split('Host github.com').length, 2);
	t.is(text.split('HostName 192.168.0.31').length, 3, 'once from the user, once from pgha');
	t.true(text.startsWith('Host github.com\r\n    User git\r\n\r\n' + blockStartMarker('pg-cluster')));
	t.deepEqual((await readdir(sshDir)).filter(name => name.startsWith('config.txt')), ['config.txt.pgha-merged']);
});

test('an existing config in UTF-16 LE with BOM (PowerShell 5) is converted and reported', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const sshDir = path.join(root, '.ssh');
	await mkdir(sshDir);
	const userText = 'Host github.com\r\n    User git\r\n    # комментарий\r\n';
	const original = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(userText, 'utf16le')]);
	const file = path.join(sshDir, 'config');
	await writeFile(file, original);
	// This is what the student sees before pgha: OpenSSH refuses the file.
	const before = await run('ssh', ['-G', '-F', file, 'github.com']).catch((error: {stderr: string}) => error);
	t.true('stderr' in before && /\\377\\376/.test(before.stderr));

	const h = harness(cluster());
	const step = configStep(windowsStage(root, {verifyWithSsh: true}));
	await runStep(step, h.context());
	const after = await readFile(file);
	t.true(after.toString('utf8').startsWith(userText + '\r\n' + blockStartMarker('pg-cluster')));
	t.true(h.lines.some(line => line.includes('UTF-16 LE with BOM') && line.includes('UTF-8 without BOM')));
	const backups = (await readdir(sshDir)).filter(name => name.startsWith('config.pgha-backup-'));
	t.is(backups.length, 1);
	t.true((await readFile(path.join(sshDir, backups[0]!))).equals(original), 'the backup is the untouched original');
	const {stdout} = await run('ssh', ['-G', '-F', file, 'github.com']);
	t.regex(stdout, /^user git$/m);
});

test('a UTF-8 BOM (Notepad) is removed and everything else stays byte for byte', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const sshDir = path.join(root, '.ssh');
	await mkdir(sshDir);
	const userText = Buffer.from('Host git.example\n  User git\n', 'utf8');
	await writeFile(path.join(sshDir, 'config'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), userText]));
	const h = harness(cluster());
	await runStep(configStep(posixStage(root)), h.context());
	const after = await readFile(path.join(sshDir, 'config'));
	t.true(after.subarray(0, userText.length).equals(userText));
	t.is(after.toString('utf8').slice(userText.length), '\n' + (await renderedBlock('\n')));
	t.true(h.lines.some(line => line.includes('UTF-8 with BOM')));
});

async function renderedBlock(eol: string): Promise<string> {
	const {renderSshConfigBlock} = await import('../../templates/ssh-config.ts');
	const {sshHostEntries} = await import('../../steps/ssh-config.ts');
	const host = hostEnv({platform: 'linux', env: {HOME: '/nowhere'}});
	const lines = renderSshConfigBlock('pg-cluster', sshHostEntries(host, resolveSshPaths(host), cluster(), undefined));
	return lines.map(line => line + eol).join('');
}

test('other hosts are kept byte for byte, the block is appended, the file is 0600 and .ssh 0700', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const sshDir = path.join(root, '.ssh');
	await mkdir(sshDir, {mode: 0o755});
	await chmod(sshDir, 0o775);
	// Odd spacing, tabs, a comment and no final newline: all must survive.
	const original = Buffer.from('# my hosts\nHost work\n\tHostName 10.0.0.5\n  User   me  \nHost=backup\n    Port 2200', 'utf8');
	await writeFile(path.join(sshDir, 'config'), original, {mode: 0o644});
	await runStep(configStep(posixStage(root)), harness(cluster()).context());
	const after = await readFile(path.join(sshDir, 'config'));
	t.true(after.subarray(0, original.length).equals(original));
	t.is(after.subarray(original.length).toString('utf8'), '\n\n' + (await renderedBlock('\n')));
	t.is((await stat(path.join(sshDir, 'config'))).mode & 0o777, 0o600);
	t.is((await stat(sshDir)).mode & 0o777, 0o700);
});

test('re-running changes nothing: no write, no backup', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const sshDir = path.join(root, '.ssh');
	await mkdir(sshDir);
	await writeFile(path.join(sshDir, 'config'), 'Host work\n  User me\n');
	const step = configStep(posixStage(root));
	const h = harness(cluster());
	t.true(await runStep(step, h.context()));
	const first = await stat(path.join(sshDir, 'config'));
	const filesAfterFirst = (await readdir(sshDir)).sort();
	t.is(filesAfterFirst.length, 2, 'config and one backup');

	t.false(await runStep(step, h.context()), 'the second run has nothing to apply');
	await step.apply!(h.context());
	const second = await stat(path.join(sshDir, 'config'));
	t.is(second.mtimeMs, first.mtimeMs);
	t.is(second.ino, first.ino);
	t.deepEqual((await readdir(sshDir)).sort(), filesAfterFirst);
});

test('a changed node IP rewrites only the block, in place, after a backup', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const sshDir = path.join(root, '.ssh');
	await mkdir(sshDir);
	const head = 'Host work\n  User me\n\n';
	const tail = '\nHost *\n  ServerAliveInterval 30\n';
	await writeFile(path.join(sshDir, 'config'), head + tail);
	const times = [new Date(2026, 10, 27, 10, 0, 0), new Date(2026, 10, 27, 10, 5, 0)];
	const step = configStep(
		createSshConfigStage({host: {platform: 'linux', env: {HOME: root, PATH: process.env['PATH']}}, keys: false, now: () => times.shift()!}),
	);
	await runStep(step, harness(cluster()).context());
	const first = await readFile(path.join(sshDir, 'config'), 'utf8');
	// The block goes before `Host *` (it matches every alias and OpenSSH keeps the first value).
	t.is(first, head + '\n' + (await renderedBlock('\n')) + '\nHost *\n  ServerAliveInterval 30\n');

	const moved = cluster({nodes: [node(1), node(2, {ip: '192.168.0.41'}), node(3)]});
	await runStep(step, harness(moved).context());
	const second = await readFile(path.join(sshDir, 'config'), 'utf8');
	t.is(second, first.replace('192.168.0.31', '192.168.0.41'));
	const backups = (await readdir(sshDir)).filter(name => name.includes('pgha-backup')).sort();
	t.deepEqual(backups, ['config.pgha-backup-20261127-100000', 'config.pgha-backup-20261127-100500']);
	t.is(await readFile(path.join(sshDir, backups[1]!), 'utf8'), first);
});

test('an existing file with mode 0644 and the right content only gets chmod', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const step = configStep(posixStage(root));
	await runStep(step, harness(cluster()).context());
	const file = path.join(root, '.ssh', 'config');
	await chmod(file, 0o644);
	const before = await stat(file);
	t.false(await step.check(harness(cluster()).context()));
	await runStep(step, harness(cluster()).context());
	const after = await stat(file);
	t.is(after.mode & 0o777, 0o600);
	t.is(after.mtimeMs, before.mtimeMs);
	t.deepEqual(await readdir(path.join(root, '.ssh')), ['config']);
});

test('a global option above the block that overrides pgha is caught by ssh -G', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	await mkdir(path.join(root, '.ssh'));
	await writeFile(path.join(root, '.ssh', 'config'), 'User somebody\n');
	const step = configStep(createSshConfigStage({host: {platform: 'linux', env: {HOME: root, PATH: process.env['PATH']}}, keys: false}));
	const error = await t.throwsAsync(runStep(step, harness(cluster()).context()), {instanceOf: StepError});
	t.regex(error!.message, /pg-node-1.*User somebody \(pgha: patroni\)/);
	t.regex((error as StepError).say('ru'), /строка выше блока pgha/);
});

test('a damaged block (end marker deleted) stops with a fix instead of guessing', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	await mkdir(path.join(root, '.ssh'));
	await writeFile(path.join(root, '.ssh', 'config'), `${blockStartMarker('pg-cluster')}\nHost pg-node-1\n  HostName 1.2.3.4\n`);
	const step = configStep(posixStage(root));
	const error = await t.throwsAsync(step.check(harness(cluster()).context()), {instanceOf: StepError});
	t.regex((error as StepError).say('en'), /delete what is left of it/i);
});

test('a legacy 8-bit file (Notepad ANSI) keeps its bytes', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	await mkdir(path.join(root, '.ssh'));
	// "# сервер" in Windows-1251.
	const original = Buffer.from([0x23, 0x20, 0xf1, 0xe5, 0xf0, 0xe2, 0xe5, 0xf0, 0x0d, 0x0a, 0x48, 0x6f, 0x73, 0x74, 0x20, 0x78, 0x0d, 0x0a]);
	await writeFile(path.join(root, '.ssh', 'config'), original);
	await runStep(configStep(windowsStage(root)), harness(cluster()).context());
	const after = await readFile(path.join(root, '.ssh', 'config'));
	t.true(after.subarray(0, original.length).equals(original));
	t.is(after.subarray(original.length).toString('utf8'), '\r\n' + (await renderedBlock('\r\n')));
});

test('two clusters keep two blocks; each run rewrites only its own', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const step = configStep(posixStage(root));
	await runStep(step, harness(cluster()).context());
	const other = cluster({name: 'lab', nodes: [node(1, {name: 'lab-1', ip: '10.0.0.1'}), node(2, {name: 'lab-2', ip: '10.0.0.2'}), node(3, {name: 'lab-3', ip: '10.0.0.3'})]});
	await runStep(step, harness(other).context());
	const text = await readFile(path.join(root, '.ssh', 'config'), 'utf8');
	t.true(text.includes(blockStartMarker('pg-cluster')) && text.includes(blockStartMarker('lab')));
	t.true(await step.check(harness(cluster()).context()));
	t.true(await step.check(harness(other).context()));
});

test('the plan for the runbook is the block itself, mode 0600', t => {
	const host = hostEnv({platform: 'win32', env: {USERPROFILE: 'C:\\Users\\Максим'}});
	const stage = createSshConfigStage({host, keys: false});
	const actions = configStep(stage).plan(harness(cluster()).context());
	t.is(actions.length, 1);
	const action = actions[0]!;
	t.is(action.kind, 'write');
	if (action.kind !== 'write') return;
	t.is(action.path, 'C:\\Users\\Максим\\.ssh\\config');
	t.is(action.mode, 0o600);
	t.true(action.content.includes('Host pg-node-1\n    HostName 192.168.0.30\n'));
});

test('planning reads without writing', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const host = hostEnv({platform: 'win32', env: {USERPROFILE: root}, path: path.posix});
	const plan = await planSshConfig(host, 'pg-cluster', []);
	t.true(plan.contentChanged);
	t.deepEqual(await readdir(root), []);
});

test('a config that is a symlink (dotfiles) is written through, the link stays', async t => {
	const {symlink, lstat} = await import('node:fs/promises');
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	await mkdir(path.join(root, '.ssh'));
	await mkdir(path.join(root, 'dotfiles'));
	await writeFile(path.join(root, 'dotfiles', 'ssh_config'), 'Host work\n  User me\n');
	await symlink(path.join(root, 'dotfiles', 'ssh_config'), path.join(root, '.ssh', 'config'));
	await runStep(configStep(posixStage(root)), harness(cluster()).context());
	t.true((await lstat(path.join(root, '.ssh', 'config'))).isSymbolicLink());
	t.true((await readFile(path.join(root, 'dotfiles', 'ssh_config'), 'utf8')).includes('Host pg-node-3'));
	t.deepEqual((await readdir(path.join(root, 'dotfiles'))), ['ssh_config']);
});
