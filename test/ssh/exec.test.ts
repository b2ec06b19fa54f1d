/** exec against a real OpenSSH sshd: streaming, exit codes, signals, cancellation, timeouts. */
import test from 'ava';
import {createHash, randomBytes} from 'node:crypto';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {connect, type SshRemote} from '../../source/ssh/connection.ts';
import {CommandError, SshError} from '../../source/ssh/errors.ts';
import {ensureTestUsers, pgrep, startSshd, stopSshd, type Sshd, type TestUsers} from '../helpers/sshd.ts';

let sshd: Sshd | undefined;
let users: TestUsers;
let remote: SshRemote;
let dir: string;

test.before(async () => {
	users = await ensureTestUsers();
	sshd = await startSshd();
	dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-exec-'));
	remote = await connect(sshd.node(users.np), {password: users.np.password, knownHostsFile: path.join(dir, 'known_hosts')});
});

test.after.always(async () => {
	remote?.close();
	await stopSshd(sshd);
	if (dir) rmSync(dir, {recursive: true, force: true});
});

/** A unique tag for a command line, so pgrep finds exactly this test's process. */
function tag(): string {
	return `${300 + (randomBytes(2).readUInt16BE(0) % 600)}.${randomBytes(3).readUIntBE(0, 3)}`;
}

test('streams more than 50 MB as lines while they arrive, every line intact, stderr consumed too', async t => {
	// 600000 numbered lines of ~90 bytes with Cyrillic in them; every 1000th also goes to stderr.
	const generator = `awk 'BEGIN { for (i = 0; i < 600000; i++) { printf "%07d строка данных для проверки потока — payload %s\\n", i, "0123456789abcdef0123456789"; if (i % 1000 == 0) printf "err %d\\n", i > "/dev/stderr" } }'`;
	const reference = await remote.exec(`${generator} 2>/dev/null | wc -lc; ${generator} 2>/dev/null | sha256sum`);
	const [counts, sum] = reference.stdout.trim().split('\n');
	const [lineCount, byteCount] = counts!.trim().split(/\s+/).map(Number);
	t.true(byteCount! >= 50 * 1024 * 1024, `only ${byteCount} bytes`);

	const hash = createHash('sha256');
	let received = 0;
	let expectedIndex = 0;
	let outOfOrder = 0;
	let stderrLines = 0;
	const result = await remote.exec(generator, {
		onLine(line, stream) {
			if (stream === 'stderr') {
				if (line === `err ${stderrLines * 1000}`) stderrLines++;
				return;
			}
			if (!line.startsWith(String(expectedIndex).padStart(7, '0'))) outOfOrder++;
			expectedIndex++;
			received++;
			hash.update(`${line}\n`);
		},
	});
	t.is(result.code, 0);
	t.is(received, lineCount!);
	t.is(outOfOrder, 0);
	t.is(stderrLines, 600);
	t.is(`${hash.digest('hex')}  -`, sum!);
	// The capture is bounded and keeps the tail.
	t.true(result.stdout.length <= 1024 * 1024);
	t.true(result.stdout.endsWith('0599999 строка данных для проверки потока — payload 0123456789abcdef0123456789\n'));
});

test('multi-byte characters split across chunk borders arrive whole', async t => {
	// dd bs=1 writes one byte per write(2): sshd forwards tiny chunks that cut characters apart.
	const text = 'жёлтый 世界 🐘 — ok\nещё строка 🐘🐘\n';
	const lines: string[] = [];
	const result = await remote.exec(`printf '%s' '${text}' | dd bs=1 status=none`, {onLine: line => lines.push(line)});
	t.deepEqual(lines, ['жёлтый 世界 🐘 — ok', 'ещё строка 🐘🐘']);
	t.is(result.stdout, text);
	// A long line of 2-, 3- and 4-byte characters starting at an odd offset: SSH packets are a few
	// KiB, so many packet borders fall inside characters.
	const long = await remote.exec(`awk 'BEGIN { printf "x"; for (i = 0; i < 200000; i++) printf "ж€🐘"; printf "\\n" }'`);
	t.is(long.stdout, `x${'ж€🐘'.repeat(200000)}\n`);
	t.false(long.stdout.includes('\uFFFD'));
});

test('exit codes: 0, non-zero throws a CommandError, allowFailure returns it', async t => {
	t.is((await remote.exec('true')).code, 0);
	const error = await t.throwsAsync(remote.exec('echo first >&2; echo "the reason" >&2; exit 7'), {instanceOf: CommandError});
	t.is(error!.code, 7);
	t.is(error!.node, 'test-node');
	t.regex(error!.message, /^On test-node the command "echo first >&2; echo "the reason" >&2; exit 7" failed with exit code 7: first \| the reason\.$/);
	t.true(error!.text.ru.includes('завершилась с кодом 7'));
	const allowed = await remote.exec('echo out; exit 3', {allowFailure: true});
	t.deepEqual(allowed, {code: 3, signal: undefined, stdout: 'out\n', stderr: ''});
});

test('a command killed by a signal reports the signal', async t => {
	const error = await t.throwsAsync(remote.exec('echo before; kill -9 $$'), {instanceOf: CommandError});
	t.is(error!.signal, 'SIGKILL');
	t.is(error!.code, 137);
	t.true(error!.message.includes('killed by SIGKILL'));
	t.is(error!.stdout, 'before\n');
});

test('stdin reaches the command and is closed, so readers do not hang', async t => {
	const result = await remote.exec('cat; echo end', {stdin: 'line one\nстрока два\n'});
	t.is(result.stdout, 'line one\nстрока два\nend\n');
	t.is((await remote.exec('cat')).stdout, '');
});

test('the environment is fixed in the command: C locale, noninteractive apt; no pty', async t => {
	const result = await remote.exec('echo "$LC_ALL $DEBIAN_FRONTEND"; tty || true');
	t.is(result.stdout, 'C noninteractive\nnot a tty\n');
});

test('secrets are masked in errors and in streamed lines', async t => {
	const secret = `s3cr3t-${randomBytes(6).toString('hex')}`;
	const lines: string[] = [];
	const error = await t.throwsAsync(remote.exec(`echo "token ${secret}"; echo "bad ${secret}" >&2; exit 2`, {secrets: [secret], onLine: line => lines.push(line)}), {
		instanceOf: CommandError,
	});
	t.false(error!.message.includes(secret));
	t.false(error!.command.includes(secret));
	t.false(error!.stderr.includes(secret));
	t.true(error!.message.includes('******'));
	t.deepEqual(lines.sort(), ['bad ******', 'token ******']);
});

test('cancelling a running command stops the remote process', async t => {
	const seconds = tag();
	const controller = new AbortController();
	const running = remote.exec(`echo started; sleep ${seconds}`, {
		signal: controller.signal,
		onLine: line => line === 'started' && controller.abort(),
	});
	const error = await t.throwsAsync(running);
	t.is(error!.name, 'AbortError');
	t.deepEqual(await pgrep(`sleep ${seconds}`), []);
	// Still usable afterwards.
	t.is((await remote.exec('echo alive')).stdout, 'alive\n');
});

test('cancelling stops a whole pipeline, not just the shell', async t => {
	const seconds = tag();
	const controller = new AbortController();
	const running = remote.exec(`echo started; sleep ${seconds} | cat; echo never`, {
		signal: controller.signal,
		onLine: line => line === 'started' && controller.abort(),
	});
	await t.throwsAsync(running, {name: 'AbortError'});
	t.deepEqual(await pgrep(`sleep ${seconds}`), []);
});

test('an already aborted signal runs nothing', async t => {
	const controller = new AbortController();
	controller.abort();
	const marker = `/tmp/pgha-t-never-${randomBytes(4).toString('hex')}`;
	await t.throwsAsync(remote.exec(`touch ${marker}`, {signal: controller.signal}), {name: 'AbortError'});
	t.is((await remote.exec(`test -e ${marker} && echo yes || echo no`)).stdout, 'no\n');
});

test('aborting while the command is being started runs nothing and leaves nothing behind', async t => {
	const seconds = tag();
	const marker = `/tmp/pgha-t-never-${randomBytes(4).toString('hex')}`;
	const controller = new AbortController();
	const running = remote.exec(`touch ${marker}; sleep ${seconds}`, {signal: controller.signal});
	controller.abort();
	await t.throwsAsync(running, {name: 'AbortError'});
	t.deepEqual(await pgrep(`sleep ${seconds}`), []);
	t.is((await remote.exec(`test -e ${marker} && echo yes || echo no`)).stdout, 'no\n');
});

test('a command over its timeout is stopped with a clear error', async t => {
	const seconds = tag();
	const error = await t.throwsAsync(remote.exec(`sleep ${seconds}`, {timeoutMs: 500}), {instanceOf: SshError});
	t.is(error!.kind, 'command-timeout');
	t.regex(error!.message, /^On test-node the command "sleep [\d.]+" did not finish within 1 s and was stopped/);
	t.deepEqual(await pgrep(`sleep ${seconds}`), []);
});

test('more commands at once than OpenSSH allows sessions (10) all run', async t => {
	const results = await Promise.all(Array.from({length: 25}, (_, i) => remote.exec(`echo ${i}`)));
	t.deepEqual(
		results.map(result => result.stdout),
		Array.from({length: 25}, (_, i) => `${i}\n`),
	);
});

test('a throwing onLine callback fails the exec instead of crashing the process', async t => {
	const error = await t.throwsAsync(
		remote.exec('echo a; echo b', {
			onLine() {
				throw new Error('callback broke');
			},
		}),
	);
	t.is(error!.message, 'callback broke');
});
