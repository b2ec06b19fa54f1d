import test from 'ava';
import {execFile} from 'node:child_process';
import {chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {resolveSshPaths} from '../../source/host/ssh-config-file.ts';
import {hostEnv} from '../../source/host/platform.ts';
import {findKeyPair, generateKeyPair, identityFileValue, parsePublicKey} from '../../source/host/ssh-keys.ts';
import {createSshConfigStage} from '../../steps/ssh-config.ts';
import {StepError, type Step} from '../../source/core/step.ts';
import {cluster, node} from '../fixtures/host/cluster.ts';
import {localRemote} from '../fixtures/host/local-remote.ts';
import {harness, runStep} from '../fixtures/host/run-steps.ts';

const run = promisify(execFile);

async function tempRoot(): Promise<string> {
	return mkdtemp(path.join(os.tmpdir(), 'pgha-keys-'));
}

/** The public key ssh-keygen derives from the private file: proves the private key is valid OpenSSH. */
async function derivedBlob(privateKey: string): Promise<string | undefined> {
	const {stdout} = await run('ssh-keygen', ['-y', '-f', privateKey]);
	return parsePublicKey(stdout)?.blob;
}

for (const builtin of [false, true]) {
	test(`a new ed25519 pair is valid and private (${builtin ? 'built-in generator' : 'ssh-keygen'})`, async t => {
		const root = await tempRoot();
		t.teardown(async () => rm(root, {recursive: true, force: true}));
		const host = hostEnv({platform: 'linux', env: {HOME: root, PATH: process.env['PATH']}});
		const paths = resolveSshPaths(host);
		const made = await generateKeyPair(host, paths, {forceBuiltin: builtin});
		t.is(made.tool === 'ssh2', builtin);
		t.is(made.privateKey, path.join(root, '.ssh', 'id_ed25519'));
		t.is((await stat(made.privateKey)).mode & 0o777, 0o600);
		t.is((await stat(path.join(root, '.ssh'))).mode & 0o777, 0o700);
		t.is(parsePublicKey(made.publicLine)?.type, 'ssh-ed25519');
		t.is(await derivedBlob(made.privateKey), parsePublicKey(made.publicLine)?.blob);
		t.deepEqual(findKeyPair(host, paths), {privateKey: made.privateKey, publicKey: made.publicKey, publicLine: made.publicLine});
	});
}

test('an existing key is found: ed25519 first, a lone private key is ignored', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const host = hostEnv({platform: 'linux', env: {HOME: root}});
	const paths = resolveSshPaths(host);
	await mkdir(paths.sshDir);
	await writeFile(path.join(paths.sshDir, 'id_rsa'), 'private');
	await writeFile(path.join(paths.sshDir, 'id_rsa.pub'), 'ssh-rsa AAAAB3NzaC1yc2E user@pc\n');
	await writeFile(path.join(paths.sshDir, 'id_ed25519'), 'private');
	t.is(findKeyPair(host, paths)?.privateKey, path.join(paths.sshDir, 'id_rsa'));
	await writeFile(path.join(paths.sshDir, 'id_ed25519.pub'), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 me\n');
	t.is(findKeyPair(host, paths)?.publicLine, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 me');
});

test('IdentityFile: ~/.ssh form inside the profile, forward slashes and quotes outside it on Windows', t => {
	const host = hostEnv({platform: 'win32', env: {USERPROFILE: 'C:\\Users\\Максим Иванов'}});
	const paths = resolveSshPaths(host);
	t.is(identityFileValue(host, paths, 'C:\\Users\\Максим Иванов\\.ssh\\id_ed25519'), '~/.ssh/id_ed25519');
	t.is(identityFileValue(host, paths, 'D:\\keys\\pg key'), 'D:/keys/pg key');
	const stage = createSshConfigStage({host, keys: false});
	const withKey = cluster({nodes: [node(1, {auth: {kind: 'key', keyFile: 'D:\\keys\\pg key'}}), node(2), node(3)]});
	const step = stage.steps.find(candidate => candidate.id === 'host-ssh-config')!;
	const [action] = step.plan(harness(withKey).context());
	t.true(action?.kind === 'write' && action.content.includes('    IdentityFile "D:/keys/pg key"\n'));
	t.true(action?.kind === 'write' && !action.content.includes('Host pg-node-2\n    HostName 192.168.0.31\n    User patroni\n    Port 22\n    IdentityFile'));
});

function steps(root: string, extra: Parameters<typeof createSshConfigStage>[0] = {}): Record<string, Step> {
	const stage = createSshConfigStage({host: {platform: 'linux', env: {HOME: root, PATH: process.env['PATH']}}, ...extra});
	return Object.fromEntries(stage.steps.map(step => [step.id, step]));
}

test('the whole stage: key made, installed once per node, config names it', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const hostHome = path.join(root, 'host');
	await mkdir(hostHome);
	const byId = steps(hostHome);
	t.deepEqual(Object.keys(byId), ['host-ssh-key', 'node-authorized-key', 'host-ssh-config']);
	const c = cluster();
	const remotes = new Map(
		await Promise.all(
			c.nodes.map(async n => {
				const home = path.join(root, n.name);
				await mkdir(home, {mode: 0o755});
				return [n.name, localRemote(n.name, home)] as const;
			}),
		),
	);
	const h = harness(c, remotes);

	t.true(await runStep(byId['host-ssh-key']!, h.context()));
	const key = findKeyPair(hostEnv({platform: 'linux', env: {HOME: hostHome}}), resolveSshPaths(hostEnv({platform: 'linux', env: {HOME: hostHome}})))!;
	for (const n of c.nodes) t.true(await runStep(byId['node-authorized-key']!, h.context(n, remotes.get(n.name))));
	for (const n of c.nodes) {
		const keys = await readFile(path.join(root, n.name, '.ssh', 'authorized_keys'), 'utf8');
		t.is(keys, key.publicLine + '\n');
		t.is((await stat(path.join(root, n.name, '.ssh', 'authorized_keys'))).mode & 0o777, 0o600);
		t.is((await stat(path.join(root, n.name, '.ssh'))).mode & 0o777, 0o700);
	}

	await runStep(byId['host-ssh-config']!, h.context());
	const config = await readFile(path.join(hostHome, '.ssh', 'config'), 'utf8');
	t.is(config.split('    IdentityFile ~/.ssh/id_ed25519\n').length, 4);

	// Second run: every step says done, nothing is added twice, no new key.
	t.false(await runStep(byId['host-ssh-key']!, h.context()));
	for (const n of c.nodes) t.false(await runStep(byId['node-authorized-key']!, h.context(n, remotes.get(n.name))));
	t.false(await runStep(byId['host-ssh-config']!, h.context()));
	t.is(await readFile(path.join(root, 'pg-node-2', '.ssh', 'authorized_keys'), 'utf8'), key.publicLine + '\n');
});

test('authorized_keys without a final newline gets the key on its own line; the same key with another comment counts', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const hostHome = path.join(root, 'host');
	const nodeHome = path.join(root, 'node');
	await mkdir(path.join(nodeHome, '.ssh'), {recursive: true});
	await writeFile(path.join(nodeHome, '.ssh', 'authorized_keys'), 'ssh-rsa AAAAB3NzaC1yc2EXYZ laptop');
	const byId = steps(hostHome);
	const c = cluster();
	const remote = localRemote('pg-node-1', nodeHome);
	const h = harness(c, new Map([['pg-node-1', remote]]));
	await runStep(byId['host-ssh-key']!, h.context());
	await runStep(byId['node-authorized-key']!, h.context(c.nodes[0], remote));
	const text = await readFile(path.join(nodeHome, '.ssh', 'authorized_keys'), 'utf8');
	const lines = text.split('\n');
	t.is(lines[0], 'ssh-rsa AAAAB3NzaC1yc2EXYZ laptop');
	t.is(parsePublicKey(lines[1]!)?.type, 'ssh-ed25519');
	t.is(lines.length, 3);

	await writeFile(path.join(nodeHome, '.ssh', 'authorized_keys'), lines[1]!.replace(/ \S+$/, ' renamed@pc') + '\n');
	t.true(await byId['node-authorized-key']!.check(h.context(c.nodes[0], remote)));
});

test('a home folder others can write to is reported: sshd would ignore the key', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const nodeHome = path.join(root, 'node');
	await mkdir(nodeHome);
	await chmod(nodeHome, 0o777);
	const byId = steps(path.join(root, 'host'));
	const c = cluster();
	const remote = localRemote('pg-node-1', nodeHome);
	const h = harness(c, new Map([['pg-node-1', remote]]));
	await runStep(byId['host-ssh-key']!, h.context());
	const error = await t.throwsAsync(runStep(byId['node-authorized-key']!, h.context(c.nodes[0], remote)), {instanceOf: StepError});
	t.regex((error as StepError).say('ru'), /chmod go-w ~/);
});

test('nodes already on key login need no new key and keep their own IdentityFile', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const keyed = cluster({nodes: [1, 2, 3].map(index => node(index, {auth: {kind: 'key', keyFile: path.join(root, 'keys', 'lab_key')}}))});
	const byId = steps(root);
	const h = harness(keyed);
	t.false(await runStep(byId['host-ssh-key']!, h.context()));
	t.is(findKeyPair(hostEnv({platform: 'linux', env: {HOME: root}}), resolveSshPaths(hostEnv({platform: 'linux', env: {HOME: root}}))), undefined);
	t.true(await byId['node-authorized-key']!.check(h.context(keyed.nodes[1])));
	await runStep(byId['host-ssh-config']!, h.context());
	const config = await readFile(path.join(root, '.ssh', 'config'), 'utf8');
	t.is(config.split(`    IdentityFile ${path.join(root, 'keys', 'lab_key')}\n`).length, 4);
});

test('the step texts exist in both languages', t => {
	const stage = createSshConfigStage();
	for (const text of [stage.title, stage.explain, stage.differsFromGuide!, ...stage.steps.flatMap(step => [step.title, step.explain])]) {
		t.regex(text.ru, /[а-яё]/i);
		t.regex(text.en, /^[\x20-\x7e]+$/);
		t.not(text.ru, text.en);
	}
});

test('a private key without its public half is never overwritten', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const host = hostEnv({platform: 'linux', env: {HOME: root, PATH: process.env['PATH']}});
	const paths = resolveSshPaths(host);
	await mkdir(paths.sshDir, {recursive: true});
	await writeFile(path.join(paths.sshDir, 'id_ed25519'), 'precious');
	const error = await t.throwsAsync(generateKeyPair(host, paths));
	t.regex(error!.message, /ssh-keygen -y -f/);
	t.is(await readFile(path.join(paths.sshDir, 'id_ed25519'), 'utf8'), 'precious');
});
