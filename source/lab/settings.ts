/**
 * Everything the lab is made of, as data: paths, names, addresses and package sets.
 * Kept in one place so build, up, down and the test helpers agree on every name.
 */
import path from 'node:path';

/**
 * Cached build products of every release, side by side; safe to delete, `pgha lab build` recreates
 * them. PGHA_LAB_CACHE puts them elsewhere (a bigger disk; a test that starts from a machine with
 * no lab built).
 */
export const cacheRoot = process.env.PGHA_LAB_CACHE || '/var/cache/pgha-lab';
/** Node overlays (upper/work/merged per node): disposable state, wiped by reset and down. */
export const nodesDir = '/var/lib/pgha-lab/nodes';
/** Runtime state of a running lab: state.json, PID files, console logs. Gone after `down`. */
export const runDir = '/run/pgha-lab';

/** The Debian releases a lab node can run: trixie is today's stack, bookworm the one pgha started on. */
export const labReleases = ['trixie', 'bookworm'] as const;
export type LabRelease = (typeof labReleases)[number];
export const defaultRelease: LabRelease = 'trixie';

export function isLabRelease(value: string): value is LabRelease {
	return (labReleases as readonly string[]).includes(value);
}

/** Where one release's build products live (each release has its own cache folder). */
export interface ReleasePaths {
	readonly cacheDir: string;
	readonly repoDir: string;
	/** The apt repository root served as http://<switch>/debian. */
	readonly repoDebianDir: string;
	readonly poolDir: string;
	/** PEP 503 index served as http://<switch>/pypi/simple (wheels in pypi/files). */
	readonly pypiDir: string;
	/** etcd releases in the official layout, served as http://<switch>/etcd (download_base). */
	readonly etcdDir: string;
	readonly rootfsDir: string;
	readonly buildLog: string;
	readonly repoStamp: string;
	readonly rootfsStamp: string;
	readonly pypiStamp: string;
	readonly etcdStamp: string;
	/** Separate apt state and sources so the build never changes (or depends on) the host's own apt. */
	readonly aptStateDir: string;
}

export function releasePaths(release: LabRelease): ReleasePaths {
	const cacheDir = path.join(cacheRoot, release);
	const repoDir = path.join(cacheDir, 'repo');
	const repoDebianDir = path.join(repoDir, 'debian');
	return {
		cacheDir,
		repoDir,
		repoDebianDir,
		poolDir: path.join(repoDebianDir, 'pool'),
		pypiDir: path.join(repoDir, 'pypi'),
		etcdDir: path.join(repoDir, 'etcd'),
		rootfsDir: path.join(cacheDir, 'rootfs'),
		buildLog: path.join(cacheDir, 'build.log'),
		repoStamp: path.join(cacheDir, 'repo.stamp'),
		rootfsStamp: path.join(cacheDir, 'rootfs.stamp'),
		pypiStamp: path.join(cacheDir, 'pypi.stamp'),
		etcdStamp: path.join(cacheDir, 'etcd.stamp'),
		aptStateDir: path.join(cacheDir, 'apt'),
	};
}

export const buildLockFile = path.join(cacheRoot, 'build.lock');

export const stateFile = path.join(runDir, 'state.json');
export const repoServerPidFile = path.join(runDir, 'repo-server.pid');
export const repoServerLog = path.join(runDir, 'repo-server.log');
/** Outside runDir: `down` removes runDir while it still holds this lock. */
export const opLockFile = '/run/pgha-lab.lock';

/** nspawn needs a tmpfs here when /run is on disk (it cannot clean its propagate dir otherwise). */
export const nspawnRunDir = '/run/systemd/nspawn';
export const nspawnTmpfsSource = 'pgha-lab-nspawn';

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
export function basePackages(release: LabRelease): readonly string[] {
	return [
		'systemd', 'systemd-sysv', 'dbus', 'libpam-systemd', 'openssh-server', 'sudo', 'iproute2',
		'iputils-ping', 'procps', 'curl', 'wget', 'gnupg', 'lsb-release', 'locales', 'tzdata', 'vim-tiny',
		'nano', 'rsync', 'jq', 'netcat-openbsd', 'net-tools', release === 'bookworm' ? 'dnsutils' : 'bind9-dnsutils',
		'python3', 'acl', 'cron', 'logrotate', 'apt-utils', 'ca-certificates', 'less',
	];
}

/** The PostgreSQL major each release ships (what `postgres: {version: auto}` finds on its nodes). */
export const releasePostgres: Readonly<Record<LabRelease, number>> = {trixie: 17, bookworm: 15};

/**
 * In the local repository beside what pgha's stages install (the stage list says that): what a
 * student following the guide by hand types in apt-get on a course VM.
 */
export function courseHandPackages(release: LabRelease): readonly string[] {
	return [
		'postgresql', 'postgresql-client',
		// trixie made postgresql-contrib a virtual package (contrib is inside postgresql-17).
		...(release === 'bookworm' ? ['postgresql-contrib'] : []),
		'socat', 'chrony', 'ufw', 'iptables',
	];
}

/** The Patroni version each release's index offers (Debian's own): what pgha pins by default. */
export const indexedPatroni: Readonly<Partial<Record<LabRelease, string>>> = {trixie: '4.0.7'};

/** The nodes' Python as a wheel tag (C extensions in the index are built for exactly this one). */
export const releasePythonTag: Readonly<Record<LabRelease, string>> = {trixie: 'cp313', bookworm: 'cp311'};

/**
 * Debian's builds of Patroni, its etcd3 extra and their dependencies, and psycopg2: the lab's
 * Python index is made of these (as wheels), so they must be in the repository's pool.
 */
export function pythonIndexPackages(release: LabRelease): string[] {
	if (!indexedPatroni[release]) return [];
	return [
		'patroni', 'python3-etcd', 'python3-psycopg2', 'python3-psutil', 'python3-yaml', 'python3-click',
		'python3-prettytable', 'python3-dateutil', 'python3-urllib3', 'python3-ydiff', 'python3-dnspython',
		'python3-wcwidth',
	];
}

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
	readonly release: LabRelease;
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

export function labLayout(prefix: string, count: number, release: LabRelease = defaultRelease): LabLayout {
	const nodes = Array.from({length: count}, (_, i) => nodeSpec(prefix, i + 1));
	return {release, prefix, switchIp: `${prefix}.${switchHost}`, nodes};
}

/** Three dotted numbers 0-255, e.g. 192.168.0 (the lab is always a /24). */
export function validPrefix(prefix: string): boolean {
	const parts = prefix.split('.');
	return parts.length === 3 && parts.every(p => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

export function mergedDir(node: NodeSpec): string {
	return path.join(node.dir, 'merged');
}
