/** Template inputs built from the cluster file, the secrets and a node: the only glue between them. */
import type {ClusterConfig, NodeConfig, Secrets} from '../source/core/cluster.ts';
import {etcdDataDir, type EtcdConfigInput} from '../templates/etcd-config.ts';
import type {HaproxyCfgInput} from '../templates/haproxy-cfg.ts';
import {defaultMaximumLagOnFailover, patroniDataDir, type PatroniYmlInput} from '../templates/patroni-yml.ts';
import {pgBinDir} from './layout.ts';
import {haproxyNodes} from '../source/cluster/front-door.ts';

export function etcdInput(cluster: ClusterConfig, node: NodeConfig): EtcdConfigInput {
	return {
		clusterName: cluster.name,
		name: node.name,
		ip: node.ip,
		clientPort: cluster.ports.etcdClient,
		peerPort: cluster.ports.etcdPeer,
		members: cluster.nodes.map(member => ({name: member.name, ip: member.ip})),
		dataDir: etcdDataDir(cluster.name),
	};
}

export function patroniInput(cluster: ClusterConfig, secrets: Secrets, node: NodeConfig, major: string): PatroniYmlInput {
	return {
		scope: cluster.name,
		name: node.name,
		ip: node.ip,
		restApiPort: cluster.ports.patroniApi,
		restApiPassword: secrets.restApiPassword,
		etcdHosts: cluster.nodes.map(member => `${member.ip}:${cluster.ports.etcdClient}`),
		ttl: cluster.timing.ttl,
		loopWait: cluster.timing.loopWait,
		retryTimeout: cluster.timing.retryTimeout,
		maximumLagOnFailover: defaultMaximumLagOnFailover,
		synchronousMode: cluster.synchronousMode,
		failsafeMode: cluster.failsafeMode,
		postgresPort: cluster.ports.postgres,
		dataDir: patroniDataDir(major, cluster.name),
		binDir: pgBinDir(major),
		subnet: cluster.subnet,
		superuserPassword: secrets.superuserPassword,
		replicationPassword: secrets.replicationPassword,
		rewindPassword: secrets.rewindPassword,
	};
}

export function haproxyInput(cluster: ClusterConfig, secrets: Secrets): HaproxyCfgInput {
	return {
		clusterName: cluster.name,
		servers: cluster.nodes.map(node => ({name: node.name, ip: node.ip})),
		postgresPort: cluster.ports.postgres,
		patroniApiPort: cluster.ports.patroniApi,
		writePort: cluster.ports.haproxyWrite,
		readPort: cluster.ports.haproxyRead,
		statsPort: cluster.ports.haproxyStats,
		statsPassword: secrets.haproxyStatsPassword,
		inter: cluster.haproxy.timing.inter,
		fall: cluster.haproxy.timing.fall,
		rise: cluster.haproxy.timing.rise,
	};
}

export function firstNode(cluster: ClusterConfig): NodeConfig {
	const node = cluster.nodes[0];
	if (!node) throw new Error('the cluster file lists no nodes');
	return node;
}

/** The first HAProxy node: the course's only one, or the first of several. */
export function haproxyNode(cluster: ClusterConfig): NodeConfig {
	return haproxyNodes(cluster)[0] ?? firstNode(cluster);
}
