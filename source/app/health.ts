/**
 * Is the cluster healthy? Each stage with a service says so itself (StageNeeds.health, beside its
 * steps: Patroni's members, HAProxy's routing, keepalived and the VIP); this runs their probes in
 * the stage list's order. Read-only.
 */
import type {ClusterConfig, Secrets} from '../core/cluster.ts';
import type {Health, HealthDraft} from '../core/health.ts';
import type {Remote} from '../core/remote.ts';
import type {Stage} from '../core/stage.ts';
import {stageList} from '../../steps/index.ts';

export type {EntryHealth, Health} from '../core/health.ts';

export async function checkHealth(cluster: ClusterConfig, secrets: Secrets, remotes: ReadonlyMap<string, Remote>, stages: readonly Stage[] = stageList.map(item => item.stage)): Promise<Health> {
	const health: HealthDraft = {members: [], backends: [], entries: [], problems: []};
	for (const stage of stages) await stage.needs?.health?.({cluster, secrets, remotes}, health);
	return health;
}
