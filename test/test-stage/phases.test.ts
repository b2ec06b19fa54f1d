import test from 'ava';
import {firstJournalTime, keyGoneEnd, splitOutage, type PhaseEnd} from '../../source/cluster-test/phases.ts';

const outage = {lastBefore: 10_000, firstAfter: 34_800};
const said = {ru: 'x', en: 'x'};
const ends = (detection: number | null, election: number | null, routing: number | null): PhaseEnd[] => [
	{id: 'detection', at: detection, evidence: said},
	{id: 'election', at: election, evidence: said},
	{id: 'routing', at: routing, evidence: said},
	{id: 'client', at: outage.firstAfter, evidence: said},
];

test('phases read on the nodes add up to the outage the writer measured', t => {
	const figures = splitOutage(outage, ends(31_400, 32_600, 34_700));
	t.deepEqual(figures.phases.map(phase => phase.ms), [21_400, 1200, 2100, 100]);
	t.is(figures.sumMs, 24_800);
	t.is(figures.gapMs, 0);
});

test('a phase whose end could not be read is not guessed: the next phase holds its time and says so', t => {
	const figures = splitOutage(outage, ends(31_400, null, 34_700));
	t.is(figures.phases[1]!.ms, null);
	t.is(figures.phases[2]!.ms, 3300);
	t.deepEqual(figures.phases[2]!.includes, ['election']);
	t.is(figures.gapMs, 0);
});

test('an event earlier than the one before it closes its phase at 0 s and says so', t => {
	const figures = splitOutage(outage, ends(31_400, 32_600, 32_000));
	t.is(figures.phases[2]!.ms, 0);
	t.regex(figures.phases[2]!.evidence.en, /before the previous event/);
	t.is(figures.gapMs, 0);
});

test('evidence later than the first acknowledged write shows as a gap between the phases and the outage', t => {
	const figures = splitOutage(outage, ends(31_400, 32_600, 35_600));
	t.is(figures.phases[3]!.ms, 0);
	t.is(figures.gapMs, 800);
});

test('the key leaves etcd when the watch saw it deleted after the fault', t => {
	const record = {ticks: [], keyEvents: [{at: 5000, type: 'PUT' as const, value: 'pg-node-1'}, {at: 31_400, type: 'DELETE' as const}, {at: 31_900, type: 'PUT' as const, value: 'pg-node-2'}]};
	const end = keyGoneEnd(record, 10_050, 'pg-node-1', 'pg-node-3');
	t.is(end.at, 31_400);
	t.regex(end.evidence.en, /deleted from etcd/);
});

test('without a watch event the key is taken as gone at the first sample naming someone else', t => {
	const record = {ticks: [{at: 20_000, leader: 'pg-node-1', nodes: {}, doors: {}}, {at: 31_500, leader: null, nodes: {}, doors: {}}], keyEvents: []};
	t.is(keyGoneEnd(record, 10_050, 'pg-node-1', 'pg-node-3').at, 31_500);
	t.is(keyGoneEnd(undefined, 10_050, 'pg-node-1', 'pg-node-3').at, null);
});

test('a journal line is read at its own microsecond time, the first matching one after the moment', t => {
	const lines = [
		'1764790000.100000 pg-node-2 patroni[9]: LOG:  database system is ready to accept connections',
		'1764790031.234567 pg-node-2 patroni[9]: LOG:  database system is ready to accept connections',
	];
	t.is(firstJournalTime(lines, 1_764_790_010_000, /ready to accept connections/), 1_764_790_031_234);
	t.is(firstJournalTime(lines, 1_764_790_040_000, /ready to accept connections/), undefined);
});
