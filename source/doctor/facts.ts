/**
 * What `pgha doctor` knows about one node: the shape of the facts and how one batch of read-only
 * shell commands' output becomes them. Pure: the SSH side is in collect.ts, the judging in rules/.
 */
import type {ClusterConfig} from '../core/cluster.ts';
import type {Text} from '../core/text.ts';
import {parseHolders, type PortHolder} from '../../steps/port-holders.ts';
import {parseListeners, type Listener} from '../../steps/vm-checks.ts';

export interface EtcdStatus {
	/** uint64 ids kept as decimal strings: JSON numbers lose their last digits. */
	readonly clusterId: string;
	readonly memberId: string;
	/** "0" when the member knows no leader. */
	readonly leader: string;
	readonly version?: string;
}

export interface EtcdMember {
	readonly id: string;
	readonly name: string;
	readonly peerUrls: readonly string[];
	readonly clientUrls: readonly string[];
}

export interface EtcdView {
	/** `systemctl is-active etcd` (inactive / failed / active / unknown ...). */
	readonly unit: string;
	/** `pgrep -a -x etcd`: PID and command line of each etcd process. */
	readonly processes: readonly string[];
	/** `systemctl is-enabled etcd` (enabled / disabled / not-found ...; empty when there is no unit). */
	readonly enabled: string;
	/** The guide's hand-made etcd files (~/etcdN.conf) with their owners. */
	readonly handConfigs: ReadonlyArray<{readonly owner: string; readonly path: string}>;
	/** The local member's `endpoint status`, absent when it did not answer. */
	readonly status?: EtcdStatus;
	/** Why `endpoint status` failed (etcdctl's last error lines). */
	readonly statusError: string;
	/** `endpoint health`: true, false, or undefined when etcdctl gave no JSON at all. */
	readonly healthy?: boolean;
	readonly healthError: string;
	/** The member list as the local member sees it. */
	readonly members?: readonly EtcdMember[];
	/** Journal and log lines matching known etcd failures. */
	readonly log: readonly string[];
}

export interface ConfigFile {
	readonly path: string;
	readonly text: string;
}

export interface ClusterMemberJson {
	readonly name: string;
	readonly host: string;
	readonly role: string;
	readonly state: string;
	readonly timeline?: number;
	/** Bytes; undefined when Patroni says "unknown" (the replica is not replicating). */
	readonly lag?: number;
}

export interface PatroniView {
	/** `systemctl is-active patroni`. */
	readonly unit: string;
	/** Patroni processes: the configuration file each was started with. */
	readonly processes: readonly string[];
	/** Every candidate configuration file found (pgha's, the guide's ~/patroniN.yml, /etc/patroni/*.yml). */
	readonly configs: readonly ConfigFile[];
	/** REST GET /cluster, absent when the API did not answer. */
	readonly cluster?: {readonly members: readonly ClusterMemberJson[]; readonly pause: boolean};
	/** REST GET /patroni: this member's own view. */
	readonly self?: {
		readonly state: string;
		readonly role: string;
		readonly pause: boolean;
		readonly replicationState?: string;
		/** On a primary: pg_stat_replication as Patroni reports it (who streams from it). */
		readonly replication?: ReadonlyArray<{readonly name: string; readonly address: string; readonly state: string}>;
	};
	/** REST GET /config: the dynamic configuration kept in etcd. */
	readonly maximumLagOnFailover?: number;
}

export interface DiskUse {
	readonly path: string;
	readonly mount: string;
	readonly availMb: number;
	readonly usePercent: number;
}

export interface HbaFile {
	readonly dataDir: string;
	/** Non-comment lines of pg_hba.conf; undefined when the file could not be read. */
	readonly lines?: readonly string[];
}

export interface HaproxyView {
	readonly unit: string;
	readonly config?: string;
	/** The stats page's CSV, absent when it did not answer (or refused the password). */
	readonly statsCsv?: string;
}

export interface NodeFacts {
	readonly hostname: string;
	readonly machineId: string;
	/** Node clock minus this computer's clock when the node's `date` ran, in ms, and how precisely that is known. */
	readonly clock?: {readonly offsetMs: number; readonly uncertaintyMs: number};
	readonly etcd: EtcdView;
	readonly patroni: PatroniView;
	readonly hba: readonly HbaFile[];
	/** PostgreSQL and Patroni log lines matching known replication failures. */
	readonly pgLog: readonly string[];
	readonly haproxy: HaproxyView;
	readonly listeners: readonly Listener[];
	readonly holders: ReadonlyMap<number, PortHolder>;
	readonly disks: readonly DiskUse[];
}

/** How an unreachable node failed: no answer at all, a refused SSH port, or a refused login. */
export type Unreached = 'silent' | 'refused' | 'login' | 'other';

export type NodeReport =
	| {readonly node: string; readonly reached: true; readonly facts: NodeFacts}
	| {readonly node: string; readonly reached: false; readonly how: Unreached; readonly error: Text};

export interface ClusterFacts {
	readonly cluster: ClusterConfig;
	/** In cluster-file order. */
	readonly nodes: readonly NodeReport[];
}

/** `@@ name` lines split the batch's output; `@@ file PATH` starts a file's content. */
export function splitSections(stdout: string): Array<{name: string; arg: string; lines: string[]}> {
	const sections: Array<{name: string; arg: string; lines: string[]}> = [];
	let current: {name: string; arg: string; lines: string[]} | undefined;
	for (const line of stdout.split('\n')) {
		const header = /^@@ (\S+)(?: (.*))?$/.exec(line);
		if (header) {
			current = {name: header[1]!, arg: header[2]?.trim() ?? '', lines: []};
			sections.push(current);
		} else if (current) {
			current.lines.push(line);
		}
	}

	return sections;
}

/** etcd's uint64 ids are too big for a JS number: quote them before parsing. */
export function parseBigJson(text: string): unknown {
	const start = text.search(/[[{]/);
	if (start < 0) return undefined;
	try {
		return JSON.parse(text.slice(start).replace(/(:\s*)(\d{16,})/g, '$1"$2"'));
	} catch {
		return undefined;
	}
}

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json => (value && typeof value === 'object' ? value as Json : {});
const asString = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** `etcdctl endpoint status -w json`: one entry per endpoint; the first is the local member. */
export function parseEtcdStatus(text: string): EtcdStatus | undefined {
	const parsed = parseBigJson(text);
	const entry = asObject(Array.isArray(parsed) ? parsed[0] : undefined);
	const status = asObject(entry['Status']);
	const header = asObject(status['header']);
	if (header['cluster_id'] === undefined) return undefined;
	return {
		clusterId: asString(header['cluster_id']),
		memberId: asString(header['member_id']),
		leader: asString(status['leader'] ?? '0'),
		version: typeof status['version'] === 'string' ? status['version'] : undefined,
	};
}

/** `etcdctl endpoint health -w json`. */
export function parseEtcdHealth(text: string): boolean | undefined {
	const parsed = parseBigJson(text);
	if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
	return parsed.every(entry => asObject(entry)['health'] === true);
}

/** `etcdctl member list -w json`. */
export function parseEtcdMembers(text: string): EtcdMember[] | undefined {
	const parsed = asObject(parseBigJson(text));
	if (!Array.isArray(parsed['members'])) return undefined;
	return parsed['members'].map(raw => {
		const member = asObject(raw);
		return {
			id: asString(member['ID']),
			name: asString(member['name']),
			peerUrls: Array.isArray(member['peerURLs']) ? member['peerURLs'].map(asString) : [],
			clientUrls: Array.isArray(member['clientURLs']) ? member['clientURLs'].map(asString) : [],
		};
	});
}

function parseJson(text: string): Json | undefined {
	const trimmed = text.trim();
	if (!trimmed.startsWith('{')) return undefined;
	try {
		return asObject(JSON.parse(trimmed));
	} catch {
		return undefined;
	}
}

/** Patroni's GET /cluster. */
export function parsePatroniCluster(text: string): PatroniView['cluster'] {
	const parsed = parseJson(text);
	if (!parsed || !Array.isArray(parsed['members'])) return undefined;
	return {
		pause: parsed['pause'] === true,
		members: parsed['members'].map(raw => {
			const member = asObject(raw);
			return {
				name: asString(member['name']),
				host: asString(member['host']),
				role: asString(member['role']),
				state: asString(member['state']),
				timeline: typeof member['timeline'] === 'number' ? member['timeline'] : undefined,
				lag: typeof member['lag'] === 'number' ? member['lag'] : undefined,
			};
		}),
	};
}

/** Patroni's GET /patroni. */
export function parsePatroniSelf(text: string): PatroniView['self'] {
	const parsed = parseJson(text);
	if (!parsed || typeof parsed['state'] !== 'string') return undefined;
	return {
		state: parsed['state'],
		role: asString(parsed['role']),
		pause: parsed['pause'] === true,
		replicationState: typeof parsed['replication_state'] === 'string' ? parsed['replication_state'] : undefined,
		replication: Array.isArray(parsed['replication'])
			? parsed['replication'].map(raw => {
				const row = asObject(raw);
				return {name: asString(row['application_name']), address: asString(row['client_addr']), state: asString(row['state'])};
			})
			: undefined,
	};
}

/** `df -Pm PATH`: the second line's available MB, use% and mount point. */
export function parseDf(path: string, lines: readonly string[]): DiskUse | undefined {
	const fields = lines.filter(line => line.trim() !== '')[1]?.trim().split(/\s+/);
	if (!fields || fields.length < 6) return undefined;
	const availMb = Number(fields[3]);
	const usePercent = Number(fields[4]!.replace('%', ''));
	if (!Number.isFinite(availMb) || !Number.isFinite(usePercent)) return undefined;
	return {path, mount: fields[5]!, availMb, usePercent};
}

const nonEmpty = (lines: readonly string[]): string[] => lines.map(line => line.trimEnd()).filter(line => line.trim() !== '');

/** The batch's whole output as facts; `clock` is measured by the collector around the `date` line. */
export function parseNodeFacts(stdout: string, clock?: NodeFacts['clock']): NodeFacts {
	const sections = splitSections(stdout);
	const text = (name: string): string => sections.filter(section => section.name === name).map(section => section.lines.join('\n')).join('\n');
	const lines = (name: string): string[] => nonEmpty(sections.filter(section => section.name === name).flatMap(section => section.lines));
	const first = (name: string): string => lines(name)[0]?.trim() ?? '';
	const statusText = text('etcd-status');
	const healthText = text('etcd-health');
	const configs = sections.filter(section => section.name === 'patroni-file').map(section => ({path: section.arg, text: section.lines.join('\n')}));
	const dynamic = parseJson(text('patroni-config'));
	const lag = dynamic?.['maximum_lag_on_failover'];
	const haproxyConfig = sections.find(section => section.name === 'haproxy-file');
	const stats = text('haproxy-stats');
	return {
		hostname: first('hostname'),
		machineId: first('machine-id'),
		clock,
		etcd: {
			unit: first('etcd-unit') || 'unknown',
			processes: lines('etcd-processes'),
			enabled: first('etcd-enabled'),
			handConfigs: lines('etcd-hand-configs').map(line => /^(\S+) (\/\S+)$/.exec(line.trim())).filter(match => match !== null).map(match => ({owner: match[1]!, path: match[2]!})),
			status: parseEtcdStatus(statusText),
			statusError: lines('etcd-status-error').slice(-3).join(' | '),
			healthy: parseEtcdHealth(healthText),
			healthError: lines('etcd-health-error').slice(-3).join(' | '),
			members: parseEtcdMembers(text('etcd-members')),
			log: lines('etcd-log'),
		},
		patroni: {
			unit: first('patroni-unit') || 'unknown',
			processes: lines('patroni-processes'),
			configs,
			cluster: parsePatroniCluster(text('patroni-cluster')),
			self: parsePatroniSelf(text('patroni-self')),
			maximumLagOnFailover: typeof lag === 'number' ? lag : undefined,
		},
		hba: sections.filter(section => section.name === 'hba').map(section => {
			const body = nonEmpty(section.lines);
			return {dataDir: section.arg, lines: body[0] === '-' ? undefined : body};
		}),
		pgLog: lines('pg-log'),
		haproxy: {
			unit: first('haproxy-unit') || 'unknown',
			config: haproxyConfig ? haproxyConfig.lines.join('\n') : undefined,
			statsCsv: /^# ?pxname,/.test(stats.trim()) ? stats : undefined,
		},
		listeners: parseListeners(lines('ss')),
		holders: parseHolders(lines('holders')),
		disks: sections.filter(section => section.name === 'df').flatMap(section => parseDf(section.arg, section.lines) ?? []),
	};
}
