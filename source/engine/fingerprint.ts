/**
 * The fingerprint of a stage's inputs for one node: the cluster file (minus its location), the
 * secrets (as a digest), and what each step would do there (its plan output, which contains the
 * rendered templates). Editing a template or a port changes it, and the stage is then run through
 * `check` instead of being trusted from the state file.
 */
import {createHash} from 'node:crypto';
import {secretsDigest} from '../config/secrets.ts';
import type {Action, PlanContext, Step} from '../core/step.ts';

/** Bump when the engine's notion of "done" changes, so old records are not trusted. */
const engineVersion = 1;

export function stageFingerprint(stageId: string, steps: readonly Step[], context: PlanContext): string {
	const {file: _file, ...cluster} = context.cluster;
	const hash = createHash('sha256');
	hash.update(JSON.stringify({engineVersion, stage: stageId, node: context.node.name, cluster, secrets: secretsDigest(context.secrets)}));
	for (const step of steps) {
		hash.update(`\u0000${step.id}\u0000${step.scope}\u0000`);
		hash.update(JSON.stringify(planOf(step, context)));
	}

	return hash.digest('hex');
}

function planOf(step: Step, context: PlanContext): readonly Action[] | {error: string} {
	try {
		return step.plan(context);
	} catch (error) {
		// A plan that needs facts not known yet still gives a stable fingerprint.
		return {error: error instanceof Error ? error.message : String(error)};
	}
}
