/** Small stages, a cluster and a working folder for engine tests (used by test/engine and the SIGKILL fixture). */
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parseClusterFile} from '../../source/config/load.ts';
import {generateSecret} from '../../source/config/secrets.ts';
import type {ClusterConfig, Secrets} from '../../source/core/cluster.ts';
import type {Stage} from '../../source/core/stage.ts';
import {StepError, type Action, type PlanContext, type Scope, type Step, type StepContext} from '../../source/core/step.ts';

export interface MarkStepOptions {
	readonly scope?: Scope;
	readonly sequential?: boolean;
	readonly safeToSkip?: boolean;
	readonly retry?: {readonly tries?: number; readonly delayMs?: number};
	readonly targets?: (cluster: ClusterConfig) => readonly string[];
	/** Extra commands run before the mark (e.g. output to stream). */
	readonly extra?: (context: PlanContext) => readonly Action[];
}

/**
 * A step whose work is `mark ID` on the node: check = `test ID`, verify = `confirm ID`.
 * The fake node counts marks, so a test sees whether work was repeated.
 */
export function markStep(id: string, options: MarkStepOptions = {}): Step {
	return {
		id,
		title: {en: `Step ${id}`, ru: `Шаг ${id}`},
		explain: {en: `Marks ${id}.`, ru: `Ставит отметку ${id}.`},
		scope: options.scope ?? 'each-node',
		...(options.sequential ? {sequential: true} : {}),
		...(options.safeToSkip ? {safeToSkip: true} : {}),
		...(options.retry ? {retry: options.retry} : {}),
		...(options.targets ? {targets: options.targets} : {}),
		async check(context: StepContext) {
			return (await context.remote.exec(`test ${id}`, {allowFailure: true})).code === 0;
		},
		plan(context: PlanContext): readonly Action[] {
			return [...(options.extra?.(context) ?? []), {kind: 'run', command: `mark ${id}`, sudo: true}];
		},
		async verify(context: StepContext) {
			const {code} = await context.remote.exec(`confirm ${id}`, {allowFailure: true});
			if (code !== 0) throw new StepError({en: `${id} is not in place on ${context.node.name}`, ru: `${id} не на месте на ${context.node.name}`}, {en: `Run ${id} again.`, ru: `Повторите ${id}.`});
		},
	};
}

export function makeStage(id: string, steps: readonly Step[], extra: Partial<Stage> = {}): Stage {
	return {
		id,
		title: {en: `Stage ${id}`, ru: `Этап ${id}`},
		explain: {en: `Does ${id}.`, ru: `Делает ${id}.`},
		steps,
		...extra,
	};
}

/** Two stages of three steps each: a1 a2 a3 | b1 b2 b3. */
export function twoStages(options: MarkStepOptions = {}): Stage[] {
	return [
		makeStage('a', ['a1', 'a2', 'a3'].map(id => markStep(id, options))),
		makeStage('b', ['b1', 'b2', 'b3'].map(id => markStep(id, options))),
	];
}

export const nodeNames = ['pg-node-1', 'pg-node-2', 'pg-node-3'] as const;

export function testCluster(dir: string, overrides = ''): ClusterConfig {
	const source = [
		'name: test-cluster',
		'nodes:',
		...nodeNames.map((name, index) => `  - {name: ${name}, ip: 192.168.0.${30 + index}}`),
		overrides,
	].join('\n');
	return parseClusterFile(source, path.join(dir, 'pgha.yaml')).config;
}

export function testSecrets(): Secrets {
	return {
		adminUserPassword: generateSecret(),
		superuserPassword: generateSecret(),
		replicationPassword: generateSecret(),
		rewindPassword: generateSecret(),
		restApiPassword: generateSecret(),
		haproxyStatsPassword: generateSecret(),
		vrrpPassword: generateSecret(),
	};
}

export function tempDir(prefix = 'pgha-engine-'): string {
	return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function workPaths(dir: string): {stateFile: string; logDir: string} {
	return {stateFile: path.join(dir, '.pgha', 'state.json'), logDir: path.join(dir, '.pgha', 'logs')};
}
