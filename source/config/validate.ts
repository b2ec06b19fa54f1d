/**
 * Turns the parsed cluster file (plain data from YAML) into a ClusterConfig.
 * Pure: no file system access. Collects every problem instead of stopping at the first one,
 * so a student fixes the whole file in one go.
 */
import os from 'node:os';
import path from 'node:path';
import {defaultClusterName, defaultDisk, defaultEtcd, defaultHaproxyTiming, defaultPatroni, defaultPorts, defaultSsh, hostParticipant, timingPresets} from './defaults.ts';
import {frontDoorMsg} from './front-door-messages.ts';
import {msg} from './messages.ts';
import {unsafeValues} from './safe-values.ts';
import type {ClusterConfig, ConfigIssue, EtcdSource, NodeAuth, NodeConfig, PatroniSource, PatroniTiming, Ports, TimingPreset} from '../core/cluster.ts';

export interface ValidationResult {
	/** Present when there are no errors. */
	readonly config?: ClusterConfig;
	readonly errors: readonly ConfigIssue[];
	readonly warnings: readonly ConfigIssue[];
}

type Dict = Record<string, unknown>;

/** Collects problems while reading fields; every reader returns undefined when the value is unusable. */
class Reader {
	readonly errors: ConfigIssue[] = [];
	readonly warnings: ConfigIssue[] = [];

	/** A mapping with only the listed keys; unknown keys are errors because they are usually typos. */
	mapping(value: unknown, field: string, keys: readonly string[]): Dict | undefined {
		if (!isDict(value)) {
			this.errors.push(msg.notMapping(field || '(file)', value));
			return undefined;
		}

		for (const key of Object.keys(value)) {
			if (!keys.includes(key)) this.errors.push(msg.unknownKey(join(field, key), closest(key, keys)));
		}

		return value;
	}

	string(object: Dict, key: string, field: string, fallback?: string): string | undefined {
		const value = object[key];
		if (value === undefined || value === null) {
			if (fallback === undefined) this.errors.push(msg.missing(join(field, key)));
			return fallback;
		}

		if (typeof value !== 'string') {
			this.errors.push(msg.notString(join(field, key), value));
			return undefined;
		}

		return value;
	}

	integer(object: Dict, key: string, field: string, fallback: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
		const value = object[key];
		const name = join(field, key);
		if (value === undefined || value === null) {
			if (fallback === undefined) this.errors.push(msg.missing(name));
			return fallback;
		}

		if (typeof value !== 'number' || !Number.isInteger(value)) {
			this.errors.push(msg.notInteger(name, value));
			return undefined;
		}

		if (value < min) {
			this.errors.push(msg.tooSmall(name, value, min));
			return undefined;
		}

		if (value > max) {
			this.errors.push(msg.tooLarge(name, value, max));
			return undefined;
		}

		return value;
	}

	port(object: Dict, key: string, field: string, fallback: number): number | undefined {
		const value = object[key];
		const name = join(field, key);
		if (value === undefined || value === null) return fallback;
		if (typeof value !== 'number' || !Number.isInteger(value)) {
			this.errors.push(msg.notInteger(name, value));
			return undefined;
		}

		if (value < 1 || value > 65_535) {
			this.errors.push(msg.notPort(name, value));
			return undefined;
		}

		return value;
	}

	boolean(object: Dict, key: string, field: string, fallback: boolean): boolean | undefined {
		const value = object[key];
		if (value === undefined || value === null) return fallback;
		if (typeof value !== 'boolean') {
			this.errors.push(msg.notBoolean(join(field, key), value));
			return undefined;
		}

		return value;
	}

	oneOf<T extends string>(object: Dict, key: string, field: string, allowed: readonly T[], fallback: T): T | undefined {
		const value = object[key];
		if (value === undefined || value === null) return fallback;
		if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
			this.errors.push(msg.notOneOf(join(field, key), value, allowed));
			return undefined;
		}

		return value as T;
	}

	/** A sub-mapping that may be left out entirely. */
	section(object: Dict, key: string, field: string, keys: readonly string[]): Dict | undefined {
		const value = object[key];
		if (value === undefined || value === null) return {};
		return this.mapping(value, join(field, key), keys);
	}
}

export function validateClusterData(data: unknown, file: string): ValidationResult {
	const r = new Reader();
	const baseDir = path.dirname(file);
	const root = r.mapping(data, '', [
		'name', 'nodes', 'postgres', 'patroni', 'etcd', 'ports', 'timing', 'haproxy',
		'synchronous_mode', 'failsafe_mode', 'apt_upgrade', 'subnet', 'disk', 'lab',
	]);
	if (!root) return {errors: r.errors, warnings: r.warnings};

	const name = r.string(root, 'name', '', defaultClusterName);
	if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name)) r.errors.push(msg.badScope('name', name));

	const {nodes, names} = readNodes(r, root.nodes, baseDir);
	const postgresVersion = readPostgres(r, root);
	const patroni = readPatroni(r, root);
	const etcd = readEtcd(r, root, baseDir);
	const ports = readPorts(r, root);
	const timing = readTiming(r, root);
	const synchronousMode = r.boolean(root, 'synchronous_mode', '', false);
	const failsafeMode = r.boolean(root, 'failsafe_mode', '', true);
	const aptUpgrade = r.boolean(root, 'apt_upgrade', '', false);
	const subnet = readSubnet(r, root, nodes);
	const haproxy = readHaproxy(r, root, names, nodes, subnet);
	const disk = readDisk(r, root);
	const lab = readLab(r, root);

	// Values that would reach a shell, an SSH config or a template unsafely (control characters, quotes).
	r.errors.push(...unsafeValues(data, r.errors));
	if (r.errors.length > 0) return {errors: r.errors, warnings: r.warnings};
	const config: ClusterConfig = {
		file,
		name: name!,
		nodes: nodes!,
		postgresVersion: postgresVersion!,
		patroni: patroni!,
		etcd: etcd!,
		ports: ports!,
		timing: timing!,
		haproxy: haproxy!,
		synchronousMode: synchronousMode!,
		failsafeMode: failsafeMode!,
		aptUpgrade: aptUpgrade!,
		subnet: subnet!,
		disk: disk!,
		...(lab ? {lab} : {}),
	};
	return {config, errors: [], warnings: r.warnings};
}

/** `nodes` only when every node is right; `names` when every name is (for checking haproxy.node). */
function readNodes(r: Reader, value: unknown, baseDir: string): {nodes?: NodeConfig[]; names?: string[]} {
	if (value === undefined || value === null) {
		r.errors.push(msg.missing('nodes'));
		return {};
	}

	if (!Array.isArray(value)) {
		r.errors.push(msg.notList('nodes', value));
		return {};
	}

	const nodes: NodeConfig[] = [];
	let complete = true;
	let namesComplete = true;
	const seenNames = new Map<string, string>();
	const seenIps = new Map<string, string>();
	for (const [index, item] of value.entries()) {
		const field = `nodes[${index}]`;
		const node = r.mapping(item, field, ['name', 'ip', 'ssh']);
		if (!node) {
			complete = false;
			namesComplete = false;
			continue;
		}

		const errorsBefore = r.errors.length;
		const name = r.string(node, 'name', field);
		if (name === undefined) namesComplete = false;
		if (name !== undefined) {
			namesComplete &&= name !== hostParticipant && isHostname(name);
			if (name === hostParticipant) {
				r.errors.push(msg.reservedName(`${field}.name`, name));
			} else if (!isHostname(name)) {
				r.errors.push(msg.badHostname(`${field}.name`, name));
			} else if (seenNames.has(name)) {
				r.errors.push(msg.duplicate(`${field}.name`, name, seenNames.get(name)!));
			} else {
				seenNames.set(name, field);
			}
		}

		const ip = r.string(node, 'ip', field);
		if (ip !== undefined) {
			if (!isIpv4(ip)) {
				r.errors.push(msg.notIpv4(`${field}.ip`, ip));
			} else if (seenIps.has(ip)) {
				r.errors.push(msg.duplicate(`${field}.ip`, ip, seenIps.get(ip)!));
			} else {
				seenIps.set(ip, field);
			}
		}

		const ssh = readSsh(r, node, field, baseDir);
		// A node with any problem is left out, so later checks (haproxy.node, subnet) do not repeat it.
		if (name === undefined || ip === undefined || !ssh || r.errors.length > errorsBefore) {
			complete = false;
			continue;
		}

		nodes.push({name, ip, ...ssh});
	}

	if (value.length < 3) r.errors.push(msg.tooFewNodes('nodes', value.length));
	else if (value.length % 2 === 0) r.warnings.push(msg.evenNodes('nodes', value.length));
	return {...(complete ? {nodes} : {}), ...(namesComplete ? {names: [...seenNames.keys()]} : {})};
}

function readSsh(r: Reader, node: Dict, field: string, baseDir: string): Pick<NodeConfig, 'sshPort' | 'sshUser' | 'auth'> | undefined {
	const sshField = `${field}.ssh`;
	const ssh = r.section(node, 'ssh', field, ['port', 'user', 'auth']);
	if (!ssh) return undefined;
	const sshPort = r.port(ssh, 'port', sshField, defaultSsh.port);
	const sshUser = r.string(ssh, 'user', sshField, defaultSsh.user);
	if (sshUser !== undefined && !isUserName(sshUser)) r.errors.push(msg.badUser(`${sshField}.user`, sshUser));
	const auth = readAuth(r, ssh.auth, `${sshField}.auth`, baseDir);
	if (sshPort === undefined || sshUser === undefined || !auth) return undefined;
	return {sshPort, sshUser, auth};
}

function readAuth(r: Reader, value: unknown, field: string, baseDir: string): NodeAuth | undefined {
	if (value === undefined || value === null || value === 'password') return {kind: 'password'};
	if (!isDict(value)) {
		r.errors.push(msg.badAuth(field, value));
		return undefined;
	}

	const auth = r.mapping(value, field, ['key']);
	if (!auth) return undefined;
	const key = r.string(auth, 'key', field);
	if (key === undefined) return undefined;
	return {kind: 'key', keyFile: resolvePath(key, baseDir)};
}

function readPostgres(r: Reader, root: Dict): number | 'auto' | undefined {
	const section = r.section(root, 'postgres', '', ['version']);
	if (!section) return undefined;
	const value = section.version;
	if (value === undefined || value === null || value === 'auto') return 'auto';
	if (typeof value === 'number' && Number.isInteger(value) && value >= 10 && value <= 99) return value;
	r.errors.push(msg.badPgVersion('postgres.version', value));
	return undefined;
}

function readPatroni(r: Reader, root: Dict): ClusterConfig['patroni'] | undefined {
	const section = r.section(root, 'patroni', '', ['source', 'user', 'version', 'index_url']);
	if (!section) return undefined;
	const source = r.oneOf<PatroniSource>(section, 'source', 'patroni', ['venv', 'package'], defaultPatroni.source);
	const user = r.string(section, 'user', 'patroni', defaultPatroni.user);
	if (user !== undefined && !isUserName(user)) r.errors.push(msg.badUser('patroni.user', user));
	let version: string | undefined = defaultPatroni.version;
	if (section.version !== undefined && section.version !== null) {
		const raw = String(section.version);
		version = raw === 'latest' || /^\d+\.\d+(\.\d+)?$/.test(raw) ? raw : undefined;
		if (version === undefined) r.errors.push(msg.badPatroniVersion('patroni.version', section.version));
	}

	const indexUrl = r.string(section, 'index_url', 'patroni', '');
	if (indexUrl && !/^https?:\/\/[^\s/]+/.test(indexUrl)) r.errors.push(msg.badUrl('patroni.index_url', indexUrl));
	if (source === undefined || user === undefined || version === undefined || indexUrl === undefined) return undefined;
	return {source, user, version, ...(indexUrl ? {indexUrl: indexUrl.replace(/\/+$/, '')} : {})};
}

function readEtcd(r: Reader, root: Dict, baseDir: string): ClusterConfig['etcd'] | undefined {
	const section = r.section(root, 'etcd', '', ['source', 'version', 'download_base', 'tarball']);
	if (!section) return undefined;
	const source = r.oneOf<EtcdSource>(section, 'source', 'etcd', ['download', 'upload', 'package'], defaultEtcd.source);
	let version: string | undefined = defaultEtcd.version;
	if (section.version !== undefined && section.version !== null) {
		version = typeof section.version === 'string' && /^\d+\.\d+\.\d+$/.test(section.version) ? section.version : undefined;
		if (version === undefined) r.errors.push(msg.badVersion('etcd.version', section.version));
	}

	const downloadBase = r.string(section, 'download_base', 'etcd', defaultEtcd.downloadBase);
	if (downloadBase !== undefined && !/^https?:\/\/[^\s/]+/.test(downloadBase)) r.errors.push(msg.badUrl('etcd.download_base', downloadBase));
	const tarball = r.string(section, 'tarball', 'etcd', '');
	if (source === 'upload' && tarball === '') r.errors.push(msg.tarballNeeded('etcd.tarball'));
	if (source === undefined || version === undefined || downloadBase === undefined || tarball === undefined) return undefined;
	return {
		source,
		version,
		downloadBase: downloadBase.replace(/\/+$/, ''),
		...(tarball ? {tarball: resolvePath(tarball, baseDir)} : {}),
	};
}

const portKeys: ReadonlyArray<readonly [string, keyof Ports]> = [
	['postgres', 'postgres'],
	['patroni_api', 'patroniApi'],
	['etcd_client', 'etcdClient'],
	['etcd_peer', 'etcdPeer'],
	['haproxy_write', 'haproxyWrite'],
	['haproxy_read', 'haproxyRead'],
	['haproxy_stats', 'haproxyStats'],
];

function readPorts(r: Reader, root: Dict): Ports | undefined {
	const section = r.section(root, 'ports', '', portKeys.map(([key]) => key));
	if (!section) return undefined;
	const ports: Partial<Record<keyof Ports, number>> = {};
	const used = new Map<number, string>();
	let complete = true;
	for (const [key, property] of portKeys) {
		const value = r.port(section, key, 'ports', defaultPorts[property]);
		if (value === undefined) {
			complete = false;
			continue;
		}

		// HAProxy runs on one of the nodes, so every port must be distinct there.
		const other = used.get(value);
		if (other) r.errors.push(msg.portTaken(`ports.${key}`, value, other));
		else used.set(value, `ports.${key}`);
		ports[property] = value;
	}

	return complete ? ports as Ports : undefined;
}

function readTiming(r: Reader, root: Dict): PatroniTiming | undefined {
	const section = r.section(root, 'timing', '', ['preset', 'ttl', 'loop_wait', 'retry_timeout']);
	if (!section) return undefined;
	const preset = r.oneOf<TimingPreset>(section, 'preset', 'timing', ['default', 'fast'], 'default');
	if (preset === undefined) return undefined;
	const base = timingPresets[preset];
	// Patroni's own lower bounds (its config validator rejects smaller values).
	const ttl = r.integer(section, 'ttl', 'timing', base.ttl, 1);
	const loopWait = r.integer(section, 'loop_wait', 'timing', base.loopWait, 1);
	const retryTimeout = r.integer(section, 'retry_timeout', 'timing', base.retryTimeout, 1);
	if (ttl === undefined || loopWait === undefined || retryTimeout === undefined) return undefined;
	let ok = true;
	if (ttl < 20) {
		r.errors.push(msg.belowPatroniMin('timing.ttl', ttl, 20));
		ok = false;
	}

	if (retryTimeout < 3) {
		r.errors.push(msg.belowPatroniMin('timing.retry_timeout', retryTimeout, 3));
		ok = false;
	}

	if (loopWait + 2 * retryTimeout > ttl) {
		r.errors.push(msg.timingRule('timing', loopWait, retryTimeout, ttl));
		ok = false;
	}

	return ok ? {ttl, loopWait, retryTimeout} : undefined;
}

function readHaproxy(r: Reader, root: Dict, names: readonly string[] | undefined, nodes: readonly NodeConfig[] | undefined, subnet: string | undefined): ClusterConfig['haproxy'] | undefined {
	const section = r.section(root, 'haproxy', '', ['node', 'nodes', 'vip', 'inter', 'fall', 'rise']);
	if (!section) return undefined;
	const layout = readHaproxyNodes(r, section, names);
	const vip = readVip(r, section, layout, nodes, subnet);
	let inter: string | undefined = defaultHaproxyTiming.inter;
	if (section.inter !== undefined && section.inter !== null) {
		inter = typeof section.inter === 'string' && /^\d+(us|ms|s|m|h|d)?$/.test(section.inter) ? section.inter : undefined;
		if (inter === undefined) r.errors.push(msg.badDuration('haproxy.inter', section.inter));
	}

	const fall = r.integer(section, 'fall', 'haproxy', defaultHaproxyTiming.fall, 1);
	const rise = r.integer(section, 'rise', 'haproxy', defaultHaproxyTiming.rise, 1);
	if (!layout || vip === null || inter === undefined || fall === undefined || rise === undefined) return undefined;
	return {nodes: layout.nodes, ...(vip ? {vip} : {}), timing: {inter, fall, rise}};
}

/** `node: X` (the course: one HAProxy) or `nodes: all | [names]` (HAProxy on several nodes). */
function readHaproxyNodes(r: Reader, section: Dict, names: readonly string[] | undefined): {nodes: string[]; several: boolean} | undefined {
	const hasNode = section.node !== undefined && section.node !== null;
	const hasNodes = section.nodes !== undefined && section.nodes !== null;
	if (hasNode && hasNodes) {
		r.errors.push(frontDoorMsg.nodeAndNodes('haproxy'));
		return undefined;
	}

	if (!hasNodes) {
		const node = r.string(section, 'node', 'haproxy', names?.[0] ?? '');
		if (node === undefined) return undefined;
		if (names && !names.includes(node)) {
			r.errors.push(msg.notANode('haproxy.node', node, names));
			return undefined;
		}

		return {nodes: [node], several: false};
	}

	if (section.nodes === 'all') return names ? {nodes: [...names], several: true} : undefined;
	if (!Array.isArray(section.nodes)) {
		r.errors.push(frontDoorMsg.badNodes('haproxy.nodes', section.nodes));
		return undefined;
	}

	if (section.nodes.length === 0) {
		r.errors.push(frontDoorMsg.emptyNodes('haproxy.nodes'));
		return undefined;
	}

	const chosen: string[] = [];
	for (const [index, item] of section.nodes.entries()) {
		const field = `haproxy.nodes[${index}]`;
		if (typeof item !== 'string') r.errors.push(msg.notString(field, item));
		else if (names && !names.includes(item)) r.errors.push(msg.notANode(field, item, names));
		else if (chosen.includes(item)) r.errors.push(frontDoorMsg.repeatedNode(field, item));
		else chosen.push(item);
	}

	if (chosen.length !== section.nodes.length || !names) return undefined;
	// Cluster-file order, so the first HAProxy node is the same whichever way the list was written.
	return {nodes: names.filter(name => chosen.includes(name)), several: true};
}

/** The floating address: undefined when there is none, null when it is wrong (already reported). */
function readVip(r: Reader, section: Dict, layout: {nodes: string[]; several: boolean} | undefined, nodes: readonly NodeConfig[] | undefined, subnet: string | undefined): string | undefined | null {
	if (section.vip === undefined || section.vip === null) {
		if (layout?.several && layout.nodes.length > 1) r.warnings.push(frontDoorMsg.noVip('haproxy.vip'));
		return undefined;
	}

	const vip = r.string(section, 'vip', 'haproxy');
	if (vip === undefined) return null;
	if (!isIpv4(vip)) {
		r.errors.push(msg.notIpv4('haproxy.vip', vip));
		return null;
	}

	let ok = true;
	if (layout && !layout.several) {
		r.errors.push(frontDoorMsg.vipWithOneHaproxy('haproxy.vip'));
		ok = false;
	} else if (layout && layout.nodes.length < 2) {
		r.errors.push(frontDoorMsg.vipNeedsTwo('haproxy.nodes', layout.nodes.length));
		ok = false;
	}

	const owner = nodes?.findIndex(node => node.ip === vip) ?? -1;
	if (owner >= 0) {
		r.errors.push(frontDoorMsg.vipIsNode('haproxy.vip', vip, `nodes[${owner}].ip`));
		ok = false;
	}

	if (subnet) {
		const [network = '', bits = '32'] = subnet.split('/');
		const prefix = Number(bits);
		const value = ipToInt(vip);
		const base = ipToInt(network);
		if (((value & maskOf(prefix)) >>> 0) !== base) {
			r.errors.push(frontDoorMsg.vipOutsideSubnet('haproxy.vip', vip, subnet));
			ok = false;
		} else if (prefix < 31 && (value === base || value === ((base | ~maskOf(prefix)) >>> 0))) {
			r.errors.push(frontDoorMsg.vipIsNetworkOrBroadcast('haproxy.vip', vip, subnet));
			ok = false;
		}
	}

	return ok ? vip : null;
}

function readSubnet(r: Reader, root: Dict, nodes: readonly NodeConfig[] | undefined): string | undefined {
	const given = r.string(root, 'subnet', '', '');
	if (given === undefined) return undefined;
	if (given === '') return nodes && nodes.length > 0 ? coveringSubnet(nodes.map(node => node.ip)) : undefined;
	const match = /^(.+)\/(\d{1,2})$/.exec(given);
	const prefix = match ? Number(match[2]) : -1;
	if (!match || !isIpv4(match[1]!) || prefix < 8 || prefix > 32) {
		r.errors.push(msg.badSubnet('subnet', given));
		return undefined;
	}

	const network = (ipToInt(match[1]!) & maskOf(prefix)) >>> 0;
	const normal = `${intToIp(network)}/${prefix}`;
	if (normal !== given) {
		r.errors.push(msg.subnetHostBits('subnet', given, normal));
		return undefined;
	}

	for (const [index, node] of (nodes ?? []).entries()) {
		if (((ipToInt(node.ip) & maskOf(prefix)) >>> 0) !== network) r.errors.push(msg.subnetMissesNode('subnet', given, `nodes[${index}].ip`, node.ip));
	}

	return given;
}

function readDisk(r: Reader, root: Dict): ClusterConfig['disk'] | undefined {
	const section = r.section(root, 'disk', '', ['fail_below_mb', 'warn_below_mb']);
	if (!section) return undefined;
	const failBelowMb = r.integer(section, 'fail_below_mb', 'disk', defaultDisk.failBelowMb, 0);
	const warnBelowMb = r.integer(section, 'warn_below_mb', 'disk', defaultDisk.warnBelowMb, 0);
	if (failBelowMb === undefined || warnBelowMb === undefined) return undefined;
	if (failBelowMb > warnBelowMb) {
		r.errors.push(msg.diskOrder('disk.fail_below_mb', failBelowMb, 'disk.warn_below_mb', warnBelowMb));
		return undefined;
	}

	return {failBelowMb, warnBelowMb};
}

function readLab(r: Reader, root: Dict): ClusterConfig['lab'] | undefined {
	if (root.lab === undefined || root.lab === null) return undefined;
	const section = r.mapping(root.lab, 'lab', ['netns']);
	if (!section) return undefined;
	const netns = r.string(section, 'netns', 'lab');
	if (netns === undefined) return undefined;
	if (!/^[A-Za-z0-9_.-]{1,64}$/.test(netns)) {
		r.errors.push(msg.badNetns('lab.netns', netns));
		return undefined;
	}

	return {netns};
}

// Helpers

function isDict(value: unknown): value is Dict {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof Date);
}

function join(field: string, key: string): string {
	return field ? `${field}.${key}` : key;
}

/** Dotted quad, no leading zeros (some tools read 010 as octal). */
export function isIpv4(value: string): boolean {
	return /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(value);
}

function isHostname(value: string): boolean {
	return /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(value);
}

function isUserName(value: string): boolean {
	return /^[a-z_][a-z0-9_-]{0,31}$/.test(value);
}

function ipToInt(ip: string): number {
	return ip.split('.').reduce((sum, octet) => ((sum << 8) | Number(octet)) >>> 0, 0);
}

function intToIp(value: number): string {
	return [24, 16, 8, 0].map(shift => (value >>> shift) & 255).join('.');
}

function maskOf(prefix: number): number {
	return prefix === 0 ? 0 : (0xFF_FF_FF_FF << (32 - prefix)) >>> 0;
}

/** The /24 of the node IPs, or the smallest subnet holding them all when they span several /24s. */
export function coveringSubnet(ips: readonly string[]): string {
	const values = ips.map(ipToInt);
	let prefix = 24;
	while (prefix > 0 && new Set(values.map(value => (value & maskOf(prefix)) >>> 0)).size > 1) prefix--;
	return `${intToIp((values[0]! & maskOf(prefix)) >>> 0)}/${prefix}`;
}

/** `~/x` means the user's home; other relative paths are relative to the cluster file. */
export function resolvePath(value: string, baseDir: string): string {
	if (value === '~') return os.homedir();
	if (value.startsWith('~/')) return path.join(os.homedir(), value.slice(2));
	return path.resolve(baseDir, value);
}

/** The known key nearest to a typo, when it is close enough to be a likely meant one. */
function closest(key: string, keys: readonly string[]): string | undefined {
	let best: string | undefined;
	let bestDistance = Infinity;
	for (const candidate of keys) {
		const distance = levenshtein(key.toLowerCase(), candidate);
		if (distance < bestDistance) {
			best = candidate;
			bestDistance = distance;
		}
	}

	return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
	let previous = Array.from({length: b.length + 1}, (_, index) => index);
	for (let i = 1; i <= a.length; i++) {
		const current = [i];
		for (let j = 1; j <= b.length; j++) {
			current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
		}

		previous = current;
	}

	return previous[b.length]!;
}
