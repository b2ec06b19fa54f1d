/** Reading and writing the cluster file (pgha.yaml). */
import {existsSync} from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {writeFileAtomic} from './atomic-write.ts';
import {defaultClusterName} from './defaults.ts';
import {ConfigError} from './errors.ts';
import {msg} from './messages.ts';
import {parseUserYaml, readUserTextFile} from './read-user-file.ts';
import type {ClusterConfig, ConfigIssue, LoadedCluster, NodeAuth, TimingPreset} from '../core/cluster.ts';
import {validateClusterData} from './validate.ts';

export {ConfigError} from './errors.ts';

export const defaultClusterFile = 'pgha.yaml';

/** Reads, validates and completes the cluster file. Throws ConfigError listing every problem. */
export async function loadClusterFile(file: string): Promise<LoadedCluster> {
	const absolute = path.resolve(file);
	const source = await readUserTextFile(absolute);
	return parseClusterFile(source, absolute, {checkFiles: true});
}

/** The same from text; `checkFiles` also checks that referenced key files and tarballs exist. */
export function parseClusterFile(source: string, file: string, options: {checkFiles?: boolean} = {}): LoadedCluster {
	const data = parseUserYaml(source, file);
	if (data === null || data === undefined) throw new ConfigError(file, [msg.emptyFile(path.basename(file))]);
	const result = validateClusterData(data, file);
	const errors: ConfigIssue[] = [...result.errors];
	if (result.config && options.checkFiles) errors.push(...missingFiles(result.config, data));
	if (errors.length > 0 || !result.config) throw new ConfigError(file, errors);
	return {config: result.config, warnings: result.warnings};
}

function missingFiles(config: ClusterConfig, data: unknown): ConfigIssue[] {
	const issues: ConfigIssue[] = [];
	const raw = data as {nodes: Array<{ssh?: {auth?: {key?: string}}}>; etcd?: {tarball?: string}};
	for (const [index, node] of config.nodes.entries()) {
		if (node.auth.kind === 'key' && !existsSync(node.auth.keyFile)) {
			issues.push(msg.fileMissing(`nodes[${index}].ssh.auth.key`, raw.nodes[index]?.ssh?.auth?.key ?? node.auth.keyFile));
		}
	}

	if (config.etcd.source === 'upload' && config.etcd.tarball && !existsSync(config.etcd.tarball)) {
		issues.push(msg.fileMissing('etcd.tarball', raw.etcd?.tarball ?? config.etcd.tarball));
	}

	return issues;
}

type DeepPartial<T> = {[K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K]};

/**
 * What the wizard collected: the ClusterConfig shape with everything optional except the nodes.
 * A loaded ClusterConfig is accepted as well (to save it back).
 */
export interface ClusterAnswers extends DeepPartial<Omit<ClusterConfig, 'file' | 'nodes' | 'haproxy'>> {
	readonly nodes: ReadonlyArray<{
		readonly name: string;
		readonly ip: string;
		readonly sshPort?: number;
		readonly sshUser?: string;
		readonly auth?: NodeAuth;
	}>;
	readonly haproxy?: {
		readonly node?: string;
		/** "all" or names: HAProxy on several nodes (the front-door layout). */
		readonly nodes?: 'all' | readonly string[];
		readonly vip?: string;
		readonly timing?: Partial<ClusterConfig['haproxy']['timing']>;
	};
	/** Instead of explicit timing values. */
	readonly timingPreset?: TimingPreset;
}

/** The user-facing YAML mapping for the answers (snake_case keys, as documented in readme.md). */
export function answersToData(answers: ClusterAnswers): Record<string, unknown> {
	const data: Record<string, unknown> = {
		name: answers.name ?? defaultClusterName,
		nodes: answers.nodes.map(node => ({
			name: node.name,
			ip: node.ip,
			ssh: compact({
				port: node.sshPort,
				user: node.sshUser,
				auth: node.auth?.kind === 'key' ? {key: node.auth.keyFile} : 'password',
			}),
		})),
		postgres: {version: answers.postgresVersion ?? 'auto'},
		patroni: compact({source: answers.patroni?.source, user: answers.patroni?.user, index_url: answers.patroni?.indexUrl}),
		etcd: compact({
			source: answers.etcd?.source,
			version: answers.etcd?.version,
			download_base: answers.etcd?.downloadBase,
			tarball: answers.etcd?.tarball,
		}),
		ports: compact({
			postgres: answers.ports?.postgres,
			patroni_api: answers.ports?.patroniApi,
			etcd_client: answers.ports?.etcdClient,
			etcd_peer: answers.ports?.etcdPeer,
			haproxy_write: answers.ports?.haproxyWrite,
			haproxy_read: answers.ports?.haproxyRead,
			haproxy_stats: answers.ports?.haproxyStats,
		}),
		timing: compact({
			preset: answers.timingPreset,
			ttl: answers.timing?.ttl,
			loop_wait: answers.timing?.loopWait,
			retry_timeout: answers.timing?.retryTimeout,
		}),
		haproxy: compact({
			node: answers.haproxy?.node,
			nodes: answers.haproxy?.nodes,
			vip: answers.haproxy?.vip,
			inter: answers.haproxy?.timing?.inter,
			fall: answers.haproxy?.timing?.fall,
			rise: answers.haproxy?.timing?.rise,
		}),
		synchronous_mode: answers.synchronousMode ?? false,
		failsafe_mode: answers.failsafeMode,
		apt_upgrade: answers.aptUpgrade ?? false,
		subnet: answers.subnet,
		disk: compact({fail_below_mb: answers.disk?.failBelowMb, warn_below_mb: answers.disk?.warnBelowMb}),
		lab: answers.lab?.netns ? compact({netns: answers.lab.netns, release: answers.lab.release}) : undefined,
	};
	return compact(data);
}

/**
 * Validates the answers and writes them as the cluster file (atomically, via the YAML library so
 * quoting is always right). Nothing is written when they are invalid. Returns the loaded result.
 */
export async function saveClusterFile(answers: ClusterAnswers, file: string): Promise<LoadedCluster> {
	const absolute = path.resolve(file);
	const data = answersToData(answers);
	const result = validateClusterData(data, absolute);
	if (!result.config) throw new ConfigError(absolute, result.errors);
	const document = new YAML.Document(data);
	document.commentBefore = [
		' pgha cluster file; edit freely, then run pgha again. Documented in readme.md.',
		' Файл кластера pgha; его можно править и запускать pgha снова. Описание в readme.md.',
	].join('\n');
	await writeFileAtomic(absolute, document.toString({lineWidth: 0}), {mode: 0o644});
	return {config: result.config, warnings: result.warnings};
}

function compact<T extends Record<string, unknown>>(object: T): T {
	return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}
