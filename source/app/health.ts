/** Is the cluster healthy? Asked of Patroni's REST API and HAProxy's stats from the nodes. */
import {fetchMembers, fetchStats, type BackendServer, type Member} from '../cluster/patroni-api.ts';
import type {ClusterConfig, Secrets} from '../config/types.ts';
import type {Remote} from '../ssh/types.ts';
import {haproxyPrimaryProxy, haproxyReplicasProxy} from '../../templates/haproxy-cfg.ts';

export interface Health {
	readonly members: readonly Member[];
	readonly backends: readonly BackendServer[];
	readonly problems: readonly string[];
}

export async function checkHealth(cluster: ClusterConfig, secrets: Secrets, remotes: ReadonlyMap<string, Remote>): Promise<Health> {
	const problems: string[] = [];
	let members: Member[] = [];
	for (const node of cluster.nodes) {
		const remote = remotes.get(node.name);
		if (!remote) continue;
		try {
			members = await fetchMembers(remote, node.ip, cluster.ports.patroniApi);
			break;
		} catch {
			// Ask the next node: this one's Patroni may be down.
		}
	}

	const leaders = members.filter(member => member.role === 'leader');
	const replicas = members.filter(member => member.role !== 'leader');
	if (members.length === 0) problems.push('Patroni REST API answered on no node');
	else {
		if (leaders.length !== 1) problems.push(`${leaders.length} leaders instead of 1`);
		if (members.length !== cluster.nodes.length) problems.push(`${members.length} members instead of ${cluster.nodes.length}`);
		for (const replica of replicas) {
			if (!['streaming', 'running'].includes(replica.state)) problems.push(`${replica.name} is ${replica.state}`);
		}
	}

	let backends: BackendServer[] = [];
	const proxy = remotes.get(cluster.haproxy.node);
	if (proxy) {
		try {
			backends = await fetchStats(proxy, cluster.ports.haproxyStats, secrets.haproxyStatsPassword);
			const up = (name: string) => backends.filter(server => server.proxy === name && server.status === 'UP').length;
			if (up(haproxyPrimaryProxy) !== 1) problems.push(`HAProxy: ${up(haproxyPrimaryProxy)} servers UP for writes (${cluster.ports.haproxyWrite}) instead of 1`);
			if (up(haproxyReplicasProxy) !== cluster.nodes.length - 1) problems.push(`HAProxy: ${up(haproxyReplicasProxy)} servers UP for reads (${cluster.ports.haproxyRead}) instead of ${cluster.nodes.length - 1}`);
		} catch {
			problems.push(`HAProxy stats did not answer on ${cluster.haproxy.node}`);
		}
	}

	return {members, backends, problems};
}
