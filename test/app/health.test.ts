/**
 * `pgha status`, `apply`'s last check and the summary: the probes each stage declares beside its
 * steps (Patroni, HAProxy, keepalived), run in the stage list's order, against nodes that answer as
 * a cluster would.
 */
import test from 'ava';
import {checkHealth} from '../../source/app/health.ts';
import type {ClusterConfig} from '../../source/core/cluster.ts';
import type {ExecOptions, ExecResult, Remote} from '../../source/core/remote.ts';
import {awkwardSecrets, sampleCluster} from '../helpers/install-fixtures.ts';

interface NodeAnswers {
	readonly patroni?: 'down';
	readonly up?: {readonly primary: readonly string[]; readonly replicas: readonly string[]};
	readonly keepalived?: string;
	readonly holdsVip?: boolean;
}

const statsHeader = '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight';
const nodes = ['pg-node-1', 'pg-node-2', 'pg-node-3'];

function statsCsv(up: NonNullable<NodeAnswers['up']>): string {
	const rows = (proxy: 'primary' | 'replicas', upNodes: readonly string[]) =>
		nodes.map(node => `${proxy},${node},0,0,0,0,,0,0,0,,0,,0,0,0,0,${upNodes.includes(node) ? 'UP' : 'DOWN'},1`);
	return [statsHeader, ...rows('primary', up.primary), ...rows('replicas', up.replicas)].join('\n');
}

const members = {members: [
	{name: 'pg-node-1', host: '192.168.0.30', role: 'leader', state: 'running', timeline: 1},
	{name: 'pg-node-2', host: '192.168.0.31', role: 'replica', state: 'streaming', timeline: 1, lag: 0},
	{name: 'pg-node-3', host: '192.168.0.32', role: 'replica', state: 'starting', timeline: 1, lag: 0},
]};

function remoteOf(name: string, answers: NodeAnswers, seen: string[]): Remote {
	const ok = (stdout: string): ExecResult => ({code: 0, stdout, stderr: ''}) as ExecResult;
	return {
		name,
		host: name,
		async exec(command: string, _options?: ExecOptions): Promise<ExecResult> {
			seen.push(`${name}: ${command.split(' ').slice(0, 2).join(' ')}`);
			if (command.includes('/cluster')) {
				if (answers.patroni === 'down') throw new Error('connection refused');
				return ok(JSON.stringify(members));
			}

			if (command.includes('stats;csv')) {
				if (!answers.up) throw new Error('connection refused');
				return ok(statsCsv(answers.up));
			}

			if (command.includes('keepalived=')) return ok(`keepalived=${answers.keepalived ?? 'active'}\n${answers.holdsVip ? 'holds=eth0\n' : ''}`);
			throw new Error(`unexpected command: ${command}`);
		},
		async upload() {},
		close() {},
	};
}

function remotes(cluster: ClusterConfig, answers: Record<string, NodeAnswers>, seen: string[] = []): Map<string, Remote> {
	return new Map(cluster.nodes.map(node => [node.name, remoteOf(node.name, answers[node.name] ?? {}, seen)]));
}

const routing = {primary: ['pg-node-1'], replicas: ['pg-node-2', 'pg-node-3']};

test('the course layout: members from the first answering Patroni, the backends, and what is wrong in words', async t => {
	const cluster = sampleCluster('haproxy: {node: pg-node-1}');
	const health = await checkHealth(cluster, awkwardSecrets, remotes(cluster, {'pg-node-1': {patroni: 'down', up: {primary: ['pg-node-1'], replicas: ['pg-node-2']}}}));
	t.deepEqual(health.members.map(member => member.name), nodes);
	t.is(health.backends.length, 6);
	t.deepEqual(health.entries, [{node: 'pg-node-1', haproxyUp: true}]);
	t.deepEqual(health.problems, ['pg-node-3 is starting', 'HAProxy: 1 servers UP for reads (5001) instead of 2']);
});

test('the VIP layout: Patroni first, then HAProxy on each node, then keepalived and the VIP', async t => {
	const cluster = sampleCluster('haproxy: {nodes: all, vip: 192.168.0.40}');
	const seen: string[] = [];
	const health = await checkHealth(cluster, awkwardSecrets, remotes(cluster, {
		'pg-node-1': {up: routing, holdsVip: true},
		'pg-node-2': {up: routing, keepalived: 'failed'},
		'pg-node-3': {holdsVip: true},
	}, seen));
	t.deepEqual(health.entries, [
		{node: 'pg-node-1', haproxyUp: true, keepalived: 'active', holdsVip: true},
		{node: 'pg-node-2', haproxyUp: true, keepalived: 'failed', holdsVip: false},
		{node: 'pg-node-3', haproxyUp: false, keepalived: 'active', holdsVip: true},
	]);
	t.deepEqual(health.problems, [
		'pg-node-3 is starting',
		'HAProxy stats did not answer on pg-node-3',
		'the floating address 192.168.0.40 is held by pg-node-1, pg-node-3 instead of exactly one',
		'keepalived on pg-node-2 is failed',
	]);
	t.deepEqual(seen.map(line => line.split(':')[0]), ['pg-node-1', 'pg-node-1', 'pg-node-2', 'pg-node-3', 'pg-node-1', 'pg-node-2', 'pg-node-3']);
});

test('no Patroni answering is one problem, not a count of leaders', async t => {
	const cluster = sampleCluster('haproxy: {node: pg-node-1}');
	const down = {patroni: 'down'} as const;
	const health = await checkHealth(cluster, awkwardSecrets, remotes(cluster, {'pg-node-1': {...down, up: routing}, 'pg-node-2': down, 'pg-node-3': down}));
	t.deepEqual(health.members, []);
	t.deepEqual(health.problems, ['Patroni REST API answered on no node']);
});
