/** A live panel a step keeps up (StepContext.panel): in the store for the screen, as timestamped plain lines elsewhere. */
import test from 'ava';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import type {Panel} from '../../source/core/panel.ts';
import type {Step, StepContext} from '../../source/core/step.ts';
import {RunStore, type NodeView} from '../../source/engine/store.ts';
import {makeStage, markStep} from '../helpers/engine-fixtures.ts';
import {bench} from '../helpers/engine-run.ts';

const text = {en: 'Drill', ru: 'Учение'};
const plan = [{id: 'test', title: text, steps: [{id: 'drill', title: text, explain: text, nodes: ['pg-node-1', 'pg-node-2']}]}];
const key = {stage: 'test', step: 'drill', node: 'pg-node-1'};

function panel(plain: string): Panel {
	return {plain, render: () => [plain]};
}

function runningStore(): RunStore {
	const store = new RunStore({batchMs: 0});
	store.begin({runId: 'r', logDir: '/tmp/r', stages: plan});
	store.nodeStarted(key);
	return store;
}

function nodeOf(store: RunStore, name = 'pg-node-1'): NodeView {
	store.flush();
	return store.getSnapshot().stages[0]!.steps[0]!.nodes.find(node => node.node === name)!;
}

/** A step whose apply drives the panel: each entry is a panel's plain line, or a pause in ms. */
function panelStep(script: ReadonlyArray<string | number>, during?: (ctx: StepContext) => void): Step {
	const base = markStep('drill', {scope: 'one-node', targets: () => ['pg-node-1']});
	return {
		...base,
		async apply(ctx) {
			for (const item of script) {
				if (typeof item === 'number') await sleep(item);
				else ctx.panel?.(panel(item));
			}

			during?.(ctx);
			ctx.panel?.(undefined);
			await ctx.remote.exec('mark drill', {sudo: true});
		},
	};
}

/** What the simple renderer (plain output) prints while the stages run. */
async function plainOutput(script: ReadonlyArray<string | number>): Promise<string[]> {
	const written: string[] = [];
	const write = process.stdout.write.bind(process.stdout);
	process.stdout.write = ((chunk: string | Uint8Array) => {
		written.push(String(chunk));
		return true;
	}) as typeof process.stdout.write;
	try {
		await bench().run([makeStage('test', [panelStep(script)])], {renderer: 'simple', lang: 'en'});
	} finally {
		process.stdout.write = write;
	}

	return written.join('').split('\n').filter(line => line.includes('leader'));
}

test('the store keeps a running node\'s panel by identity in its snapshot', t => {
	const store = runningStore();
	const first = panel('leader pg-node-1');
	store.panel(key, first);
	t.is(nodeOf(store).panel, first);
	t.is(nodeOf(store, 'pg-node-2').panel, undefined);
});

test('a new panel object replaces the node\'s view; the same object again changes nothing', t => {
	const store = runningStore();
	const first = panel('ttl 30');
	store.panel(key, first);
	const before = nodeOf(store);
	store.panel(key, first);
	t.is(nodeOf(store), before);
	const second = panel('ttl 29');
	store.panel(key, second);
	t.is(nodeOf(store).panel, second);
});

test('undefined takes the panel away', t => {
	const store = runningStore();
	store.panel(key, panel('ttl 30'));
	store.panel(key, undefined);
	t.is(nodeOf(store).panel, undefined);
});

test('the panel goes when its node finishes, fails or is skipped', t => {
	for (const status of ['done', 'failed', 'skipped'] as const) {
		const store = runningStore();
		store.panel(key, panel('ttl 30'));
		store.nodeFinished(key, status);
		t.is(nodeOf(store).panel, undefined, status);
	}
});

test('a panel that comes after its node ended is not shown', t => {
	const store = runningStore();
	store.nodeFinished(key, 'done');
	store.panel(key, panel('late'));
	t.is(nodeOf(store).panel, undefined);
});

test.serial('a step\'s panel reaches the store on its running node, and goes when the node is done', async t => {
	const store = new RunStore();
	let during: NodeView | undefined;
	const step = panelStep(['leader pg-node-1'], () => {
		store.flush();
		during = store.getSnapshot().stages[0]!.steps[0]!.nodes[0];
	});
	await bench().run([makeStage('test', [step])], {renderer: 'store', store});
	t.deepEqual(during?.panel?.render(80), ['leader pg-node-1']);
	store.flush();
	t.is(store.getSnapshot().stages[0]!.steps[0]!.nodes[0]!.panel, undefined);
});

test.serial('outside a terminal a changed panel prints a timestamped line at most once a second', async t => {
	const lines = await plainOutput(['leader pg-node-1 ttl 30', 'leader pg-node-1 ttl 29', 1100, 'leader pg-node-1 ttl 29']);
	t.is(lines.length, 2, lines.join('\n'));
	t.regex(lines[0]!, /\b\d\d:\d\d:\d\d leader pg-node-1 ttl 30$/);
	t.regex(lines[1]!, /\b\d\d:\d\d:\d\d leader pg-node-1 ttl 29$/);
});

test.serial('outside a terminal an unchanged panel prints nothing more', async t => {
	const lines = await plainOutput(['leader pg-node-1 ttl 30', 1100, 'leader pg-node-1 ttl 30']);
	t.is(lines.length, 1, lines.join('\n'));
});

test.serial('the run log gets the panel\'s plain lines as info, at most once a second', async t => {
	const run = bench();
	const result = await run.run([makeStage('test', [panelStep(['leader pg-node-1 ttl 30', 'leader pg-node-1 ttl 29', 1100, 'leader pg-node-2 ttl 30'])])]);
	const log = readFileSync(path.join(result.logDir, 'pg-node-1.log'), 'utf8').split('\n').filter(line => line.includes('leader'));
	t.is(log.length, 2, log.join('\n'));
	t.regex(log[0]!, /\[test\/drill\] # leader pg-node-1 ttl 30$/);
	t.regex(log[1]!, /\[test\/drill\] # leader pg-node-2 ttl 30$/);
});

test.serial('a secret in a panel is masked on the screen and in the log', async t => {
	const run = bench();
	const secret = run.secrets.superuserPassword;
	const store = new RunStore();
	let rows: readonly string[] = [];
	const step = panelStep([`password ${secret} leader`], () => {
		store.flush();
		rows = store.getSnapshot().stages[0]!.steps[0]!.nodes[0]!.panel?.render(80) ?? [];
	});
	const result = await run.run([makeStage('test', [step])], {renderer: 'store', store});
	t.false(rows.join('\n').includes(secret));
	t.regex(rows[0] ?? '', /^password \S+ leader$/);
	t.false(readFileSync(path.join(result.logDir, 'pg-node-1.log'), 'utf8').includes(secret));
});
