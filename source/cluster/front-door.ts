/**
 * How clients reach the cluster, from the cluster file alone: which nodes run HAProxy, whether a
 * floating address (VIP) fronts them, and the connection strings that follow. One place, so the
 * stages, status, the summary, the runbook and the test stage name the same doors.
 */
import type {ClusterConfig, NodeConfig} from '../core/cluster.ts';
import {shellQuote} from '../ssh/quote.ts';

/** The nodes that run HAProxy, in cluster-file order. */
export function haproxyNodes(cluster: ClusterConfig): NodeConfig[] {
	const chosen = cluster.nodes.filter(node => cluster.haproxy.nodes.includes(node.name));
	return chosen.length > 0 ? chosen : cluster.nodes.slice(0, 1);
}

export function hasVip(cluster: ClusterConfig): cluster is ClusterConfig & {haproxy: {vip: string}} {
	return cluster.haproxy.vip !== undefined;
}

/** The course's one HAProxy, or several of them (with or without a VIP). */
export function severalHaproxies(cluster: ClusterConfig): boolean {
	return haproxyNodes(cluster).length > 1;
}

/** The address a client puts in its connection: the VIP, else the first HAProxy node. */
export function entryAddress(cluster: ClusterConfig): string {
	return cluster.haproxy.vip ?? haproxyNodes(cluster)[0]!.ip;
}

/** A libpq URL with every HAProxy node: the client tries them in turn and needs no VIP. */
export function multiHostUrl(cluster: ClusterConfig, side: 'write' | 'read', user = 'postgres', database = 'postgres'): string {
	const port = side === 'write' ? cluster.ports.haproxyWrite : cluster.ports.haproxyRead;
	const hosts = haproxyNodes(cluster).map(node => `${node.ip}:${port}`).join(',');
	const attrs = side === 'write' ? 'target_session_attrs=read-write' : 'target_session_attrs=prefer-standby';
	return `postgresql://${user}@${hosts}/${database}?${attrs}&connect_timeout=3`;
}

/** The plain URL through the entry address. */
export function entryUrl(cluster: ClusterConfig, side: 'write' | 'read', user = 'postgres', database = 'postgres'): string {
	const port = side === 'write' ? cluster.ports.haproxyWrite : cluster.ports.haproxyRead;
	return `postgresql://${user}@${entryAddress(cluster)}:${port}/${database}`;
}

/** The subnet's prefix length, for the VIP's `/N` on the interface. */
export function subnetPrefix(cluster: ClusterConfig): number {
	return Number(cluster.subnet.split('/')[1] ?? 24);
}

/** Prints `holds=<interface>` when this node has the address: how keepalived's stage, status and the test stage see who holds the VIP. */
export function holdsAddressCommand(address: string): string {
	return `sh -c ${shellQuote(`ip -o -4 addr show | awk -v ip=${shellQuote(address)} '{split($4, a, "/"); if (a[1] == ip) {print "holds=" $2; exit}}'`)}`;
}
