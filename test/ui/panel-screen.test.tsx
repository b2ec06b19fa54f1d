/**
 * The drill view: a running node's live panel (StepContext.panel) on the run screen, in place of its
 * output tail, within the smallest terminal students have (80×24).
 */
import test from 'ava';
import {EventEmitter} from 'node:events';
import {render} from 'ink';
import type {Panel} from '../../source/core/panel.ts';
import type {NodeView, StageView} from '../../source/engine/store.ts';
import {RunScreen} from '../../source/ui/run-screen.tsx';
import {createUiStore} from '../../source/ui/ui-store.ts';
import {runFeed, tick, type TestFeed} from '../helpers/ui-fixtures.ts';

class Terminal extends EventEmitter {
	isTTY = false;
	frames: string[] = [];
	constructor(
		public columns: number,
		public rows: number,
	) {
		super();
	}

	write = (frame: string) => {
		this.frames.push(frame);
		return true;
	};

	lastFrame = () => this.frames.at(-1) ?? '';
}

class Keys extends EventEmitter {
	isTTY = true;
	setEncoding() {}
	setRawMode() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
	read() {
		return null;
	}
}

/** `count` rows as wide as asked, each naming its number ("row 00 ..."), counting how often it is drawn. */
function drillPanel(count: number, label = 'ttl 30'): Panel & {renders: number} {
	return {
		plain: `leader pg-node-1 ${label}`,
		renders: 0,
		render(width) {
			this.renders++;
			return Array.from({length: count}, (_, index) => `row ${String(index).padStart(2, '0')} ${label} ${'='.repeat(200)}`.slice(0, width));
		},
	};
}

const tail = Array.from({length: 50}, (_, index) => `output line ${index}`);
const explain = 'Kills the leader\'s Patroni and watches the cluster: the leader key expires, a replica takes the lock and HAProxy sends writes to it. '.repeat(3);

function testStage(panel: Panel | undefined): StageView {
	const node = (name: string, running: boolean): NodeView => ({
		node: name,
		status: running ? 'running' : 'pending',
		retries: 0,
		tail: running ? tail.map(text => ({text, stream: 'stdout' as const})) : [],
		lineCount: running ? tail.length : 0,
		...(running ? {command: 'curl -s http://192.168.0.31:8008/patroni'} : {}),
		...(running && panel ? {panel} : {}),
	});
	return {
		id: 'test',
		title: {ru: 'Тестирование кластера', en: 'Cluster tests'},
		status: 'running',
		startedAt: Date.now() - 40_000,
		steps: [{
			id: 'failover-kill',
			title: {ru: 'Отказ лидера', en: 'The leader fails'},
			explain: {ru: explain, en: explain},
			status: 'running',
			nodes: [node('pg-node-1', true), node('pg-node-2', false), node('pg-node-3', false)],
		}],
	};
}

function mount(terminal: Terminal, feed: TestFeed) {
	return render(<RunScreen feed={feed} store={createUiStore()} lang="en" />, {stdout: terminal as never, stdin: new Keys() as never, debug: true, exitOnCtrlC: false, patchConsole: false});
}

function fits(t: {true(value: boolean, message?: string): void}, frame: string, columns: number, rows: number) {
	const lines = frame.split('\n');
	t.true(lines.length < rows, `${lines.length} lines on a ${rows}-row terminal`);
	const widest = Math.max(...lines.map(line => line.replace(/\u001B\[[\d;]*m/g, '').length));
	t.true(widest <= columns, `a line of ${widest} columns on a ${columns}-column terminal`);
}

test('a running node\'s panel stands in place of its output tail', async t => {
	const terminal = new Terminal(80, 24);
	const app = mount(terminal, runFeed([testStage(drillPanel(4))]));
	await tick();
	const frame = terminal.lastFrame();
	for (let row = 0; row < 4; row++) t.true(frame.includes(`  row 0${row} ttl 30`), `row ${row}`);
	t.false(frame.includes('output line'), 'no output line under a panel');
	app.unmount();
});

test('a twelve-row drill panel is shown whole and fits an 80×24 terminal', async t => {
	const terminal = new Terminal(80, 24);
	const app = mount(terminal, runFeed([testStage(drillPanel(12))]));
	await tick();
	fits(t, terminal.lastFrame(), 80, 24);
	for (let row = 0; row < 12; row++) t.regex(terminal.lastFrame(), new RegExp(`row ${String(row).padStart(2, '0')} ttl 30`));
	app.unmount();
});

test('a panel taller than the room left keeps its first rows and the frame fits 80×24', async t => {
	const terminal = new Terminal(80, 24);
	const app = mount(terminal, runFeed([testStage(drillPanel(40))]));
	await tick();
	fits(t, terminal.lastFrame(), 80, 24);
	t.true(terminal.lastFrame().includes('row 00 ttl 30'));
	t.false(terminal.lastFrame().includes('row 39 ttl 30'));
	app.unmount();
});

test('a panel is drawn once per object: beats of the clock do not draw it again, a new object does', async t => {
	const terminal = new Terminal(80, 24);
	const first = drillPanel(12);
	const feed = runFeed([testStage(first)]);
	const app = mount(terminal, feed);
	await tick();
	for (let beat = 0; beat < 5; beat++) {
		feed.beat();
		await tick(20);
	}

	t.is(first.renders, 1);
	const second = drillPanel(12, 'ttl 29');
	feed.show([testStage(second)]);
	await tick();
	t.is(second.renders, 1);
	t.true(terminal.lastFrame().includes('row 00 ttl 29'));
	app.unmount();
});
