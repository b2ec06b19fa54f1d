import test from 'ava';
import {fileMatches, nodeError, parseFileStates, parseKeyValues, sh, sha256, shq, waitFor, writeAction} from '../../steps/commands.ts';
import {runLocally} from '../helpers/install-fixtures.ts';

test('shell quoting survives quotes, dollars, spaces and newlines', async t => {
	for (const value of [`it's`, '$HOME `id` "x"', 'two words', 'line\nbreak', '', 'plain/path-1.2']) {
		const result = await runLocally(`printf %s ${shq(value)}`);
		t.is(result.stdout, value);
	}

	t.is(shq('/etc/etcd/etcd.conf.yml'), '/etc/etcd/etcd.conf.yml');
	t.is((await runLocally(sh(`echo "a'b" | tr a A`))).stdout, "A'b\n");
});

test('waitFor returns the first value, stops after the given attempts, and obeys the signal', async t => {
	let calls = 0;
	t.is(await waitFor(async attempt => {
		calls++;
		return attempt === 3 ? 'ready' : undefined;
	}, {attempts: 5, intervalMs: 1}), 'ready');
	t.is(calls, 3);
	calls = 0;
	t.is(await waitFor(async () => {
		calls++;
		return undefined;
	}, {attempts: 4, intervalMs: 1}), undefined);
	t.is(calls, 4);
	const controller = new AbortController();
	const waiting = waitFor(async () => undefined, {attempts: 1000, intervalMs: 50, signal: controller.signal});
	controller.abort(new Error('stop'));
	await t.throwsAsync(waiting, {message: 'stop'});
});

test('key=value output and file states parse; a file matches only with the same content, mode and owner', t => {
	t.deepEqual(parseKeyValues('a=1\nb = two words\nnoise\nc=x=y\n'), new Map([['a', '1'], ['b', 'two words'], ['c', 'x=y']]));
	const write = writeAction('/etc/x', 'content\n', 0o600, 'postgres');
	const states = parseFileStates('/etc/x 600 postgres postgres 4ff1d9a9f7e6e0c4fd0d2d1d8c56c3d3a3e35f8d4c1b3b0e5e0f1f6f5c2c2a1b\n/etc/y -\n');
	t.true(states.has('/etc/y'));
	t.is(states.get('/etc/y'), undefined);
	t.false(fileMatches(states.get('/etc/x'), write));
	const right = {mode: 0o600, owner: 'postgres', group: 'postgres', sha256: sha256('content\n')};
	t.true(fileMatches(right, write));
	t.false(fileMatches({...right, mode: 0o644}, write));
	t.false(fileMatches({...right, owner: 'root'}, write));
	t.false(fileMatches(undefined, write));
});

test('errors name the node and carry the fix in both languages', t => {
	const error = nodeError('pg-node-2', {ru: 'порт занят.', en: 'the port is taken.'}, {ru: 'Освободите его.', en: 'Free it.'});
	t.is(error.message, 'pg-node-2: the port is taken. Free it.');
	t.deepEqual(error.sentence, {ru: 'pg-node-2: порт занят. Освободите его.', en: 'pg-node-2: the port is taken. Free it.'});
});
