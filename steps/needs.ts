/**
 * What the stages declare in `needs`, gathered for the stages that act on them (packages installs
 * the packages, the VM checks require the ports free). A stage with `needs` is listed here once.
 */
import type {ClusterConfig, NodeConfig} from '../source/core/cluster.ts';
import {haproxyStage} from './haproxy.ts';
import {keepalivedStage} from './keepalived.ts';
import type {PortClaim, Stage} from './types.ts';

const declaring: readonly Stage[] = [haproxyStage, keepalivedStage];

export function neededPackages(cluster: ClusterConfig, node: NodeConfig): string[] {
	return declaring.flatMap(stage => stage.needs?.packages?.(cluster, node) ?? []);
}

export function claimedPorts(cluster: ClusterConfig, node: NodeConfig): PortClaim[] {
	return declaring.flatMap(stage => stage.needs?.ports?.(cluster, node) ?? []);
}
