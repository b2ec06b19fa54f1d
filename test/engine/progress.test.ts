/** Progress figures a step reports (StepContext.progress): to the store for the screen, as plain lines outside a terminal. */
import test from 'ava';
import {RunStore, type NodeView} from '../../source/engine/store.ts';
import type {Progress} from '../../source/core/progress.ts';
import type {Step} from '../../source/core/step.ts';
import {makeStage, markStep} from '../helpers/engine-fixtures.ts';
import {bench} from '../helpers/engine-run.ts';

const unpacking = {ru: 'apt: распаковка', en: 'apt: unpacking'};
const settingUp = {ru: 'apt: настройка', en: 'apt: setting up'};

function figures(phase: Progress['phase'], done: number): Progress {
	return {phase, unit: 'packages', done, total: 66};
}

/** A step whose apply reports figures, then lets the test look at the run while it is still running. */
function reportingStep(reports: readonly Progress[], during?: (node: string) => void): Step {
	const base = markStep('install');
	return {
		...base,
		async apply(ctx) {
			for (const item of reports) ctx.progress?.(item);
			during?.(ctx.node.name);
			await ctx.remote.exec('mark install', {sudo: true});
		},
	};
}

test.serial('figures a step reports reach the store on its running node, and go when the node is done', async t => {
	const store = new RunStore();
	const seen = new Map<string, NodeView>();
	const step = reportingStep([figures(unpacking, 3), figures(unpacking, 40)], node => {
		store.flush();
		seen.set(node, store.getSnapshot().stages[0]!.steps[0]!.nodes.find(item => item.node === node)!);
	});
	await bench().run([makeStage('packages', [step])], {renderer: 'store', store});
	const during = seen.get('pg-node-1')!;
	t.is(during.status, 'running');
	t.deepEqual(during.progress?.figures, figures(unpacking, 40));
	store.flush();
	t.is(store.getSnapshot().stages[0]!.steps[0]!.nodes[0]!.progress, undefined);
});

test.serial('outside a terminal the figures print when a phase begins, not on every update', async t => {
	const written: string[] = [];
	const write = process.stdout.write.bind(process.stdout);
	process.stdout.write = ((chunk: string | Uint8Array) => {
		written.push(String(chunk));
		return true;
	}) as typeof process.stdout.write;
	try {
		const step = reportingStep([figures(unpacking, 1), figures(unpacking, 2), figures(unpacking, 3), figures(settingUp, 1), figures(settingUp, 2)]);
		await bench().run([makeStage('packages', [step])], {renderer: 'simple', lang: 'en'});
	} finally {
		process.stdout.write = write;
	}

	const lines = written.join('').split('\n').filter(line => line.includes('pg-node-1: apt:'));
	t.is(lines.length, 2, lines.join('\n'));
	t.regex(lines[0]!, /pg-node-1: apt: unpacking: 1\/66 packages, 1%, 0s$/);
	t.regex(lines[1]!, /pg-node-1: apt: setting up: 1\/66 packages, 1%, 0s$/);
});

test('the next command on a node takes the previous command\'s bar away', t => {
	const store = new RunStore({batchMs: 0});
	store.begin({runId: 'r', logDir: '/tmp/r', stages: [{id: 'packages', title: unpacking, steps: [{id: 'install', title: unpacking, explain: unpacking, nodes: ['pg-node-1']}]}]});
	const key = {stage: 'packages', step: 'install', node: 'pg-node-1'};
	store.nodeStarted(key);
	store.progress(key, figures(unpacking, 66));
	store.flush();
	t.truthy(store.getSnapshot().stages[0]!.steps[0]!.nodes[0]!.progress);
	store.command(key, 'dpkg-query -W postgresql-17');
	store.flush();
	t.is(store.getSnapshot().stages[0]!.steps[0]!.nodes[0]!.progress, undefined);
});
