/**
 * The lab network: a switch namespace (bridge br0, no uplink, no forwarding) and one namespace per
 * node, joined by veth pairs. Nothing of it lives in the host's own network namespace, and the nodes
 * get no default route: a connection to any address outside the lab fails at once.
 */
import {existsSync, mkdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {run, succeeds} from './process.ts';
import {bridge, type LabLayout, type NodeSpec, switchNetns} from './settings.ts';

const netnsDir = '/run/netns';
/** `ip netns exec lab-sw` bind-mounts this over /etc/hosts, so the runner can use the node names. */
const switchEtc = path.join('/etc/netns', switchNetns);

export function netnsExists(name: string): boolean {
	return existsSync(path.join(netnsDir, name));
}

export function netnsPath(name: string): string {
	return path.join(netnsDir, name);
}

async function ip(...args: string[]): Promise<void> {
	await run('ip', args);
}

export async function createSwitch(layout: LabLayout): Promise<void> {
	await ip('netns', 'add', switchNetns);
	await ip('-n', switchNetns, 'link', 'set', 'lo', 'up');
	await ip('-n', switchNetns, 'link', 'add', bridge, 'type', 'bridge');
	await ip('-n', switchNetns, 'addr', 'add', `${layout.switchIp}/24`, 'dev', bridge);
	await ip('-n', switchNetns, 'link', 'set', bridge, 'up');
	// A fresh namespace starts with forwarding off; writing it anyway documents that the switch is a dead end.
	await run('ip', ['netns', 'exec', switchNetns, 'sh', '-c', 'echo 0 > /proc/sys/net/ipv4/ip_forward']);
	mkdirSync(switchEtc, {recursive: true});
	const hosts = [
		'127.0.0.1\tlocalhost',
		`${layout.switchIp}\t${switchNetns}`,
		...layout.nodes.map(node => `${node.ip}\t${node.name}`),
		'',
	];
	writeFileSync(path.join(switchEtc, 'hosts'), hosts.join('\n'));
}

export async function createNodeNetwork(node: NodeSpec): Promise<void> {
	await ip('netns', 'add', node.netns);
	await ip('link', 'add', node.veth, 'netns', switchNetns, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.netns);
	await ip('-n', switchNetns, 'link', 'set', node.veth, 'master', bridge, 'up');
	await ip('-n', node.netns, 'addr', 'add', `${node.ip}/24`, 'dev', 'eth0');
	await ip('-n', node.netns, 'link', 'set', 'lo', 'up');
	await ip('-n', node.netns, 'link', 'set', 'eth0', 'up');
}

/**
 * A booting VM's network card holds only its own address: an address keepalived added before the
 * node was powered off (the VIP) must not survive into the next boot, as it would not on a VM.
 */
export async function resetNodeAddresses(node: NodeSpec): Promise<void> {
	await ip('-n', node.netns, 'addr', 'flush', 'dev', 'eth0');
	await ip('-n', node.netns, 'addr', 'add', `${node.ip}/24`, 'dev', 'eth0');
}

/** The node's cable: its port on the switch goes down, the node sees NO-CARRIER on eth0. */
export async function setLink(node: NodeSpec, up: boolean): Promise<void> {
	await ip('-n', switchNetns, 'link', 'set', node.veth, up ? 'up' : 'down');
}

export async function linkIsUp(node: NodeSpec): Promise<boolean> {
	const result = await run('ip', ['-n', switchNetns, '-o', 'link', 'show', node.veth], {allowFailure: true});
	if (result.code !== 0) return false;
	const flags = /<([^>]*)>/.exec(result.stdout)?.[1]?.split(',') ?? [];
	return flags.includes('UP');
}

export async function deleteNetns(name: string): Promise<void> {
	if (netnsExists(name)) await run('ip', ['netns', 'delete', name], {allowFailure: true});
}

/** Every namespace named like the lab's, including ones left by a crashed run with other settings. */
export async function labNetnsNames(): Promise<string[]> {
	const result = await run('ip', ['netns', 'list'], {allowFailure: true});
	return result.stdout
		.split('\n')
		.map(line => line.split(' ')[0] ?? '')
		.filter(name => name === switchNetns || /^lab-pg-node-\d+$/.test(name));
}

export function removeSwitchEtc(): void {
	rmSync(switchEtc, {recursive: true, force: true});
}

/** A TCP connect from the switch namespace; with `banner`, also the first bytes the server sends. */
export async function probeTcp(ip: string, port: number, banner?: string): Promise<boolean> {
	const script = banner
		? `exec 3<>/dev/tcp/${ip}/${port} && head -c ${banner.length} <&3`
		: `exec 3<>/dev/tcp/${ip}/${port}`;
	const result = await run('ip', ['netns', 'exec', switchNetns, 'timeout', '3', 'bash', '-c', script], {allowFailure: true});
	return result.code === 0 && (!banner || result.stdout.startsWith(banner));
}

export async function switchAlive(): Promise<boolean> {
	return netnsExists(switchNetns) && succeeds('ip', ['-n', switchNetns, 'link', 'show', bridge]);
}
