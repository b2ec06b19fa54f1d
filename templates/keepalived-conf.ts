/**
 * keepalived.conf for the front door: one VRRP instance moving the cluster's floating address (VIP)
 * between the HAProxy nodes. Unicast peers, because multicast VRRP is filtered on many bridged Wi-Fi
 * networks and in clouds. Every node starts as BACKUP with `nopreempt`: the address moves once when
 * its holder fails and stays where it went when the old holder returns (no second interruption).
 */
import {createHash} from 'node:crypto';

export const keepalivedConfigPath = '/etc/keepalived/keepalived.conf';
/** keepalived runs it every second; root-owned and not writable by others (script security). */
export const keepalivedCheckPath = '/usr/local/lib/pgha/keepalived-check';

export interface KeepalivedPeer {
	readonly name: string;
	readonly ip: string;
}

export interface KeepalivedInput {
	readonly clusterName: string;
	readonly node: KeepalivedPeer;
	/** The HAProxy nodes in cluster-file order; the node's place sets its priority. */
	readonly peers: readonly KeepalivedPeer[];
	/** The network interface holding the node's IP (eth0, enp0s3, ...), read from the node. */
	readonly interface: string;
	readonly vip: string;
	readonly prefix: number;
	readonly password: string;
	/** HAProxy's stats port: answering there (even 401) means HAProxy is alive. */
	readonly statsPort: number;
}

/** VRRP sends at most 8 characters of a PASS password. */
export function vrrpPassword(secret: string): string {
	// The runbook's placeholder (<vrrp-password>) is shown whole.
	return secret.startsWith('<') ? secret : secret.slice(0, 8);
}

/** 1-255, the same on every node of one cluster and unlikely to equal another cluster's on the LAN. */
export function virtualRouterId(clusterName: string, vip: string): number {
	const digest = createHash('sha256').update(`${clusterName}/${vip}`).digest();
	return 1 + (digest.readUInt16BE(0) % 255);
}

/** First node 200, then 195, ...: distinct (for up to 40 nodes), so the first election has one clear winner. */
export function priorityOf(input: KeepalivedInput): number {
	const index = Math.max(0, input.peers.findIndex(peer => peer.name === input.node.name));
	return Math.max(1, 200 - (index * 5));
}

/**
 * The health check keepalived runs. HAProxy must answer on its stats port (a 401 without the
 * password still proves it runs), and at least one peer must answer a ping: a node cut off the
 * network then gives the address up on its own side, and when the cable returns it comes back as
 * a backup instead of taking the address back (which would interrupt clients a second time).
 */
export function renderKeepalivedCheck(input: KeepalivedInput): string {
	const others = input.peers.filter(peer => peer.name !== input.node.name).map(peer => peer.ip);
	return [
		'#!/bin/sh',
		`# Written by pgha for cluster ${input.clusterName}: keepalived's check of this node as the front door.`,
		`/usr/bin/curl -s -o /dev/null --max-time 1 http://127.0.0.1:${input.statsPort}/ || exit 1`,
		`for peer in ${others.join(' ')}; do`,
		'    ping -c 1 -W 1 -q "$peer" >/dev/null 2>&1 && exit 0',
		'done',
		'exit 1',
		'',
	].join('\n');
}

/** Double-quoted keepalived word (the values here are validated, this only keeps spaces harmless). */
function quote(value: string): string {
	return `"${value.replace(/["\\]/g, '')}"`;
}

export function renderKeepalivedConf(input: KeepalivedInput): string {
	const others = input.peers.filter(peer => peer.name !== input.node.name);
	return [
		`# Written by pgha for cluster ${input.clusterName}: the floating address ${input.vip} on the HAProxy nodes.`,
		'# pgha rewrites this file; the original is kept as keepalived.conf.orig.',
		'global_defs {',
		`    router_id ${input.node.name}`,
		'    enable_script_security',
		'    script_user root',
		'}',
		'',
		'vrrp_script pgha_front_door {',
		`    script ${quote(keepalivedCheckPath)}`,
		'    interval 1',
		'    timeout 3',
		'    fall 2',
		'    rise 2',
		'}',
		'',
		'vrrp_instance pgha_vip {',
		'    state BACKUP',
		'    nopreempt',
		`    interface ${input.interface}`,
		`    virtual_router_id ${virtualRouterId(input.clusterName, input.vip)}`,
		`    priority ${priorityOf(input)}`,
		'    advert_int 1',
		`    unicast_src_ip ${input.node.ip}`,
		'    unicast_peer {',
		...others.map(peer => `        ${peer.ip}`),
		'    }',
		'    authentication {',
		'        auth_type PASS',
		`        auth_pass ${vrrpPassword(input.password)}`,
		'    }',
		'    virtual_ipaddress {',
		`        ${input.vip}/${input.prefix} dev ${input.interface}`,
		'    }',
		'    track_script {',
		'        pgha_front_door',
		'    }',
		'}',
		'',
	].join('\n');
}
