/**
 * keepalived.conf for the front door: one VRRP instance moving the cluster's floating address (VIP)
 * between the HAProxy nodes. Unicast peers, because multicast VRRP is filtered on many bridged Wi-Fi
 * networks and in clouds. Every node starts as BACKUP with `nopreempt`: the address moves once when
 * its holder fails and stays where it went when the old holder returns (no second interruption).
 */
import {createHash} from 'node:crypto';

export const keepalivedConfigPath = '/etc/keepalived/keepalived.conf';

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

/** First node 150, then 140, ...: distinct, so the first election has one clear winner. */
export function priorityOf(input: KeepalivedInput): number {
	const index = Math.max(0, input.peers.findIndex(peer => peer.name === input.node.name));
	return 150 - (index * 10);
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
		// The stats page answers (401 without a password) only while HAProxy itself runs.
		'vrrp_script pgha_haproxy_alive {',
		`    script ${quote(`/usr/bin/curl -s -o /dev/null --max-time 1 http://127.0.0.1:${input.statsPort}/`)}`,
		'    interval 1',
		'    timeout 2',
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
		'        pgha_haproxy_alive',
		'    }',
		'}',
		'',
	].join('\n');
}
