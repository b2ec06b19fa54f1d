/** Per-node status of a whole stage, derived from its steps. */
import type {StageView, TaskStatus} from '../engine/store.ts';

export interface NodeInStage {
	readonly node: string;
	readonly status: TaskStatus;
	readonly retries: number;
}

function combine(statuses: readonly TaskStatus[]): TaskStatus {
	if (statuses.includes('failed')) return 'failed';
	if (statuses.includes('running')) return 'running';
	if (statuses.length > 0 && statuses.every(status => status === 'checked')) return 'checked';
	if (statuses.length > 0 && statuses.every(status => status === 'already-done' || status === 'checked')) return 'already-done';
	if (statuses.length > 0 && statuses.every(status => status === 'skipped')) return 'skipped';
	if (statuses.length > 0 && statuses.every(status => status !== 'pending')) return 'done';
	if (statuses.some(status => status !== 'pending')) return 'running';
	return 'pending';
}

export function nodesInStage(stage: StageView): NodeInStage[] {
	const byNode = new Map<string, {statuses: TaskStatus[]; retries: number}>();
	for (const step of stage.steps) {
		for (const node of step.nodes) {
			const entry = byNode.get(node.node) ?? {statuses: [], retries: 0};
			entry.statuses.push(node.status);
			entry.retries += node.retries;
			byNode.set(node.node, entry);
		}
	}

	return [...byNode].map(([node, entry]) => ({node, status: combine(entry.statuses), retries: entry.retries}));
}
