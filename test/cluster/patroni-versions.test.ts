/**
 * Patroni 3.0 (Debian 12) and 4.x (Debian 13, pip today) answer in slightly different words: the
 * REST API's own role is "master" in 3.0 and "primary" in 4.x, replicas are "running" in 3.0 and
 * "streaming" from 3.1. The 4.0.7 answers here were recorded from the lab's trixie nodes.
 */
import test from 'ava';
import {readFileSync} from 'node:fs';
import {parseClusterJson} from '../../source/cluster/patroni-api.ts';
import {isHealthyReplica, isSyncStandby, leaderOf} from '../../source/cluster-test/cluster-view.ts';
import {parsePatroniVersion, steppedDown} from '../../source/cluster-test/faults.ts';
import {judgeCluster, parsePatroniList} from '../../steps/patroni.ts';
import {sampleCluster} from '../helpers/install-fixtures.ts';

const recorded = (name: string) => readFileSync(new URL(`../fixtures/patroni-4.0.7/${name}`, import.meta.url), 'utf8');

test('Patroni 4.0.7 /cluster: one leader, the sync standby and a streaming replica are healthy', t => {
	const members = parseClusterJson(recorded('cluster.json'));
	t.is(leaderOf(members)?.name, 'pg-node-1');
	t.deepEqual(members.filter(isSyncStandby).map(member => member.name), ['pg-node-3']);
	t.true(members.filter(member => member.role !== 'leader').every(isHealthyReplica));
});

test('Patroni 4.0.7 patronictl list: the cluster is judged healthy', t => {
	const members = parsePatroniList(recorded('patronictl-list.json'))!;
	const streaming = new Map([['pg-node-2', 'streaming'], ['pg-node-3', 'streaming']]);
	t.true(judgeCluster(sampleCluster('synchronous_mode: true'), members, streaming).ok);
});

test('the node\'s own /patroni: "primary" (4.x) or "master" (3.0) is not stepped down; a running replica is', t => {
	const leader = JSON.parse(recorded('leader-patroni.json')) as {role: string; state: string; patroni: {version: string}};
	const replica = JSON.parse(recorded('replica-patroni.json')) as {role: string; state: string};
	t.is(leader.role, 'primary');
	t.false(steppedDown(leader));
	t.false(steppedDown({role: 'master', state: 'running'}));
	t.true(steppedDown(replica));
	t.deepEqual(parsePatroniVersion(`patroni ${leader.patroni.version}`), [4, 0, 7]);
});
