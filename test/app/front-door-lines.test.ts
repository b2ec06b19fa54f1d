import test from 'ava';
import {frontDoorLines} from '../../source/app/front-door-lines.ts';
import type {EntryHealth, Health} from '../../source/app/health.ts';
import {sampleCluster} from '../helpers/install-fixtures.ts';

const vipLayout = sampleCluster('haproxy: {nodes: all, vip: 192.168.0.40}');
const courseLayout = sampleCluster('haproxy: {node: pg-node-1}');

function health(entries: readonly EntryHealth[]): Health {
	return {members: [], backends: [], entries, problems: []};
}

/** pg-node-1 holds the VIP, pg-node-2 stands by, pg-node-3 has lost its HAProxy and its keepalived. */
const vipHealth = health([
	{node: 'pg-node-1', haproxyUp: true, keepalived: 'active', holdsVip: true},
	{node: 'pg-node-2', haproxyUp: true, keepalived: 'active', holdsVip: false},
	{node: 'pg-node-3', haproxyUp: false, keepalived: 'failed', holdsVip: false},
]);

const multiHost = 'postgresql://postgres@192.168.0.30:5000,192.168.0.31:5000,192.168.0.32:5000/postgres?target_session_attrs=read-write&connect_timeout=3';
const multiHostReads = 'postgresql://postgres@192.168.0.30:5001,192.168.0.31:5001,192.168.0.32:5001/postgres?target_session_attrs=prefer-standby&connect_timeout=3';

/** The line about `node` in the front-door block. */
function lineOf(lines: readonly string[], node: string): string | undefined {
	return lines.find(line => line.trimStart().startsWith(`${node} `));
}

test('VIP layout: each HAProxy node has a line with its HAProxy and keepalived state', t => {
	const lines = frontDoorLines(vipLayout, vipHealth, 'en');
	t.is(lines[0], 'Front door:');
	t.regex(lineOf(lines, 'pg-node-1') ?? '', /HAProxy up, keepalived active/);
	t.regex(lineOf(lines, 'pg-node-2') ?? '', /HAProxy up, keepalived active/);
	t.regex(lineOf(lines, 'pg-node-3') ?? '', /HAProxy DOWN, keepalived failed/);
});

test('VIP layout: only the node holding the VIP says so', t => {
	const lines = frontDoorLines(vipLayout, vipHealth, 'en');
	t.regex(lineOf(lines, 'pg-node-1') ?? '', /holds 192\.168\.0\.40$/);
	t.false(lineOf(lines, 'pg-node-2')?.includes('holds'));
	t.false(lineOf(lines, 'pg-node-3')?.includes('holds'));
});

test('VIP layout: writes and reads go through the VIP', t => {
	const lines = frontDoorLines(vipLayout, vipHealth, 'en');
	t.true(lines.includes('Writes: postgresql://postgres@192.168.0.40:5000/postgres'));
	t.true(lines.includes('Reads: postgresql://postgres@192.168.0.40:5001/postgres'));
});

test('VIP layout: the multi-host URL that needs no VIP lists every HAProxy node', t => {
	const lines = frontDoorLines(vipLayout, vipHealth, 'en');
	t.true(lines.includes(`Writes without the VIP (libpq): ${multiHost}`), lines.join('\n'));
	t.true(lines.includes(`Reads without the VIP (libpq): ${multiHostReads}`), lines.join('\n'));
});

test('VIP layout: the whole block as pgha status prints it', t => {
	t.deepEqual(frontDoorLines(vipLayout, vipHealth, 'en'), [
		'Front door:',
		'  pg-node-1    HAProxy up, keepalived active, holds 192.168.0.40',
		'  pg-node-2    HAProxy up, keepalived active',
		'  pg-node-3    HAProxy DOWN, keepalived failed',
		'Writes: postgresql://postgres@192.168.0.40:5000/postgres',
		'Reads: postgresql://postgres@192.168.0.40:5001/postgres',
		`Writes without the VIP (libpq): ${multiHost}`,
		`Reads without the VIP (libpq): ${multiHostReads}`,
	]);
});

test('VIP layout in Russian', t => {
	t.deepEqual(frontDoorLines(vipLayout, vipHealth, 'ru'), [
		'Вход в кластер:',
		'  pg-node-1    HAProxy up, keepalived active, держит 192.168.0.40',
		'  pg-node-2    HAProxy up, keepalived active',
		'  pg-node-3    HAProxy DOWN, keepalived failed',
		'Запись: postgresql://postgres@192.168.0.40:5000/postgres',
		'Чтение: postgresql://postgres@192.168.0.40:5001/postgres',
		`Запись без VIP (libpq): ${multiHost}`,
		`Чтение без VIP (libpq): ${multiHostReads}`,
	]);
});

test('course layout: only the writes and reads URLs through the HAProxy node', t => {
	const lines = frontDoorLines(courseLayout, health([{node: 'pg-node-1', haproxyUp: true}]), 'en');
	t.deepEqual(lines, [
		'Writes: postgresql://postgres@192.168.0.30:5000/postgres',
		'Reads: postgresql://postgres@192.168.0.30:5001/postgres',
	]);
});

test('course layout in Russian', t => {
	const lines = frontDoorLines(courseLayout, health([{node: 'pg-node-1', haproxyUp: true}]), 'ru');
	t.deepEqual(lines, [
		'Запись: postgresql://postgres@192.168.0.30:5000/postgres',
		'Чтение: postgresql://postgres@192.168.0.30:5001/postgres',
	]);
});

test('course layout on another node: the URLs name that node\'s address', t => {
	const cluster = sampleCluster('haproxy: {node: pg-node-3}');
	const lines = frontDoorLines(cluster, health([{node: 'pg-node-3', haproxyUp: true}]), 'en');
	t.true(lines.includes('Writes: postgresql://postgres@192.168.0.32:5000/postgres'));
});

test('several HAProxy nodes without a VIP: HAProxy per node, no keepalived, and the multi-host URL', t => {
	const cluster = sampleCluster('haproxy: {nodes: [pg-node-2, pg-node-3]}');
	const lines = frontDoorLines(cluster, health([
		{node: 'pg-node-2', haproxyUp: true},
		{node: 'pg-node-3', haproxyUp: true},
	]), 'en');
	t.deepEqual(lines, [
		'Front door:',
		'  pg-node-2    HAProxy up',
		'  pg-node-3    HAProxy up',
		'Writes: postgresql://postgres@192.168.0.31:5000/postgres',
		'Reads: postgresql://postgres@192.168.0.31:5001/postgres',
		'Writes through any HAProxy (libpq): postgresql://postgres@192.168.0.31:5000,192.168.0.32:5000/postgres?target_session_attrs=read-write&connect_timeout=3',
		'Reads through any HAProxy (libpq): postgresql://postgres@192.168.0.31:5001,192.168.0.32:5001/postgres?target_session_attrs=prefer-standby&connect_timeout=3',
	]);
});
