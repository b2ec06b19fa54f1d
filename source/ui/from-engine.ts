/** Maps the engine's run snapshot onto what the screen shows, in the screen's language. */
import {withNodePrefix} from '../engine/types.ts';
import type {NodeView as EngineNode, RunSnapshot} from '../engine/store.ts';
import type {Lang} from '../core/text.ts';
import {readableLines} from './live-lines.ts';
import type {RunView} from './view-model.ts';

/**
 * The live block shows only running and failed nodes; the store keeps a node's view object while it
 * does not change, so each tail is put into words once, not on every frame.
 */
const said = new WeakMap<EngineNode, {lang: Lang; lines: string[]}>();
function liveTail(node: EngineNode, lang: Lang): string[] {
	if (node.status !== 'running' && node.status !== 'failed') return [];
	const cached = said.get(node);
	if (cached?.lang === lang) return cached.lines;
	const lines = readableLines(node.tail, lang);
	said.set(node, {lang, lines});
	return lines;
}

export function toRunView(snapshot: RunSnapshot, fallbackLogDir: string, lang: Lang): RunView {
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
				nodes: step.nodes.map(node => {
					const error = node.errorText?.[lang] ?? node.error;
					return {
						node: node.node,
						status: node.status,
						retries: node.retries,
						tail: liveTail(node, lang),
						command: node.command,
						...(error === undefined ? {} : {error: withNodePrefix(node.node, error)}),
					};
				}),
			})),
		})),
	};
}
