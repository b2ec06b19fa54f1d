/**
 * The two programs the test stage runs on the HAProxy node, run here for real (python3, bash) with
 * stand-ins for what only the lab has: psycopg2 talking to a server, and pgbench.
 */
import test from 'ava';
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {parseSegment} from '../../source/cluster-test/load-test.ts';
import {parseWriterLine} from '../../source/cluster-test/writer.ts';
import {pgbenchLoopArgv, renderPgbenchLoop} from '../../templates/pgbench-loop.ts';
import {renderProbeWriter, type ProbeWriterSettings} from '../../templates/probe-writer.ts';
import {runLocally} from '../helpers/install-fixtures.ts';

const stubPsycopg2 = `import os
class OperationalError(Exception):
    pass
_fail = set(int(x) for x in os.environ.get("STUB_FAIL_SEQS", "").split(",") if x)
_log = os.environ["STUB_LOG"]
def _note(line):
    with open(_log, "a") as f:
        f.write(line + "\\n")
class _Cursor:
    def __enter__(self):
        return self
    def __exit__(self, *args):
        return False
    def execute(self, sql, params=None):
        _note("sql " + sql + " " + repr(params))
        if params and params[0] in _fail:
            raise OperationalError("server closed the connection unexpectedly\\n\\tThis probably means the server terminated abnormally")
class _Conn:
    autocommit = False
    def cursor(self):
        return _Cursor()
    def close(self):
        _note("close")
def connect(**kwargs):
    _note("connect password-ok=%s port=%s" % (kwargs.get("password") == os.environ["STUB_PASSWORD"], kwargs.get("port")))
    return _Conn()
`;

function workdir(): string {
	return mkdtempSync(path.join(tmpdir(), 'pgha-scripts-'));
}

function writerSettings(dir: string, overrides: Partial<ProbeWriterSettings> = {}): ProbeWriterSettings {
	return {
		host: '127.0.0.1', port: 5000, user: 'postgres', password: `s3cr"et'`, database: 'pgha_test', table: 'pgha_probe',
		durationMs: 60_000, maxWrites: 10, intervalMs: 1, firstSeq: 100, stopFile: path.join(dir, 'stop'), ...overrides,
	};
}

async function runWriter(dir: string, settings: ProbeWriterSettings, failSeqs: readonly number[] = []) {
	writeFileSync(path.join(dir, 'psycopg2.py'), stubPsycopg2);
	writeFileSync(path.join(dir, 'writer.py'), renderProbeWriter());
	const env = {...process.env, PYTHONPATH: dir, STUB_LOG: path.join(dir, 'log'), STUB_PASSWORD: settings.password, STUB_FAIL_SEQS: failSeqs.join(',')};
	const result = await runLocally(`python3 ${path.join(dir, 'writer.py')}`, {input: `${JSON.stringify(settings)}\n`, env});
	const log = existsSync(path.join(dir, 'log')) ? readFileSync(path.join(dir, 'log'), 'utf8').split('\n').filter(Boolean) : [];
	return {result, lines: result.stdout.split('\n').filter(Boolean).map(parseWriterLine), log};
}

test('the probe writer acknowledges each committed row, reports each failure, reconnects and stops at its bound', async t => {
	const dir = workdir();
	try {
		const {result, lines, log} = await runWriter(dir, writerSettings(dir), [103, 107]);
		t.is(result.code, 0, result.stderr);
		const acks = lines.filter(line => line?.kind === 'ack').map(line => line!.kind === 'ack' ? line!.seq : 0);
		t.deepEqual(acks, [100, 101, 102, 104, 105, 106, 108, 109]);
		const errors = lines.filter(line => line?.kind === 'err');
		t.is(errors.length, 2);
		t.true(errors.every(line => line!.kind === 'err' && line!.reason === 'server closed the connection unexpectedly'));
		t.deepEqual(lines.at(-1), {kind: 'end', acked: 8, failed: 2});
		// A fresh connection after each failure, and the password arrived through stdin intact.
		t.deepEqual(log.filter(line => line.startsWith('connect')), Array.from({length: 3}, () => 'connect password-ok=True port=5000'));
		// Only the INSERT: a statement_timeout could cancel a synchronous commit and fake an acknowledgement.
		t.true(log.filter(line => line.startsWith('sql')).every(line => line.startsWith('sql INSERT INTO pgha_probe (seq, written_at) VALUES (%s, now())')));
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});

test('the probe writer stops as soon as its stop file exists', async t => {
	const dir = workdir();
	try {
		writeFileSync(path.join(dir, 'stop'), '');
		const {result, lines, log} = await runWriter(dir, writerSettings(dir, {maxWrites: 5000}));
		t.is(result.code, 0, result.stderr);
		t.deepEqual(lines, [{kind: 'end', acked: 0, failed: 0}]);
		t.deepEqual(log, []);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});

/** pgbench 15's own output (captured in the lab) for a good segment, a dropped connection and a refused one. */
const fakePgbench = (dir: string) => `#!/bin/sh
n=$(( $(cat ${dir}/count 2>/dev/null || echo 0) + 1 )); echo $n > ${dir}/count
echo "$*" >> ${dir}/argv
printf '%s\\n' "$PGPASSWORD" >> ${dir}/passwords
case $(echo "$PLAN" | cut -d, -f$n) in
ok)
  echo 'pgbench (15.18 (Debian 15.18-0+deb12u1), server 15.20 (Debian 15.20-0+deb12u1))'
  echo 'transaction type: <builtin: TPC-B (sort of)>'
  echo 'number of transactions actually processed: 863'
  echo 'number of failed transactions: 0 (0.000%)'
  echo 'latency average = 2.268 ms'
  echo 'tps = 881.712586 (without initial connection time)'
  exit 0;;
abort)
  echo 'pgbench: error: client 1 script 0 aborted in command 4 query 0: FATAL:  terminating connection due to administrator command' >&2
  echo 'pgbench: error: client 0 script 0 aborted in command 5 query 0: server closed the connection unexpectedly' >&2
  echo 'number of transactions actually processed: 120'
  echo 'number of failed transactions: 0 (0.000%)'
  echo 'tps = 240.5 (without initial connection time)'
  echo 'pgbench: error: Run was aborted; the above results are incomplete.' >&2
  exit 2;;
refuse)
  echo 'pgbench: error: connection to server at "127.0.0.1", port 5000 failed: Connection refused' >&2
  echo 'pgbench: error: could not create connection for setup' >&2
  exit 1;;
esac
exit 3
`;

async function runLoop(dir: string, plan: string, mode: 'rw' | 'ro', maxSegments: number) {
	writeFileSync(path.join(dir, 'pgbench'), fakePgbench(dir));
	chmodSync(path.join(dir, 'pgbench'), 0o755);
	writeFileSync(path.join(dir, 'loop.sh'), renderPgbenchLoop());
	const argv = pgbenchLoopArgv({
		pgbench: path.join(dir, 'pgbench'), host: '127.0.0.1', port: 5000, user: 'postgres', database: 'pgha_bench', mode,
		clients: 2, segmentSeconds: 2, maxSegments, maxSeconds: 120, stopFile: path.join(dir, 'stop'),
	});
	return runLocally(`bash ${path.join(dir, 'loop.sh')} ${argv.map(word => `'${word}'`).join(' ')}`, {input: 'pw "1\n', env: {...process.env, PLAN: plan}});
}

test('the pgbench loop reports every segment, survives failed ones and ends at its segment bound', async t => {
	const dir = workdir();
	try {
		const result = await runLoop(dir, 'ok,abort,refuse,ok,ok', 'rw', 4);
		t.is(result.code, 0, result.stderr);
		const lines = result.stdout.split('\n').filter(Boolean);
		const segments = lines.map(parseSegment).filter(segment => segment !== undefined);
		t.deepEqual(segments.map(s => [s.n, s.code, s.transactions, s.failed, s.aborted, s.tps]), [
			[1, 0, 863, 0, 0, 881.712586],
			[2, 2, 120, 0, 2, 240.5],
			[3, 1, 0, 0, 0, 0],
			[4, 0, 863, 0, 0, 881.712586],
		]);
		t.true(segments.every(s => s.end >= s.start));
		t.deepEqual(lines.filter(line => line.startsWith('why ')), [
			'why pgbench: error: client 1 script 0 aborted in command 4 query 0: FATAL:  terminating connection due to administrator command',
			'why pgbench: error: connection to server at "127.0.0.1", port 5000 failed: Connection refused',
		]);
		t.is(lines.at(-1), 'end 4');
		const argv = readFileSync(path.join(dir, 'argv'), 'utf8');
		t.is(argv.split('\n').filter(Boolean)[0], '-h 127.0.0.1 -p 5000 -U postgres -n -c 2 -j 1 -T 2 pgha_bench');
		t.false(argv.includes('pw'));
		t.deepEqual(readFileSync(path.join(dir, 'passwords'), 'utf8').split('\n').filter(Boolean), Array.from({length: 4}, () => 'pw "1'));
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});

test('the read-only loop runs select-only and ends at once when its stop file exists', async t => {
	const dir = workdir();
	try {
		const first = await runLoop(dir, 'ok', 'ro', 1);
		t.true(readFileSync(path.join(dir, 'argv'), 'utf8').includes('-n -S -c 2'));
		t.is(first.stdout.trim().split('\n').at(-1), 'end 1');
		writeFileSync(path.join(dir, 'stop'), '');
		const stopped = await runLoop(dir, 'ok', 'ro', 50);
		t.is(stopped.stdout.trim(), 'end 0');
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});
