/** Maps the engine's run snapshot onto what the screen shows. */
import type {RunSnapshot} from '../engine/store.ts';
import type {RunView} from './view-model.ts';

export function toRunView(snapshot: RunSnapshot, fallbackLogDir: string): RunView {
	return {
		logDir: snapshot.logDir ?? fallbackLogDir,
		stages: snapshot.stages.map(stage => ({
			id: stage.id,
			title: stage.title,
			status: stage.status,
			startedAt: stage.startedAt,
			endedAt: stage.endedAt,
			error: stage.error,
			steps: stage.steps.map(step => ({
				id: step.id,
				title: step.title,
				explain: step.explain,
				status: step.status,
				nodes: step.nodes.map(node => ({
					node: node.node,
					status: node.status,
					retries: node.retries,
					tail: node.tail.map(line => line.text),
					command: node.command,
					error: node.error,
				})),
			})),
		})),
	};
}
