/**
 * Who a run involves: the stages --from / --only select, the participants (node names, or "host")
 * each step runs on, and the plan the store gets before the run starts. The engine, the runbook and
 * the command line read the same answers.
 */
import os from 'node:os';
import {hostParticipant} from '../config/defaults.ts';
import type {ClusterConfig, NodeConfig} from '../core/cluster.ts';
import type {Stage} from '../core/stage.ts';
import type {Step} from '../core/step.ts';
import type {StagePlan} from './store.ts';

/** Which stages a run covers, from --from and --only. Unknown ids are an error naming the known ones. */
export function selectStages(stages: readonly Stage[], from?: string, only?: readonly string[]): Set<string> {
	const ids = stages.map(stage => stage.id);
	for (const id of [...(from ? [from] : []), ...(only ?? [])]) {
		if (!ids.includes(id)) throw new Error(`unknown stage "${id}"; stages: ${ids.join(', ')}`);
	}

	let selected = ids;
	if (from) selected = selected.slice(ids.indexOf(from));
	if (only && only.length > 0) selected = selected.filter(id => only.includes(id));
	return new Set(selected);
}

/** The participants (node names, or "host") a step runs on. */
export function stepParticipants(step: Step, cluster: ClusterConfig): string[] {
	if (step.scope === 'host') return [hostParticipant];
	if (step.scope === 'one-node') return [...(step.targets?.(cluster) ?? [cluster.nodes[0]!.name])];
	return cluster.nodes.map(node => node.name);
}

/** The computer running pgha, as the node host-scope steps see in their context. */
export function hostNode(): NodeConfig {
	return {name: hostParticipant, ip: '127.0.0.1', sshPort: 0, sshUser: localUser(), auth: {kind: 'password'}};
}

/** What the store needs before the run starts. */
export function planStages(stages: readonly Stage[], cluster: ClusterConfig): StagePlan[] {
	return stages.map(stage => ({
		id: stage.id,
		title: stage.title,
		steps: stage.steps.map(step => ({
			id: step.id,
			title: step.title,
			explain: step.explain,
			nodes: stepParticipants(step, cluster),
		})),
	}));
}

function localUser(): string {
	try {
		return os.userInfo().username;
	} catch {
		return 'user';
	}
}
