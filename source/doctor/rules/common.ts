/** What several rules need: the reached nodes, the Patroni file in use, pg_hba matching. */
import {parse as parseYaml} from 'yaml';
import type {ClusterConfig, NodeConfig} from '../../core/cluster.ts';
import {patroniConfigPath} from '../../../templates/patroni-yml.ts';
import {patroniBinDir} from '../../../steps/layout.ts';
import type {ClusterFacts, ConfigFile, NodeFacts} from '../facts.ts';

export interface Reached {
	readonly node: NodeConfig;
	readonly facts: NodeFacts;
}

export function reachedNodes(facts: ClusterFacts): Reached[] {
	return facts.nodes.flatMap(report => {
		if (!report.reached) return [];
		const node = facts.cluster.nodes.find(candidate => candidate.name === report.node);
		return node ? [{node, facts: report.facts}] : [];
	});
}

/** A Patroni member by its name, or by its address when a hand-built cluster named members otherwise (the guide's node1). */
export function nodeOfMember(cluster: ClusterConfig, member: {readonly name: string; readonly host: string}): NodeConfig | undefined {
	return cluster.nodes.find(node => node.name === member.name) ?? cluster.nodes.find(node => node.ip === member.host);
}

/**
 * The Patroni file that matters: the one a running Patroni was started with, else pgha's, else the
 * guide's ~/patroniN.yml (an old copy lying in a home folder is not what runs).
 */
export function configInUse(facts: NodeFacts): ConfigFile | undefined {
	const started = facts.patroni.configs.find(file => facts.patroni.processes.some(line => line.split(/\s+/).includes(file.path) || line.endsWith(file.path)));
	return started ?? facts.patroni.configs.find(file => file.path === patroniConfigPath) ?? facts.patroni.configs[0];
}

export function parseConfig(file: ConfigFile): Record<string, unknown> | undefined {
	try {
		const parsed = parseYaml(file.text) as unknown;
		return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as Record<string, unknown> : undefined;
	} catch {
		return undefined;
	}
}

/** `path:line: text` of the first line matching, for evidence. */
export function lineOf(file: ConfigFile, pattern: RegExp): string | undefined {
	const lines = file.text.split('\n');
	const index = lines.findIndex(line => pattern.test(line));
	return index < 0 ? undefined : `${file.path}:${index + 1}: ${lines[index]!.trim()}`;
}

/** The lines from `from` up to the next top-level key, numbered, for evidence of a whole section. */
export function sectionLines(file: ConfigFile, key: RegExp, max = 5): string[] {
	const lines = file.text.split('\n');
	const start = lines.findIndex(line => key.test(line));
	if (start < 0) return [];
	const out = [`${file.path}:${start + 1}: ${lines[start]!.trimEnd()}`];
	for (let index = start + 1; index < lines.length && out.length < max; index++) {
		const line = lines[index]!;
		if (/^\S/.test(line)) break;
		if (line.trim() !== '') out.push(`${file.path}:${index + 1}: ${line.trimEnd()}`);
	}

	return out;
}

function ipToNumber(ip: string): number | undefined {
	const parts = ip.split('.').map(Number);
	if (parts.length !== 4 || parts.some(part => !Number.isInteger(part) || part < 0 || part > 255)) return undefined;
	return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

/** Whether an address field of pg_hba.conf covers an IPv4 address (`all`, a CIDR, or a host name, which is not resolved here and counted as covering). */
export function addressCovers(field: string, ip: string, mask?: string): boolean {
	if (field === 'all' || field === 'samenet' || field === 'samehost') return true;
	const [base, bitsText] = field.split('/');
	const address = ipToNumber(base ?? '');
	const target = ipToNumber(ip);
	if (address === undefined || target === undefined) return !/^[\d.:/]+$/.test(field);
	let bits: number;
	if (bitsText !== undefined) bits = Number(bitsText);
	else if (mask) bits = [...(ipToNumber(mask) ?? 0).toString(2)].filter(bit => bit === '1').length;
	else bits = 32;
	const netmask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
	return ((address & netmask) >>> 0) === ((target & netmask) >>> 0);
}

/** Does pg_hba.conf let `user` open a replication connection from `ip`? (The first matching line decides, as in PostgreSQL.) */
export function hbaAllowsReplication(lines: readonly string[], user: string, ip: string): boolean {
	for (const line of lines) {
		const fields = line.trim().split(/\s+/);
		const [type, database, users] = fields;
		if (!type || !database || !users || !/^host(ssl|nossl|gssenc|nogssenc)?$/.test(type)) continue;
		if (!database.split(',').includes('replication')) continue;
		if (!users.split(',').some(entry => entry === 'all' || entry === user)) continue;
		const address = fields[3] ?? '';
		const maskField = /^\d+\.\d+\.\d+\.\d+$/.test(fields[4] ?? '') ? fields[4] : undefined;
		if (!addressCovers(address, ip, maskField)) continue;
		const method = maskField ? fields[5] : fields[4];
		return method !== 'reject';
	}

	return false;
}

/** The planned etcd client endpoints, `ip:port`. */
export function plannedEtcdHosts(cluster: ClusterConfig): string[] {
	return cluster.nodes.map(node => `${node.ip}:${cluster.ports.etcdClient}`);
}

export function plannedPeerUrls(cluster: ClusterConfig): string[] {
	return cluster.nodes.map(node => `http://${node.ip}:${cluster.ports.etcdPeer}`);
}

/** `patronictl` as the student would type it: pgha's file and binary as postgres, the guide's from the login user's PATH. */
export function patronictlFor(cluster: ClusterConfig, file: ConfigFile | undefined): string {
	const path = file?.path ?? patroniConfigPath;
	return path === patroniConfigPath ? `sudo -u postgres ${patroniBinDir(cluster)}/patronictl -c ${path}` : `patronictl -c ${path}`;
}

export function listed(items: readonly string[]): string {
	return items.join(', ');
}
