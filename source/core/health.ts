/**
 * What `pgha status`, `apply`'s last check and the summary learn of a running cluster. Each stage
 * with a service adds its part with a probe declared beside its steps (StageNeeds.health); the
 * probes run in the stage list's order and never change anything.
 */
import type {ClusterConfig, Secrets} from './cluster.ts';
import type {Remote} from './remote.ts';

/** A Patroni member as its REST API lists it. */
export interface Member {
	readonly name: string;
	readonly host: string;
	readonly role: string; // leader | replica | sync_standby | standby_leader
	readonly state: string; // running | streaming | stopped | starting ...
	readonly timeline?: number;
	/** Replication lag in bytes, when Patroni reports it. */
	readonly lag?: number;
}

/** A server of an HAProxy backend as its stats page shows it. */
export interface BackendServer {
	readonly proxy: string; // primary | replicas
	readonly server: string;
	readonly status: string; // UP | DOWN | MAINT | no check
}

/** One HAProxy node: HAProxy answering, keepalived's state and the VIP (VIP layout only). */
export interface EntryHealth {
	readonly node: string;
	readonly haproxyUp: boolean;
	readonly keepalived?: string;
	readonly holdsVip?: boolean;
}

export interface Health {
	readonly members: readonly Member[];
	/** HAProxy's servers as the first answering HAProxy node sees them. */
	readonly backends: readonly BackendServer[];
	readonly entries: readonly EntryHealth[];
	/** One English sentence each; none means healthy. */
	readonly problems: readonly string[];
}

/** The health being gathered: each probe fills its part and adds its problems. */
export interface HealthDraft {
	members: Member[];
	backends: BackendServer[];
	entries: EntryHealth[];
	readonly problems: string[];
}

export interface HealthContext {
	readonly cluster: ClusterConfig;
	readonly secrets: Secrets;
	readonly remotes: ReadonlyMap<string, Remote>;
}

export type HealthProbe = (ctx: HealthContext, health: HealthDraft) => Promise<void>;
