/** The cluster file (pgha.yaml) after validation and defaults. Data only: no behaviour here. */
import type {Text} from './text.ts';

export type NodeAuth =
	| {readonly kind: 'password'}
	| {readonly kind: 'key'; readonly keyFile: string};

export interface NodeConfig {
	/** Patroni member name, etcd member name and hostname, e.g. pg-node-1. */
	readonly name: string;
	readonly ip: string;
	readonly sshPort: number;
	readonly sshUser: string;
	readonly auth: NodeAuth;
}

export type PatroniSource = 'venv' | 'package';

export interface PatroniInstall {
	readonly source: PatroniSource;
	readonly user: string;
	/** venv: the Patroni release pip installs ('latest' = whatever the index offers today). */
	readonly version: string;
	/** venv: the package index pip reads instead of PyPI (a mirror, a company proxy, the lab's index). */
	readonly indexUrl?: string;
}
export type EtcdSource = 'download' | 'upload' | 'package';

export interface Ports {
	readonly postgres: number; // 5432
	readonly patroniApi: number; // 8008
	readonly etcdClient: number; // 2379
	readonly etcdPeer: number; // 2380
	readonly haproxyWrite: number; // 5000
	readonly haproxyRead: number; // 5001
	readonly haproxyStats: number; // 8404, as in the course
}

export interface PatroniTiming {
	readonly ttl: number;
	readonly loopWait: number;
	readonly retryTimeout: number;
}

export interface HaproxyTiming {
	readonly inter: string; // e.g. "1s"
	readonly fall: number;
	readonly rise: number;
}

/**
 * Where HAProxy runs. The course's layout: one node, no floating address (`nodes` has one name).
 * The front-door layout: HAProxy on several nodes and keepalived moving `vip` between them.
 */
export interface HaproxyLayout {
	/** Node names running HAProxy, in cluster-file order; the first is the course's entry node. */
	readonly nodes: readonly string[];
	/** The floating address clients use (held by one HAProxy node at a time through keepalived). */
	readonly vip?: string;
	readonly timing: HaproxyTiming;
}

export interface EtcdInstall {
	readonly source: EtcdSource;
	readonly version: string; // e.g. "3.5.11", used by download/upload
	/** Base URL of release tarballs for `download`; the default is the official GitHub release location. */
	readonly downloadBase: string;
	/** Path on the host of the tarball for `upload`. */
	readonly tarball?: string;
}

/**
 * The parts of ClusterConfig that stages fill, each through the SectionReader it declares
 * (source/core/section.ts). A new stage adds its own field from its own module by declaration
 * merging, so this file is not edited for it:
 * `declare module '../source/core/cluster.ts' { interface StageSections { readonly pgbouncer: PgbouncerConfig } }`.
 */
export interface StageSections {
	/**
	 * `user` is the course's admin login account (created by the user stage, used from VS Code).
	 * Patroni itself runs as the `postgres` OS user, which owns /var/run/postgresql and the data dir.
	 */
	readonly patroni: PatroniInstall;
	readonly etcd: EtcdInstall;
	readonly timing: PatroniTiming;
	readonly haproxy: HaproxyLayout;
}

/** The core's own fields (validate.ts reads them) plus every stage's section. */
export interface ClusterConfig extends StageSections {
	/** Absolute path of the file this config was read from (state, logs and secrets sit beside it). */
	readonly file: string;
	/** Patroni scope. */
	readonly name: string;
	readonly nodes: readonly NodeConfig[];
	/** "auto" = the newest major the node's repositories offer. */
	readonly postgresVersion: number | 'auto';
	readonly ports: Ports;
	/** Patroni's failsafe_mode: a primary that still reaches every member keeps its role while etcd is down. */
	readonly failsafeMode: boolean;
	readonly synchronousMode: boolean;
	readonly aptUpgrade: boolean;
	/** Subnet allowed in pg_hba, e.g. 192.168.0.0/24; derived from node IPs when absent. */
	readonly subnet: string;
	readonly disk: {readonly failBelowMb: number; readonly warnBelowMb: number};
	/** Present when the nodes are pgha lab nodes: how the host reaches them. */
	readonly lab?: {readonly netns: string; readonly release?: string};
}

export interface Secrets {
	/** Password of the admin login user (patroni.user) the user stage creates. */
	readonly adminUserPassword: string;
	readonly superuserPassword: string;
	readonly replicationPassword: string;
	readonly rewindPassword: string;
	readonly restApiPassword: string;
	readonly haproxyStatsPassword: string;
	/** keepalived's VRRP authentication (only its first 8 characters are used by VRRP). */
	readonly vrrpPassword: string;
}

export interface Warning {
	readonly field: string;
	readonly message: string;
}

/** Which timing values a preset stands for. */
export type TimingPreset = 'default' | 'fast';

/**
 * One problem found in the cluster file or the secrets file. `text` holds the whole line in both
 * languages (field path first); `message` is its English form, kept for code that logs plain strings.
 */
export interface ConfigIssue extends Warning {
	readonly text: Text;
}

/** The cluster file after loading: the config plus what the user should hear about but may ignore. */
export interface LoadedCluster {
	readonly config: ClusterConfig;
	readonly warnings: readonly ConfigIssue[];
}
