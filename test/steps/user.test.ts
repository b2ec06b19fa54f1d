import test from 'ava';
import {mkdtemp, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {chpasswdCommand, createUserCommand, managesPassword, userStage, userStateCommand} from '../../steps/user.ts';
import {runLocally, sampleCluster, sampleSecrets, ScriptedRemote, stepContext} from '../helpers/install-fixtures.ts';

/** A yescrypt hash as Debian and Ubuntu write them, made by the system's libcrypt. */
async function yescrypt(password: string): Promise<string> {
	const script = [
		'import ctypes, sys',
		'lib = ctypes.CDLL("libcrypt.so.1")',
		'lib.crypt_gensalt.restype = ctypes.c_char_p',
		'lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]',
		'lib.crypt.restype = ctypes.c_char_p',
		'print(lib.crypt(sys.stdin.read().encode(), lib.crypt_gensalt(b"$y$", 0, None, 0)).decode())',
	].join('\n');
	const result = await runLocally(`/usr/bin/python3 -c '${script}'`, {input: password});
	if (result.code !== 0) throw new Error(result.stderr);
	return result.stdout.trim();
}

test('the password probe compares with the shadow hash through libc crypt, reading the password on stdin', async t => {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pgha-shadow-'));
	const shadow = path.join(dir, 'shadow');
	const password = `it's a "long" one $1`;
	await writeFile(shadow, `root:${await yescrypt(password)}:19000:0:99999:7:::\n`);
	const command = userStateCommand('root', true, shadow);
	t.false(command.includes(password));
	const match = await runLocally(command, {input: `${password}\n`});
	t.regex(match.stdout, /^exists=yes$/m);
	t.regex(match.stdout, /^home_dir=yes$/m);
	t.regex(match.stdout, /^password=match$/m);
	t.regex((await runLocally(command, {input: 'wrong\n'})).stdout, /^password=differ$/m);
	await writeFile(shadow, 'root:!:19000:0:99999:7:::\n');
	t.regex((await runLocally(command, {input: `${password}\n`})).stdout, /^password=none$/m);
	t.regex((await runLocally(userStateCommand('pgha-no-such-user', true, shadow))).stdout, /^exists=no$/m);
});

test('creating the user: home, bash, sudo group; chpasswd gets the password on stdin only', async t => {
	const cluster = sampleCluster();
	const secrets = sampleSecrets();
	const step = userStage.steps[0]!;
	const remote = new ScriptedRemote().on('getent passwd', {stdout: 'exists=no\n'});
	const context = stepContext(cluster, secrets, remote);
	t.false(await step.check(context));
	await step.apply!(context);
	const creates = remote.calls.find(call => call.command === createUserCommand('patroni'));
	t.truthy(creates);
	t.true(creates!.command.includes('useradd -m -s /bin/bash "$u"'));
	t.true(creates!.command.includes('usermod -aG sudo "$u"'));
	const chpasswd = remote.calls.find(call => call.command === chpasswdCommand);
	t.is(chpasswd?.options?.stdin, `patroni:${secrets.adminUserPassword}\n`);
	t.true(chpasswd?.options?.sudo);
	for (const call of remote.calls) t.false(call.command.includes(secrets.adminUserPassword));
	// The check sent the password for comparison on stdin too.
	t.is(remote.calls[0]!.options?.stdin, `${secrets.adminUserPassword}\n`);
	const syntax = await runLocally('bash -n', {input: createUserCommand(`o'brien`)});
	t.is(syntax.code, 0);
});

test('an existing, complete user is done; the SSH login account keeps its password', async t => {
	const cluster = sampleCluster();
	const node = {...cluster.nodes[0]!, sshUser: 'patroni'};
	t.false(managesPassword('patroni', node));
	const step = userStage.steps[0]!;
	const remote = new ScriptedRemote().on('getent passwd', {stdout: 'exists=yes\nhome=/home/patroni\nhome_dir=yes\nsudo=yes\n'});
	const context = stepContext(cluster, sampleSecrets(), remote, {node});
	t.true(await step.check(context));
	t.false(remote.calls[0]!.command.includes('perl'));
	t.is(remote.calls[0]!.options?.stdin, undefined);
	t.deepEqual(step.plan(context).map(action => action.kind === 'run' ? action.command : action.path), [createUserCommand('patroni')]);
});

test('a user whose password differs from the generated one is not done', async t => {
	const cluster = sampleCluster();
	const step = userStage.steps[0]!;
	const remote = new ScriptedRemote().on('getent passwd', {stdout: 'exists=yes\nhome=/home/patroni\nhome_dir=yes\nsudo=yes\npassword=differ\n'});
	t.false(await step.check(stepContext(cluster, sampleSecrets(), remote)));
});
