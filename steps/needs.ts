/**
 * What the stages of a list declare in `needs`, gathered for the stages that act on them: the
 * packages stage installs the packages, the VM checks require the ports free, the secrets guard
 * protects the stages that put a generated password on a node. Nothing here names a stage.
 */
import type {ClusterConfig, NodeConfig, Secrets} from '../source/core/cluster.ts';
import type {PortClaim, Stage} from './types.ts';

/** The stage list, asked when needed (the gathering stages are in that list themselves). */
export type StageListing = () => readonly Stage[];

export function neededPackages(stages: readonly Stage[], cluster: ClusterConfig, node: NodeConfig, pgMajor: string): string[] {
	return stages.flatMap(stage => stage.needs?.packages?.(cluster, node, pgMajor) ?? []);
}

/** Every package any stage may install, over every branch of the cluster file (each Patroni and etcd source). */
export function everyPackage(stages: readonly Stage[], pgMajor: string): string[] {
	return [...new Set(stages.flatMap(stage => stage.needs?.allPackages?.(pgMajor) ?? []))];
}

export function claimedPorts(stages: readonly Stage[], cluster: ClusterConfig, node: NodeConfig): PortClaim[] {
	return stages.flatMap(stage => stage.needs?.ports?.(cluster, node) ?? []);
}

/** The ids of the stages that put a generated password on the nodes. */
export function passwordStages(stages: readonly Stage[]): string[] {
	return stages.filter(stage => (stage.needs?.secrets ?? []).length > 0).map(stage => stage.id);
}

/** Every generated secret some stage uses. */
export function usedSecrets(stages: readonly Stage[]): (keyof Secrets)[] {
	return [...new Set(stages.flatMap(stage => stage.needs?.secrets ?? []))];
}
