/**
 * Every rule, in the order a student should read their findings (the machine, etcd, Patroni,
 * HAProxy), and the definitions the runbook chapter prints. A finding that only follows from
 * another one on the same node (Patroni down because its file speaks etcd's v2 API) is left out,
 * so the student reads the cause, not its echoes.
 */
import type {Finding, FindingDefinition} from '../finding.ts';
import type {ClusterFacts} from '../facts.ts';
import {diskRule, identityRule, nodeDefinitions, portRule, reachRule} from './nodes.ts';
import {etcdClusterIdRule, etcdDefinitions, etcdDownRule, etcdMembersRule, etcdQuorumRule} from './etcd.ts';
import {lagRule, leaderRule, patroniConfigRule, patroniDefinitions, patroniDownRule, pauseRule, replicaRule} from './patroni.ts';
import {haproxyDefinitions, haproxyRule} from './haproxy.ts';

export const findingDefinitions: readonly FindingDefinition[] = [...nodeDefinitions, ...etcdDefinitions, ...patroniDefinitions, ...haproxyDefinitions];

/** On the same node, the rule on the left explains away the ones on the right. */
const explains: ReadonlyArray<readonly [string, readonly string[]]> = [
	['disk-full', ['etcd-down', 'patroni-down', 'replica-not-streaming', 'disk-nearly-full']],
	['patroni-etcd-v2', ['patroni-down', 'replica-not-streaming']],
	['patroni-etcd-hosts', ['patroni-down', 'replica-not-streaming']],
	['etcd-cluster-id', ['etcd-down', 'etcd-members']],
	['port-foreign', ['etcd-down', 'patroni-down', 'haproxy-down']],
];

/** Cluster-wide findings that make others redundant anywhere. */
const explainsEverywhere: ReadonlyArray<readonly [string, readonly string[]]> = [
	['etcd-quorum', ['patroni-no-leader']],
];

export function diagnose(facts: ClusterFacts): Finding[] {
	const all = [
		...reachRule(facts),
		...identityRule(facts),
		...diskRule(facts),
		...portRule(facts),
		...etcdDownRule(facts),
		...etcdQuorumRule(facts),
		...etcdClusterIdRule(facts),
		...etcdMembersRule(facts, new Set(etcdClusterIdRule(facts).map(item => item.node!))),
		...patroniConfigRule(facts),
		...patroniDownRule(facts),
		...pauseRule(facts),
		...leaderRule(facts),
		...replicaRule(facts),
		...lagRule(facts),
		...haproxyRule(facts),
	];
	return all.filter(item => {
		const local = explains.some(([cause, effects]) => effects.includes(item.rule) && all.some(other => other !== item && other.rule === cause && other.node === item.node));
		const global = explainsEverywhere.some(([cause, effects]) => effects.includes(item.rule) && all.some(other => other.rule === cause));
		return !local && !global;
	});
}
