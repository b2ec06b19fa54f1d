/**
 * etcd's YAML configuration for one member (/etc/etcd/etcd.conf.yml). etcd 3.4 (Debian 12, Ubuntu 24.04
 * packages) and 3.5 (release tarballs) both read it with --config-file.
 */
import {createHash} from 'node:crypto';
import {headerComment, toYaml} from './yaml.ts';

export const etcdConfigPath = '/etc/etcd/etcd.conf.yml';

export interface EtcdMember {
	readonly name: string;
	readonly ip: string;
}

export interface EtcdConfigInput {
	readonly clusterName: string;
	readonly name: string;
	readonly ip: string;
	readonly clientPort: number;
	readonly peerPort: number;
	readonly members: readonly EtcdMember[];
	readonly dataDir: string;
}

/** A path segment made from the cluster name (validated elsewhere; this only guards the path). */
function safeSegment(value: string): string {
	const cleaned = value.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^\.+/, '');
	return cleaned === '' ? 'cluster' : cleaned;
}

/**
 * The member's data directory. Named after the cluster, so it never is the packaged single-node
 * member's /var/lib/etcd/default, which pgha removes.
 */
export function etcdDataDir(clusterName: string): string {
	const segment = safeSegment(clusterName);
	return `/var/lib/etcd/${segment === 'default' ? 'default-cluster' : segment}`;
}

/** Where the packaged etcd-server keeps the single-node member it starts on installation. */
export const packagedEtcdDataDir = '/var/lib/etcd/default';

export function etcdInitialCluster(members: readonly EtcdMember[], peerPort: number): string {
	return members.map(member => `${member.name}=http://${member.ip}:${peerPort}`).join(',');
}

/**
 * Derived from the cluster name and the member set: a data directory bootstrapped for another member
 * set belongs to another etcd cluster ID, and pgha can tell the two apart (see etcdDataIdentity).
 */
export function etcdClusterToken(clusterName: string, members: readonly EtcdMember[], peerPort: number): string {
	const digest = createHash('sha256').update(etcdInitialCluster(members, peerPort)).digest('hex').slice(0, 8);
	return `${safeSegment(clusterName)}-${digest}`;
}

/** The marker file written beside the data directory when pgha bootstraps it. */
export function etcdIdentityPath(dataDir: string): string {
	return `${dataDir}.pgha-identity`;
}

/** What the marker contains: the token and the member set the data directory was bootstrapped with. */
export function etcdDataIdentity(input: EtcdConfigInput): string {
	return [
		`initial-cluster-token=${etcdClusterToken(input.clusterName, input.members, input.peerPort)}`,
		`initial-cluster=${etcdInitialCluster(input.members, input.peerPort)}`,
		'',
	].join('\n');
}

export function etcdConfigObject(input: EtcdConfigInput): Record<string, unknown> {
	const client = `http://${input.ip}:${input.clientPort}`;
	const peer = `http://${input.ip}:${input.peerPort}`;
	return {
		name: input.name,
		'data-dir': input.dataDir,
		'listen-peer-urls': peer,
		'listen-client-urls': `${client},http://127.0.0.1:${input.clientPort}`,
		'advertise-client-urls': client,
		'initial-advertise-peer-urls': peer,
		'initial-cluster': etcdInitialCluster(input.members, input.peerPort),
		'initial-cluster-token': etcdClusterToken(input.clusterName, input.members, input.peerPort),
		'initial-cluster-state': 'new',
		// With a config file the gRPC gateway is off unless asked for (the flag defaults to on), and
		// Patroni's etcd3 client talks to etcd through that gateway (/v3/...).
		'enable-grpc-gateway': true,
		logger: 'zap',
	};
}

export function renderEtcdConfig(input: EtcdConfigInput): string {
	return headerComment([
		`Written by pgha for etcd member ${input.name} of cluster ${input.clusterName}.`,
		'The initial-cluster settings only matter the first time the member starts with an empty data-dir.',
	]) + toYaml(etcdConfigObject(input));
}
