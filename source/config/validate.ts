/**
 * Turns the parsed cluster file (plain data from YAML) into a ClusterConfig.
 * Pure: no file system access. Collects every problem instead of stopping at the first one,
 * so a student fixes the whole file in one go. The sections a stage owns (patroni, etcd, timing,
 * haproxy, ...) are read by the reader that stage declares beside its steps, taken from the stage
 * list: their keys and their fields are not spelled here.
 */
import os from 'node:os';
import path from 'node:path';
import {defaultClusterName, defaultDisk, defaultPorts, defaultSsh, hostParticipant} from './defaults.ts';
import {msg} from './messages.ts';
import {unsafeValues} from './safe-values.ts';
import type {ClusterConfig, ConfigIssue, NodeAuth, NodeConfig, Ports, StageSections} from '../core/cluster.ts';
import type {Dict, Reader, SectionContext, SectionReader} from '../core/section.ts';
import {coveringSubnet, intToIp, ipToInt, isIpv4, isUserName, maskOf} from '../core/values.ts';
import {sectionReaders} from '../../steps/index.ts';

export interface ValidationResult {
	/** Present when there are no errors. */
	readonly config?: ClusterConfig;
	readonly errors: readonly ConfigIssue[];
	readonly warnings: readonly ConfigIssue[];
}

/** Collects problems while reading fields; every reader returns undefined when the value is unusable. */
class FileReader implements Reader {
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

/** The top-level keys the core reads itself; each stage's section reader adds its own. */
const coreKeys: readonly string[] = [
	'name', 'nodes', 'postgres', 'ports', 'synchronous_mode', 'failsafe_mode', 'apt_upgrade', 'subnet', 'disk', 'lab',
];

/** The top-level key a section reader reads: its field's name unless it says otherwise. */
function sectionKey(reader: SectionReader): string {
	return reader.key ?? reader.field;
}

/**
 * `readers` are the stages' section readers in the stage list's order (the real list unless a test
 * passes its own). The core reads its keys up to `subnet`, then every stage section in that order
 * (each sees the nodes, ports and subnet), then `disk` and `lab`: one fixed order of messages.
 */
export function validateClusterData(data: unknown, file: string, readers: readonly SectionReader[] = sectionReaders()): ValidationResult {
	checkReaders(readers);
	const r = new FileReader();
	const baseDir = path.dirname(file);
	const root = r.mapping(data, '', [...coreKeys, ...readers.map(sectionKey)]);
	if (!root) return {errors: r.errors, warnings: r.warnings};

	const name = r.string(root, 'name', '', defaultClusterName);
	if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name)) r.errors.push(msg.badScope('name', name));

	const {nodes, names} = readNodes(r, root.nodes, baseDir);
	const postgresVersion = readPostgres(r, root);
	const ports = readPorts(r, root);
	const synchronousMode = r.boolean(root, 'synchronous_mode', '', false);
	const failsafeMode = r.boolean(root, 'failsafe_mode', '', true);
	const aptUpgrade = r.boolean(root, 'apt_upgrade', '', false);
	const subnet = readSubnet(r, root, nodes);
	const context: SectionContext = {root, resolvePath: value => resolvePath(value, baseDir), names, nodes, ports, subnet};
	const sections: Partial<Record<keyof StageSections, unknown>> = {};
	for (const reader of readers) sections[reader.field] = reader.read(r, context);
	const disk = readDisk(r, root);
	const lab = readLab(r, root);

	// Values that would reach a shell, an SSH config or a template unsafely (control characters, quotes).
	r.errors.push(...unsafeValues(data, r.errors));
	if (r.errors.length > 0) return {errors: r.errors, warnings: r.warnings};
	// A reader must report why it has no value; otherwise the file would load with the field missing.
	const silent = readers.find(reader => sections[reader.field] === undefined);
	if (silent) throw new Error(`The cluster file's ${sectionKey(silent)} section was not read, and its reader reported no problem.`);
	const config = {
		file,
		name: name!,
		nodes: nodes!,
		postgresVersion: postgresVersion!,
		...sections,
		ports: ports!,
		synchronousMode: synchronousMode!,
		failsafeMode: failsafeMode!,
		aptUpgrade: aptUpgrade!,
		subnet: subnet!,
		disk: disk!,
		...(lab ? {lab} : {}),
	} as ClusterConfig;
	return {config, errors: [], warnings: r.warnings};
}

/** Two readers of one key or field, or a stage taking a core key, are programming errors, not the user's. */
function checkReaders(readers: readonly SectionReader[]): void {
	const keys = new Set(coreKeys);
	const fields = new Set<string>();
	for (const reader of readers) {
		const key = sectionKey(reader);
		if (keys.has(key)) throw new Error(`The cluster file's ${key} key is read twice (by the core or another stage).`);
		if (fields.has(reader.field)) throw new Error(`Two readers fill the cluster config's ${reader.field} field.`);
		keys.add(key);
		fields.add(reader.field);
	}
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
	const section = r.mapping(root.lab, 'lab', ['netns', 'release']);
	if (!section) return undefined;
	const netns = r.string(section, 'netns', 'lab');
	if (netns === undefined) return undefined;
	if (!/^[A-Za-z0-9_.-]{1,64}$/.test(netns)) {
		r.errors.push(msg.badNetns('lab.netns', netns));
		return undefined;
	}

	// The Debian release of the lab's nodes: the wizard brings the same lab back up on resume.
	const release = section.release === undefined ? undefined : String(section.release);
	if (release !== undefined && !labNodeReleases.includes(release)) {
		r.errors.push(msg.notOneOf('lab.release', release, labNodeReleases));
		return undefined;
	}

	return release ? {netns, release} : {netns};
}

/** The lab's releases (source/lab/settings.ts), spelled here so the config layer stays below the lab. */
const labNodeReleases: readonly string[] = ['trixie', 'bookworm'];

// Helpers

function isDict(value: unknown): value is Dict {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof Date);
}

function join(field: string, key: string): string {
	return field ? `${field}.${key}` : key;
}

function isHostname(value: string): boolean {
	return /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(value);
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
