/** Is the cluster healthy? Asked of Patroni's REST API and HAProxy's stats from the nodes. */
import {fetchMembers, fetchStats, type BackendServer, type Member} from '../cluster/patroni-api.ts';
import type {ClusterConfig, Secrets} from '../core/cluster.ts';
import type {Remote} from '../core/remote.ts';
import {haproxyPrimaryProxy, haproxyReplicasProxy} from '../../templates/haproxy-cfg.ts';
import {haproxyNodes, holdsAddressCommand} from '../cluster/front-door.ts';
import {shellQuote} from '../ssh/quote.ts';

export interface Health {
	readonly members: readonly Member[];
	/** HAProxy's servers as the first answering HAProxy node sees them. */
	readonly backends: readonly BackendServer[];
	/** Per HAProxy node: HAProxy answering, keepalived's state and the VIP (VIP layout only). */
	readonly entries: readonly EntryHealth[];
	readonly problems: readonly string[];
}

export interface EntryHealth {
	readonly node: string;
	readonly haproxyUp: boolean;
	readonly keepalived?: string;
	readonly holdsVip?: boolean;
}

async function frontDoorState(remote: Remote, vip: string): Promise<{keepalived: string; holdsVip: boolean}> {
	const result = await remote.exec(`sh -c ${shellQuote(`echo "keepalived=$(systemctl is-active keepalived 2>/dev/null)"; ${holdsAddressCommand(vip)}`)}`, {allowFailure: true, timeoutMs: 15_000}).catch(() => undefined);
	const keepalived = /keepalived=(\S+)/.exec(result?.stdout ?? '')?.[1] ?? 'unknown';
	return {keepalived, holdsVip: result?.stdout.includes('holds=') ?? false};
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
	const entries: EntryHealth[] = [];
	const several = haproxyNodes(cluster).length > 1;
	for (const node of haproxyNodes(cluster)) {
		const proxy = remotes.get(node.name);
		if (!proxy) continue;
		const where = several ? ` on ${node.name}` : '';
		let haproxyUp = false;
		try {
			const servers = await fetchStats(proxy, cluster.ports.haproxyStats, secrets.haproxyStatsPassword);
			haproxyUp = true;
			if (backends.length === 0) backends = servers;
			const up = (name: string) => servers.filter(server => server.proxy === name && server.status === 'UP').length;
			if (up(haproxyPrimaryProxy) !== 1) problems.push(`HAProxy${where}: ${up(haproxyPrimaryProxy)} servers UP for writes (${cluster.ports.haproxyWrite}) instead of 1`);
			if (up(haproxyReplicasProxy) !== cluster.nodes.length - 1) problems.push(`HAProxy${where}: ${up(haproxyReplicasProxy)} servers UP for reads (${cluster.ports.haproxyRead}) instead of ${cluster.nodes.length - 1}`);
		} catch {
			problems.push(`HAProxy stats did not answer on ${node.name}`);
		}

		const door = cluster.haproxy.vip ? await frontDoorState(proxy, cluster.haproxy.vip) : undefined;
		entries.push({node: node.name, haproxyUp, ...(door ?? {})});
	}

	if (cluster.haproxy.vip) {
		const holders = entries.filter(entry => entry.holdsVip).map(entry => entry.node);
		if (holders.length !== 1) problems.push(`the floating address ${cluster.haproxy.vip} is held by ${holders.length === 0 ? 'no node' : holders.join(', ')} instead of exactly one`);
		for (const entry of entries) {
			if (entry.keepalived !== 'active') problems.push(`keepalived on ${entry.node} is ${entry.keepalived ?? 'unknown'}`);
		}
	}

	return {members, backends, entries, problems};
}
