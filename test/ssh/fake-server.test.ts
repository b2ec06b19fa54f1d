/**
 * What a real sshd never does, from ssh2's own Server: a command channel that closes without an
 * exit status. pgha must treat it as a failure, never as success.
 */
import test from 'ava';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import {connect} from '../../source/ssh/connection.ts';
import {CommandError} from '../../source/ssh/errors.ts';

const {Server, utils} = ssh2;

test('a command that ends without an exit status is a failure: CommandError with code -1, and -1 (never 0) with allowFailure', async t => {
	const hostKey = utils.generateKeyPairSync('ed25519').private;
	const server = new Server({hostKeys: [hostKey]}, client => {
		client.on('error', () => undefined);
		client.on('authentication', context => context.accept());
		client.on('session', accept => {
			const session = accept();
			session.on('exec', acceptExec => {
				const channel = acceptExec();
				channel.write('partial output\n');
				channel.stderr.write('then nothing\n');
				// No channel.exit(...): EOF and close only.
				channel.end();
				channel.close();
			});
		});
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-fake-'));
	t.teardown(() => {
		server.close();
		rmSync(dir, {recursive: true, force: true});
	});
	const {port} = server.address() as {port: number};
	const remote = await connect(
		{name: 'fake-node', ip: '127.0.0.1', sshPort: port, sshUser: 'anyone', auth: {kind: 'password'}},
		{password: 'x', knownHostsFile: path.join(dir, 'known_hosts')},
	);
	t.teardown(() => remote.close());

	const error = await t.throwsAsync(remote.exec('systemctl restart patroni'), {instanceOf: CommandError});
	t.is(error!.code, -1);
	t.is(error!.stdout, 'partial output\n');
	t.is(
		error!.message,
		'On fake-node the command "systemctl restart patroni" ended without an exit status, so pgha cannot tell whether it worked: then nothing; run pgha again.',
	);
	const allowed = await remote.exec('true', {allowFailure: true});
	t.is(allowed.code, -1);
	t.not(allowed.code, 0);
});
