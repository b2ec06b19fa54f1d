/** The SSH layer's pure parts, checked against real tools where one exists (sh, ssh-keygen). */
import test from 'ava';
import {execFile} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {killSessionScript, parseSessionMarker, wrapCommand} from '../../source/ssh/command.ts';
import {classifyConnectError, sudoProblem, CommandError} from '../../source/ssh/errors.ts';
import {
	addHostKey,
	checkHostKey,
	defaultKnownHostsFile,
	forgetHost,
	keyFingerprint,
	keyType,
	preferredHostKeyAlgorithms,
} from '../../source/ssh/known-hosts.ts';
import {LineSplitter, TailBuffer} from '../../source/ssh/lines.ts';
import {MASK, maskSecrets, registerSecret} from '../../source/ssh/mask.ts';
import {socatErrorCode} from '../../source/ssh/netns-socket.ts';
import {shellJoin, shellQuote} from '../../source/ssh/quote.ts';

const run = promisify(execFile);

function splitAll(chunks: Buffer[]): Array<[string, boolean]> {
	const lines: Array<[string, boolean]> = [];
	const splitter = new LineSplitter((line, complete) => lines.push([line, complete]));
	for (const chunk of chunks) splitter.write(chunk);
	splitter.end();
	return lines;
}

test('lines: every split point inside 2-, 3- and 4-byte characters keeps the text whole', t => {
	const text = 'жёлтый 世界 🐘 строка\nвторая — ещё 🐘🐘\nlast без перевода';
	const bytes = Buffer.from(text, 'utf8');
	const expected: Array<[string, boolean]> = [
		['жёлтый 世界 🐘 строка', true],
		['вторая — ещё 🐘🐘', true],
		['last без перевода', false],
	];
	for (let cut = 0; cut <= bytes.length; cut++) {
		for (let second = cut; second <= bytes.length; second += 7) {
			const chunks = [bytes.subarray(0, cut), bytes.subarray(cut, second), bytes.subarray(second)];
			t.deepEqual(splitAll(chunks), expected, `cuts at ${cut} and ${second}`);
		}
	}
	// One byte at a time, the worst case.
	t.deepEqual(splitAll([...bytes].map(byte => Buffer.from([byte]))), expected);
});

test('lines: a naive per-chunk decoding would have broken this input (the test above can fail)', t => {
	const bytes = Buffer.from('ж', 'utf8');
	t.not(bytes.subarray(0, 1).toString('utf8') + bytes.subarray(1).toString('utf8'), 'ж');
});

test('lines: CRLF endings lose the CR, empty lines are kept, a truncated character becomes U+FFFD', t => {
	t.deepEqual(splitAll([Buffer.from('a\r\n\r\nb\n')]), [
		['a', true],
		['', true],
		['b', true],
	]);
	t.deepEqual(splitAll([Buffer.from([0x61, 0xd0])]), [['a\uFFFD', false]]);
});

test('lines: an endless line is passed on in bounded pieces', t => {
	const pieces: string[] = [];
	const splitter = new LineSplitter(line => pieces.push(line));
	const chunk = Buffer.alloc(256 * 1024, 'x');
	for (let i = 0; i < 12; i++) splitter.write(chunk);
	splitter.end();
	t.is(pieces.join('').length, 12 * 256 * 1024);
	t.true(pieces.every(piece => piece.length <= 1024 * 1024));
});

test('tail buffer keeps the last characters and says it dropped some', t => {
	const tail = new TailBuffer(10);
	for (let i = 0; i < 100; i++) tail.append(`${i % 10}`);
	t.is(tail.toString(), '0123456789');
	t.true(tail.truncated);
	const small = new TailBuffer(10);
	small.append('abc');
	t.is(small.toString(), 'abc');
	t.false(small.truncated);
});

test('shellQuote survives a real sh for nasty words', async t => {
	const words = ["it's", 'a "b" $HOME `id` \\ \n ж', '', '--', "'", "''\\'"];
	const {stdout} = await run('sh', ['-c', `printf '%s\\0' ${shellJoin(words)}`]);
	t.deepEqual(stdout.split('\0').slice(0, -1), words);
	t.is(shellQuote('plain-word_1.2/x'), 'plain-word_1.2/x');
});

test('wrapped commands run the command through sh, announce the session and keep quotes', async t => {
	const command = `printf '%s|' "it's" "$((1+2))" | tr '|' ';'; echo " ok"`;
	const {stdout, stderr} = await run('sh', ['-c', wrapCommand(command)]);
	t.is(stdout, "it's;3; ok\n");
	const marker = stderr.trim();
	t.truthy(parseSessionMarker(marker), marker);
	t.is(parseSessionMarker('pgha-session:abc'), undefined);
	t.is(parseSessionMarker('something else'), undefined);
});

test('sudo wrapping: -n without a password, -k -S with an empty prompt with one, runuser as root', t => {
	t.true(wrapCommand('id', {sudo: 'password'}).includes(`sudo -k -S -p '\\'''\\'' --`));
	t.regex(wrapCommand('id', {sudo: 'nopasswd', asUser: 'postgres'}), /sudo -n -u postgres --/);
	t.regex(wrapCommand('id', {sudo: 'root', asUser: 'postgres'}), /runuser -u postgres --/);
	t.notRegex(wrapCommand('id', {sudo: 'root'}), /sudo|runuser/);
});

test('the session kill script is valid sh', async t => {
	await t.notThrowsAsync(run('sh', ['-n', '-c', killSessionScript(12345)]));
});

test('masking hides raw, quoted and URL-encoded forms, longest first', t => {
	const secret = "pa'ss word/x";
	const text = `PGPASSWORD=${shellQuote(secret)} psql postgres://u:${encodeURIComponent(secret)}@h raw=${secret}`;
	const masked = maskSecrets(text, [secret]);
	t.false(masked.includes('pa'), masked);
	t.is(masked.split(MASK).length - 1, 3);
	t.is(maskSecrets('short ab', ['ab']), 'short ab');
	registerSecret('registered-secret-1');
	t.is(maskSecrets('x registered-secret-1 y'), `x ${MASK} y`);
});

test('known hosts: fingerprint and type match ssh-keygen for a real key', async t => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-kh-'));
	t.teardown(() => rmSync(dir, {recursive: true, force: true}));
	await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'k')]);
	const [type, base64] = readFileSync(path.join(dir, 'k.pub'), 'utf8').split(' ');
	const blob = Buffer.from(base64!, 'base64');
	const {stdout} = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(dir, 'k.pub')]);
	t.is(keyFingerprint(blob), stdout.split(' ')[1]!);
	t.is(keyType(blob), type!);
	t.regex(keyFingerprint(blob), /^SHA256:[A-Za-z0-9+/]{43}$/);

	const file = path.join(dir, 'sub', 'known_hosts');
	t.is(checkHostKey(file, '10.0.0.1', 22, blob).status, 'unknown');
	addHostKey(file, '10.0.0.1', 22, blob);
	addHostKey(file, '10.0.0.1', 2222, blob);
	t.is(statSync(file).mode & 0o777, 0o600);
	t.is(statSync(path.dirname(file)).mode & 0o777, 0o700);
	// The file is OpenSSH's format: ssh-keygen can find the host in it.
	const found = await run('ssh-keygen', ['-F', '[10.0.0.1]:2222', '-f', file]);
	t.true(found.stdout.includes(base64!));
	t.is(checkHostKey(file, '10.0.0.1', 22, blob).status, 'known');
	t.is(checkHostKey(file, '10.0.0.2', 22, blob).status, 'unknown');

	await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'other')]);
	const other = Buffer.from(readFileSync(path.join(dir, 'other.pub'), 'utf8').split(' ')[1]!, 'base64');
	const changed = checkHostKey(file, '10.0.0.1', 22, other);
	t.is(changed.status, 'changed');
	t.deepEqual(changed.status === 'changed' ? changed.known : [], [keyFingerprint(blob)]);

	t.deepEqual(preferredHostKeyAlgorithms(file, '10.0.0.1', 22, ['ecdsa-sha2-nistp256', 'ssh-ed25519']), [
		'ssh-ed25519',
		'ecdsa-sha2-nistp256',
	]);
	forgetHost(file, '10.0.0.1', 22);
	t.is(checkHostKey(file, '10.0.0.1', 22, blob).status, 'unknown');
	t.is(checkHostKey(file, '10.0.0.1', 2222, blob).status, 'known');
	t.is(defaultKnownHostsFile('/x/y/pgha.yaml'), '/x/y/.pgha/known_hosts');
	writeFileSync(file, 'garbage line\n|1|hashed ssh-ed25519 AAAA\n');
	t.is(checkHostKey(file, '10.0.0.1', 22, blob).status, 'unknown');
});

test('sudo and socket messages are classified', t => {
	t.is(sudoProblem('Sorry, try again.\nsudo: no password was provided\nsudo: 1 incorrect password attempt'), 'sudo-password');
	t.is(sudoProblem('bob is not in the sudoers file.  This incident will be reported.'), 'sudo-denied');
	t.is(sudoProblem('Sorry, user bob is not allowed to run sudo on pg-node-1.'), 'sudo-denied');
	t.is(sudoProblem('sudo: a password is required'), 'sudo-password-needed');
	t.is(sudoProblem('everything fine'), undefined);
	t.is(classifyConnectError(Object.assign(new Error('x'), {code: 'ECONNREFUSED'})), 'refused');
	t.is(classifyConnectError(Object.assign(new Error('x'), {code: 'EHOSTUNREACH'})), 'unreachable');
	t.is(classifyConnectError(new Error('Timed out while waiting for handshake')), 'timeout');
	t.is(classifyConnectError(Object.assign(new Error('All configured authentication methods failed'), {level: 'client-authentication'})), 'auth');
	t.is(socatErrorCode('socat[1] E connect(5, AF=2 10.0.0.1:22, 16): Connection refused'), 'ECONNREFUSED');
	t.is(socatErrorCode('socat[1] E connect(5, AF=2 10.0.0.1:22, 16): Network is unreachable'), 'ENETUNREACH');
	t.is(socatErrorCode('Cannot open network namespace "x": No such file or directory'), 'ENETNS');
});

test('a command error names the node, the command, the code and the last stderr lines in both languages', t => {
	const error = new CommandError(
		{name: 'pg-node-2', host: '192.168.0.31', port: 22, user: 'student'},
		{command: 'systemctl start patroni', code: 5, stdout: '', stderr: 'a\nb\nc\nFailed to start patroni.service: Unit not found.\n'},
	);
	t.is(error.kind, 'command-failed');
	t.is(
		error.message,
		'On pg-node-2 the command "systemctl start patroni" failed with exit code 5: b | c | Failed to start patroni.service: Unit not found.',
	);
	t.true(error.text.ru.startsWith('На pg-node-2 команда «systemctl start patroni» завершилась с кодом 5'));
	t.false(error.transient);
});
