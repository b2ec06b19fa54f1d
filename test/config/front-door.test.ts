import test from 'ava';
import YAML from 'yaml';
import {ConfigError, parseClusterFile} from '../../source/config/load.ts';
import type {ConfigIssue} from '../../source/core/cluster.ts';

const file = '/work/course/pgha.yaml';

/** The readme's cluster file, as data a test can change (the haproxy section is the course's). */
function base(): Record<string, any> {
	return {
		name: 'pg-cluster',
		nodes: [
			{name: 'pg-node-1', ip: '192.168.0.30'},
			{name: 'pg-node-2', ip: '192.168.0.31'},
			{name: 'pg-node-3', ip: '192.168.0.32'},
		],
		haproxy: {node: 'pg-node-1'},
		subnet: '192.168.0.0/24',
	};
}

function load(data: unknown) {
	return parseClusterFile(YAML.stringify(data), file, {checkFiles: false});
}

/** The issues of the ConfigError thrown for `data` (none when it loads). */
function issues(data: unknown): readonly ConfigIssue[] {
	try {
		load(data);
	} catch (error) {
		if (error instanceof ConfigError) return error.issues;
		throw error;
	}

	return [];
}

/** The English lines a user reads for `data`. */
function errors(data: unknown): string[] {
	return issues(data).map(issue => issue.text.en);
}

/** The same lines in Russian. */
function russian(data: unknown): string[] {
	return issues(data).map(issue => issue.text.ru);
}

function withHaproxy(haproxy: Record<string, unknown>, change?: (data: Record<string, any>) => void): Record<string, any> {
	const data = base();
	data.haproxy = haproxy;
	change?.(data);
	return data;
}

test('nodes: all puts HAProxy on every node', t => {
	const {config} = load(withHaproxy({nodes: 'all', vip: '192.168.0.40'}));
	t.deepEqual(config.haproxy.nodes, ['pg-node-1', 'pg-node-2', 'pg-node-3']);
	t.is(config.haproxy.vip, '192.168.0.40');
});

test('a nodes list is kept in cluster-file order, whatever order it is written in', t => {
	const {config} = load(withHaproxy({nodes: ['pg-node-3', 'pg-node-1'], vip: '192.168.0.40'}));
	t.deepEqual(config.haproxy.nodes, ['pg-node-1', 'pg-node-3']);
});

test('the course layout (node: X) is one HAProxy and no floating address', t => {
	const {config, warnings} = load(withHaproxy({node: 'pg-node-2'}));
	t.deepEqual(config.haproxy.nodes, ['pg-node-2']);
	t.is(config.haproxy.vip, undefined);
	t.deepEqual(warnings, []);
});

test('node and nodes together is an error', t => {
	t.deepEqual(errors(withHaproxy({node: 'pg-node-1', nodes: 'all'})), [
		'haproxy: give either "node" (one HAProxy, the course\'s layout) or "nodes" (HAProxy on several nodes), not both',
	]);
});

test('nodes that is neither "all" nor a list is an error naming the value', t => {
	t.deepEqual(errors(withHaproxy({nodes: 'every'})), ['haproxy.nodes: "every" must be "all" or a list of node names']);
});

test('an unknown node in the nodes list names its place in the list', t => {
	t.deepEqual(errors(withHaproxy({nodes: ['pg-node-1', 'pg-node-9'], vip: '192.168.0.40'})), [
		'haproxy.nodes[1]: "pg-node-9" is not one of the nodes (pg-node-1, pg-node-2, pg-node-3)',
	]);
});

test('a name repeated in the nodes list is an error', t => {
	t.deepEqual(errors(withHaproxy({nodes: ['pg-node-1', 'pg-node-2', 'pg-node-1'], vip: '192.168.0.40'})), [
		'haproxy.nodes[2]: "pg-node-1" is listed twice',
	]);
});

test('a vip equal to a node\'s IP names that node\'s field', t => {
	t.deepEqual(errors(withHaproxy({nodes: 'all', vip: '192.168.0.31'})), [
		'haproxy.vip: 192.168.0.31 is the address of nodes[1].ip; the floating address must be a free address of its own',
	]);
});

test('a vip outside the nodes\' subnet is an error naming the subnet', t => {
	t.deepEqual(errors(withHaproxy({nodes: 'all', vip: '192.168.1.40'})), [
		'haproxy.vip: 192.168.1.40 is outside the nodes\' subnet 192.168.0.0/24; keepalived can only move an address within the nodes\' own network',
	]);
});

test('a vip outside the subnet derived from the nodes (no subnet key) is an error too', t => {
	t.deepEqual(errors(withHaproxy({nodes: 'all', vip: '10.0.0.40'}, data => {
		delete data.subnet;
	})), [
		'haproxy.vip: 10.0.0.40 is outside the nodes\' subnet 192.168.0.0/24; keepalived can only move an address within the nodes\' own network',
	]);
});

test('the subnet\'s network address is not a vip', t => {
	t.deepEqual(errors(withHaproxy({nodes: 'all', vip: '192.168.0.0'})), [
		'haproxy.vip: 192.168.0.0 is the network or broadcast address of 192.168.0.0/24',
	]);
});

test('the subnet\'s broadcast address is not a vip', t => {
	t.deepEqual(errors(withHaproxy({nodes: 'all', vip: '192.168.0.255'})), [
		'haproxy.vip: 192.168.0.255 is the network or broadcast address of 192.168.0.0/24',
	]);
});

test('a vip that is not an IPv4 address names the value', t => {
	t.deepEqual(errors(withHaproxy({nodes: 'all', vip: '192.168.0.400'})), ['haproxy.vip: "192.168.0.400" is not an IPv4 address']);
});

test('a vip with the course layout (node:) is an error', t => {
	t.deepEqual(errors(withHaproxy({node: 'pg-node-1', vip: '192.168.0.40'})), [
		'haproxy.vip: a floating address needs "nodes" (HAProxy on several nodes), not "node"',
	]);
});

test('a vip with a one-name nodes list needs at least 2 HAProxy nodes', t => {
	t.deepEqual(errors(withHaproxy({nodes: ['pg-node-2'], vip: '192.168.0.40'})), [
		'haproxy.nodes: a floating address needs HAProxy on at least 2 nodes, but 1 given; use nodes: all',
	]);
});

test('an empty nodes list is an error, not a silent fallback to the first node', t => {
	t.deepEqual(errors(withHaproxy({nodes: []})), ['haproxy.nodes: the list is empty; name the nodes that run HAProxy, or use nodes: all']);
	t.deepEqual(russian(withHaproxy({nodes: []})), ['haproxy.nodes: список пуст; перечислите узлы с HAProxy или укажите nodes: all']);
});

test('a one-name nodes list without a vip is one HAProxy on that node, with no warning about several nodes', t => {
	const {config, warnings} = load(withHaproxy({nodes: ['pg-node-2']}));
	t.deepEqual(config.haproxy.nodes, ['pg-node-2']);
	t.deepEqual(warnings, []);
});

test('nodes: all without a vip is valid, with a warning that clients need the multi-host string', t => {
	const {config, warnings} = load(withHaproxy({nodes: 'all'}));
	t.deepEqual(config.haproxy.nodes, ['pg-node-1', 'pg-node-2', 'pg-node-3']);
	t.is(config.haproxy.vip, undefined);
	t.deepEqual(warnings.map(warning => warning.text.en), [
		'haproxy.vip: HAProxy runs on several nodes without a floating address: clients must use the multi-host connection string (pgha prints it) to survive the loss of a node',
	]);
	t.deepEqual(warnings.map(warning => warning.text.ru), [
		'haproxy.vip: HAProxy работает на нескольких узлах без плавающего адреса: чтобы пережить потерю узла, клиентам нужна строка подключения с несколькими хостами (pgha её покажет)',
	]);
});

test('failsafe_mode is on unless the cluster file turns it off', t => {
	t.true(load(base()).config.failsafeMode);
	t.false(load({...base(), failsafe_mode: false}).config.failsafeMode);
});

test('failsafe_mode that is not a boolean is an error naming the value', t => {
	t.deepEqual(errors({...base(), failsafe_mode: 'off'}), ['failsafe_mode: "off" must be true or false']);
});

test('every front-door error reads in Russian too, naming the field and the value', t => {
	t.deepEqual(russian(withHaproxy({node: 'pg-node-1', nodes: 'all'})), [
		'haproxy: укажите либо "node" (один HAProxy, как в методичке), либо "nodes" (HAProxy на нескольких узлах), но не оба',
	]);
	t.deepEqual(russian(withHaproxy({nodes: ['pg-node-1', 'pg-node-1'], vip: '192.168.0.40'})), ['haproxy.nodes[1]: "pg-node-1" указан дважды']);
	t.deepEqual(russian(withHaproxy({nodes: 'all', vip: '192.168.0.30'})), [
		'haproxy.vip: 192.168.0.30 — это адрес nodes[0].ip; плавающий адрес должен быть отдельным свободным адресом',
	]);
	t.deepEqual(russian(withHaproxy({nodes: 'all', vip: '192.168.1.40'})), [
		'haproxy.vip: 192.168.1.40 вне подсети узлов 192.168.0.0/24; keepalived может переносить адрес только внутри сети самих узлов',
	]);
	t.deepEqual(russian(withHaproxy({nodes: 'all', vip: '192.168.0.255'})), [
		'haproxy.vip: 192.168.0.255 — адрес сети или широковещательный адрес подсети 192.168.0.0/24',
	]);
	t.deepEqual(russian(withHaproxy({node: 'pg-node-1', vip: '192.168.0.40'})), [
		'haproxy.vip: плавающему адресу нужен "nodes" (HAProxy на нескольких узлах), а не "node"',
	]);
	t.deepEqual(russian(withHaproxy({nodes: ['pg-node-2'], vip: '192.168.0.40'})), [
		'haproxy.nodes: плавающему адресу нужен HAProxy хотя бы на 2 узлах, а задано 1; укажите nodes: all',
	]);
});

test('every front-door error has an English and a Russian text, both starting with the field', t => {
	const broken = [
		withHaproxy({node: 'pg-node-1', nodes: 'all'}),
		withHaproxy({nodes: 'every'}),
		withHaproxy({nodes: ['pg-node-9'], vip: '192.168.0.40'}),
		withHaproxy({nodes: ['pg-node-1', 'pg-node-1']}),
		withHaproxy({nodes: 'all', vip: '192.168.0.30'}),
		withHaproxy({nodes: 'all', vip: '192.168.1.40'}),
		withHaproxy({nodes: 'all', vip: '192.168.0.0'}),
		withHaproxy({node: 'pg-node-1', vip: '192.168.0.40'}),
		withHaproxy({nodes: ['pg-node-1'], vip: '192.168.0.40'}),
		withHaproxy({nodes: []}),
	];
	for (const data of broken) {
		const found = issues(data);
		t.is(found.length, 1, JSON.stringify(data.haproxy));
		for (const issue of found) {
			t.true(issue.text.en.startsWith(`${issue.field}: `), issue.text.en);
			t.true(issue.text.ru.startsWith(`${issue.field}: `), issue.text.ru);
			t.regex(issue.text.ru, /[а-яё]/i, issue.text.ru);
			t.notRegex(issue.text.en, /[а-яё]/i, issue.text.en);
		}
	}
});
