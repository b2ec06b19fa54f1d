/**
 * `pgha test --timing`: the preset goes into Patroni's dynamic configuration before the run, the run
 * sees it, and the cluster file's values go back afterwards, also when the run fails.
 */
import test from 'ava';
import type {Session} from '../../source/app/session.ts';
import type {ExecOptions, ExecResult, Remote} from '../../source/core/remote.ts';
import {withTestTiming} from '../../source/commands/test-timing.ts';
import {sampleCluster, sampleSecrets} from '../helpers/install-fixtures.ts';

interface Call {
	readonly node: string;
	readonly command: string;
	readonly asUser?: string;
}

/** Nodes that answer edit-config with `codes` in turn (0 when they run out), recording each call. */
function rig(codes: number[] = []) {
	const calls: Call[] = [];
	const cluster = sampleCluster();
	const remotes = new Map(cluster.nodes.map(node => [node.name, {
		async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
			calls.push({node: node.name, command, asUser: options.asUser});
			const code = codes.shift() ?? 0;
			return {code, stdout: '', stderr: code === 0 ? '' : 'Error: etcd is unreachable'} as ExecResult;
		},
	} as unknown as Remote]));
	const session = {cluster, secrets: sampleSecrets(), remotes, close() {}} as unknown as Session;
	const said: string[] = [];
	const settled: number[] = [];
	const io = {say: (line: string) => void said.push(line), settle: async (ms: number) => void settled.push(ms)};
	return {cluster, session, calls, said, settled, io};
}

const sets = (command: string) => ['ttl', 'loop_wait', 'retry_timeout'].map(key => new RegExp(`-s ${key}=(\\d+)`).exec(command)?.[1]).join('/');

test('fast for one run: edit-config as postgres before it, the run sees ttl 20, the file\'s 30/10/10 put back after', async t => {
	const r = rig();
	let seen: number | undefined;
	const code = await withTestTiming(r.session, 'fast', 'en', async session => {
		seen = session.cluster.timing.ttl;
		t.is(r.calls.length, 1, 'applied before the run');
		return 0;
	}, r.io);
	t.is(code, 0);
	t.is(seen, 20);
	t.deepEqual(r.calls.map(call => sets(call.command)), ['20/5/5', '30/10/10']);
	t.true(r.calls.every(call => call.asUser === 'postgres' && call.command.includes('edit-config --force')));
	t.regex(r.said[0]!, /Timing "fast" for this test: ttl 20, loop_wait 5, retry_timeout 5 \(the cluster file has ttl 30/);
	t.regex(r.said[1]!, /Timing put back: ttl 30, loop_wait 10, retry_timeout 10/);
	// Waited out the old loop_wait (10 s) and a margin, so every member runs with the new values.
	t.deepEqual(r.settled, [12_000]);
});

test('a run that throws still gets the file\'s timing put back', async t => {
	const r = rig();
	await t.throwsAsync(withTestTiming(r.session, 'fast', 'ru', async () => {
		throw new Error('lost the connection');
	}, r.io), {message: 'lost the connection'});
	t.deepEqual(r.calls.map(call => sets(call.command)), ['20/5/5', '30/10/10']);
	t.regex(r.said.at(-1)!, /Тайминг возвращён/);
});

test('a node that refuses edit-config is passed over for the next one', async t => {
	const r = rig([1]);
	t.is(await withTestTiming(r.session, 'fast', 'en', async () => 0, r.io), 0);
	t.deepEqual(r.calls.map(call => call.node), ['pg-node-1', 'pg-node-2', 'pg-node-1']);
});

test('when no node takes the preset the test does not run, and says why', async t => {
	const r = rig([1, 1, 1]);
	let ran = false;
	const code = await withTestTiming(r.session, 'fast', 'en', async () => {
		ran = true;
		return 0;
	}, r.io);
	t.is(code, 1);
	t.false(ran);
	t.is(r.calls.length, 3);
});

test('the preset the file already has changes nothing on the nodes', async t => {
	const r = rig();
	t.is(await withTestTiming(r.session, 'default', 'en', async session => (session.cluster.timing.ttl === 30 ? 0 : 1), r.io), 0);
	t.deepEqual(r.calls, []);
	t.deepEqual(r.said, []);
});
