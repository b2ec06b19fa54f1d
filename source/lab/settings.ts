/**
 * Everything the lab is made of, as data: paths, names, addresses and package sets.
 * Kept in one place so build, up, down and the test helpers agree on every name.
 */
import path from 'node:path';

/** Cached build products (repo, rootfs, stamps); safe to delete, `pgha lab build` recreates them. */
export const cacheDir = '/var/cache/pgha-lab';
/** Node overlays (upper/work/merged per node): disposable state, wiped by reset and down. */
export const nodesDir = '/var/lib/pgha-lab/nodes';
/** Runtime state of a running lab: state.json, PID files, console logs. Gone after `down`. */
export const runDir = '/run/pgha-lab';

export const repoDir = path.join(cacheDir, 'repo');
/** The apt repository root served as http://<switch>/debian. */
export const repoDebianDir = path.join(repoDir, 'debian');
export const poolDir = path.join(repoDebianDir, 'pool');
export const rootfsDir = path.join(cacheDir, 'rootfs');
export const buildLog = path.join(cacheDir, 'build.log');
export const repoStamp = path.join(cacheDir, 'repo.stamp');
export const rootfsStamp = path.join(cacheDir, 'rootfs.stamp');
/** Separate apt lists so the build never changes (or depends on) the host's own apt state. */
export const aptStateDir = path.join(cacheDir, 'apt');

export const stateFile = path.join(runDir, 'state.json');
export const repoServerPidFile = path.join(runDir, 'repo-server.pid');
export const repoServerLog = path.join(runDir, 'repo-server.log');
/** Outside runDir: `down` removes runDir while it still holds this lock. */
export const opLockFile = '/run/pgha-lab.lock';
export const buildLockFile = path.join(cacheDir, 'build.lock');

/** nspawn needs a tmpfs here when /run is on disk (it cannot clean its propagate dir otherwise). */
export const nspawnRunDir = '/run/systemd/nspawn';
export const nspawnTmpfsSource = 'pgha-lab-nspawn';

export const suite = 'bookworm';
export const switchNetns = 'lab-sw';
export const bridge = 'br0';
export const nodePrefix = 'pg-node-';
export const defaultNodeCount = 3;
export const minNodes = 3;
export const maxNodes = 5;
export const defaultNetPrefix = '192.168.0';
/** Host part of the switch address and of the first node (the course uses .30-.32). */
export const switchHost = 10;
export const firstNodeHost = 30;

export const labUser = 'student';
/** A public, documented lab password (the lab is a dead-end network with no uplink). */
export const labPassword = 'student';

/** The interpreter for the repo server: `python3` on PATH may be a pyenv shim. */
export const hostPython = '/usr/bin/python3';

/** Nodes are powered off cleanly first; whatever is still running after this is killed. */
export const stopGraceMs = 30_000;
/** `up`, `reset` and `start-node` give up waiting for sshd after this long. */
export const bootTimeoutMs = 180_000;

/** Installed in the rootfs: what a fresh server VM has before the course starts. */
export const basePackages: readonly string[] = [
	'systemd', 'systemd-sysv', 'dbus', 'libpam-systemd', 'openssh-server', 'sudo', 'iproute2',
	'iputils-ping', 'procps', 'curl', 'wget', 'gnupg', 'lsb-release', 'locales', 'tzdata', 'vim-tiny',
	'nano', 'rsync', 'jq', 'netcat-openbsd', 'net-tools', 'dnsutils', 'python3', 'acl', 'cron',
	'logrotate', 'apt-utils', 'ca-certificates', 'less',
];

/** In the local repository only: what pgha's stages (and students) install on the nodes. */
export const clusterPackages: readonly string[] = [
	'postgresql', 'postgresql-15', 'postgresql-client', 'postgresql-contrib', 'etcd-server', 'etcd-client',
	'patroni', 'python3-psycopg2', 'python3-etcd', 'haproxy', 'python3-venv', 'python3-pip', 'socat',
	'chrony', 'ufw', 'iptables', 'keepalived',
];

/** Host tools each command needs, with the Debian package that provides each. */
export interface HostTool {
	readonly command: string;
	readonly pkg: string;
}

export const buildTools: readonly HostTool[] = [
	{command: 'apt-get', pkg: 'apt'},
	{command: 'apt-ftparchive', pkg: 'apt-utils'},
	{command: 'mmdebstrap', pkg: 'mmdebstrap'},
	{command: 'mount', pkg: 'mount'},
];

export const runTools: readonly HostTool[] = [
	{command: 'systemd-nspawn', pkg: 'systemd-container'},
	{command: 'ip', pkg: 'iproute2'},
	{command: 'nsenter', pkg: 'util-linux'},
	{command: 'mount', pkg: 'mount'},
	{command: 'ssh-keygen', pkg: 'openssh-client'},
	{command: hostPython, pkg: 'python3'},
];

/** Free space needed: build (repo about 270 MB, rootfs about 430 MB, temp copies) and nodes. */
export const buildFreeMb = 2048;
export const upFreeMb = 2048;

export interface NodeSpec {
	/** 1-based. */
	readonly index: number;
	readonly name: string;
	readonly ip: string;
	readonly netns: string;
	/** The node's veth end inside the switch namespace (the other end is eth0 in the node). */
	readonly veth: string;
	readonly dir: string;
}

export interface LabLayout {
	readonly prefix: string;
	readonly switchIp: string;
	readonly nodes: readonly NodeSpec[];
}

export function nodeSpec(prefix: string, index: number): NodeSpec {
	const name = `${nodePrefix}${index}`;
	return {
		index,
		name,
		ip: `${prefix}.${firstNodeHost + index - 1}`,
		netns: `lab-${name}`,
		veth: `v-${name}`,
		dir: path.join(nodesDir, name),
	};
}

export function labLayout(prefix: string, count: number): LabLayout {
	const nodes = Array.from({length: count}, (_, i) => nodeSpec(prefix, i + 1));
	return {prefix, switchIp: `${prefix}.${switchHost}`, nodes};
}

/** Three dotted numbers 0-255, e.g. 192.168.0 (the lab is always a /24). */
export function validPrefix(prefix: string): boolean {
	const parts = prefix.split('.');
	return parts.length === 3 && parts.every(p => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

export function mergedDir(node: NodeSpec): string {
	return path.join(node.dir, 'merged');
}
