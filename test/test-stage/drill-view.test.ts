import test from 'ava';
import {parseMonitorLine, perSecond} from '../../source/cluster-test/drill.ts';
import {drillLine, drillRows, stripText, type DrillSnapshot} from '../../source/cluster-test/drill-view.ts';

const during: DrillSnapshot = {
	title: 'kill -9 of Patroni and PostgreSQL on the leader',
	sinceFaultMs: 12_400,
	predicted: {minMs: 23_500, maxMs: 40_000},
	ttlSeconds: 30,
	nodes: ['pg-node-1', 'pg-node-2', 'pg-node-3'],
	tick: {
		at: 1000,
		leader: 'pg-node-1',
		ttl: 18,
		nodes: {'pg-node-1': null, 'pg-node-2': {role: 'replica', state: 'streaming', tl: 3}, 'pg-node-3': {role: 'replica', state: 'streaming', tl: 3}},
		doors: {'pg-node-1': {'pg-node-1': 'DOWN', 'pg-node-2': 'DOWN', 'pg-node-3': 'DOWN'}},
	},
	keyChanges: [],
	door: 'pg-node-1',
	vipHolder: 'pg-node-1',
	strip: [20, 20, 19, 20, 3, 0, 0, 0],
	acked: 1234,
	sinceLastAckMs: 12_300,
};

test('the drill screen fits 80 columns and 24 rows with room for the run screen around it', t => {
	for (const lang of ['en', 'ru'] as const) {
		const rows = drillRows(during, lang, 78);
		t.true(rows.length <= 10);
		for (const row of rows) t.true(row.length <= 78, row);
	}
});

test('the drill screen shows the leader key counting down, each node\'s answer and the stalled writes', t => {
	const text = drillRows(during, 'en', 78).join('\n');
	t.regex(text, /\+12\.4 s · predicted 23\.5–40 s/);
	t.regex(text, /etcd leader key: pg-node-1 TTL 18 s █+░+/);
	t.regex(text, /pg-node-1 +no answer +DOWN/);
	t.regex(text, /pg-node-2 +replica streaming tl 3 +DOWN/);
	t.regex(text, /floating address: pg-node-1/);
	t.regex(text, /no writes for 12\.3 s/);
});

test('a new leader shows with the moment its key changed hands', t => {
	const after: DrillSnapshot = {
		...during,
		sinceFaultMs: 24_000,
		tick: {...during.tick!, leader: 'pg-node-2', ttl: 30, nodes: {...during.tick!.nodes, 'pg-node-2': {role: 'primary', state: 'running', tl: 4}}},
		keyChanges: [{afterMs: 21_400, event: {at: 0, type: 'DELETE'}}, {afterMs: 22_100, event: {at: 0, type: 'PUT', value: 'pg-node-2'}}],
	};
	const text = drillRows(after, 'ru', 78).join('\n');
	t.regex(text, /ключ лидера в etcd: pg-node-2 TTL 30 с .*взял pg-node-2 \+22\.1 с/);
	t.regex(text, /pg-node-2 +primary running tl 4/);
});

test('not a terminal: the drill is one plain line', t => {
	const line = drillLine(during, 'en');
	t.false(line.includes('\n'));
	t.regex(line, /drill \+12\.4 s: etcd leader key pg-node-1 TTL 18 s; pg-node-1 - DOWN, pg-node-2 replica\/streaming DOWN/);
});

test('the write strip shows a stall as dots', t => {
	t.is(stripText([8, 8, 0, 0, 4], 10), '██··▄');
});

test('writes are counted per second with the current second last', t => {
	t.deepEqual(perSecond([{seq: 1, at: 7100}, {seq: 2, at: 9100}, {seq: 3, at: 9900}], 10_000, 3), [1, 0, 2]);
	t.deepEqual(perSecond([{seq: 1, at: 7100}, {seq: 2, at: 8100}], 10_000, 3), [1, 1, 0]);
});

test('the watcher\'s lines are read: a key change, a sample, a sample without etcd', t => {
	t.deepEqual(parseMonitorLine('{"k":"key","t":5,"ev":"DELETE"}'), {kind: 'key', event: {at: 5, type: 'DELETE'}});
	const tick = parseMonitorLine('{"k":"tick","t":6,"leader":"pg-node-2","ttl":29,"nodes":{"pg-node-1":null,"pg-node-2":{"role":"primary","state":"running","tl":4}},"doors":{"pg-node-3":{"pg-node-2":"UP"}}}');
	t.deepEqual(tick, {kind: 'tick', tick: {at: 6, leader: 'pg-node-2', ttl: 29, nodes: {'pg-node-1': null, 'pg-node-2': {role: 'primary', state: 'running', tl: 4}}, doors: {'pg-node-3': {'pg-node-2': 'UP'}}}});
	const silent = parseMonitorLine('{"k":"tick","t":7,"etcd":"no answer","nodes":{},"doors":{}}');
	t.true(silent?.kind === 'tick' && !('leader' in silent.tick));
	t.is(parseMonitorLine('Traceback (most recent call last):'), undefined);
});
