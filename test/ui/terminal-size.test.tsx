/**
 * The smallest terminal the students may have (80×24, a fresh Windows console) and a resize while a
 * stage runs: the frame always fits, or Ink would clear the screen on every repaint.
 */
import test from 'ava';
import {EventEmitter} from 'node:events';
import {render} from 'ink';
import {RunScreen} from '../../source/ui/run-screen.tsx';
import {createUiStore} from '../../source/ui/ui-store.ts';
import {runFeed, stage, tick, waitFor, type TestFeed} from '../helpers/ui-fixtures.ts';

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
	resize(columns: number, rows: number) {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
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

const longApt = Array.from({length: 300}, (_, index) => `Get:${index} http://deb.debian.org/debian bookworm/main amd64 postgresql-15 amd64 15.20-0+deb12u1 [${index} kB] ${'x'.repeat(90)}`);
const pending = ['patroni', 'etcd', 'cluster', 'haproxy', 'test'].map(id => stage(id, 'pending'));

function mount(terminal: Terminal, feed: TestFeed, store: ReturnType<typeof createUiStore>) {
	return render(<RunScreen feed={feed} store={store} lang="ru" />, {stdout: terminal as never, stdin: new Keys() as never, debug: true, exitOnCtrlC: false, patchConsole: false});
}

function fits(t: {true(value: boolean, message?: string): void}, frame: string, columns: number, rows: number) {
	const lines = frame.split('\n');
	t.true(lines.length < rows, `${lines.length} lines on a ${rows}-row terminal`);
	const widest = Math.max(...lines.map(line => line.replace(/\u001B\[[\d;]*m/g, '').length));
	t.true(widest <= columns, `a line of ${widest} columns on a ${columns}-column terminal`);
}

test('apt output on three nodes fits an 80×24 terminal', async t => {
	const terminal = new Terminal(80, 24);
	const feed = runFeed([stage('packages', 'running', 'running', longApt), ...pending]);
	const store = createUiStore();
	const app = mount(terminal, feed, store);
	await tick();
	fits(t, terminal.lastFrame(), 80, 24);
	t.regex(terminal.lastFrame(), /Get:299 /, 'the newest line is there');
	app.unmount();
});

test('apt output and a progress bar on every node fit an 80×24 terminal, the bars on screen', async t => {
	const terminal = new Terminal(80, 24);
	const base = stage('packages', 'running', 'running', longApt);
	const progress = {figures: {phase: {ru: 'apt: распаковка', en: 'apt: unpacking'}, unit: 'packages' as const, done: 38, total: 66}, since: Date.now() - 21_000};
	const withBars = {...base, steps: [{...base.steps[0]!, nodes: base.steps[0]!.nodes.map(node => ({...node, progress}))}]};
	const feed = runFeed([withBars, ...pending]);
	const store = createUiStore();
	const app = mount(terminal, feed, store);
	await tick();
	fits(t, terminal.lastFrame(), 80, 24);
	for (const node of ['pg-node-1', 'pg-node-2', 'pg-node-3']) t.regex(terminal.lastFrame(), new RegExp(`${node} apt: распаковка █+░+  38/66 пакетов`));
	app.unmount();
});

test('the failure prompt fits an 80×24 terminal with its choices visible', async t => {
	const terminal = new Terminal(80, 24);
	const feed = runFeed([stage('packages', 'failed', 'failed', longApt), ...pending]);
	const store = createUiStore();
	const app = mount(terminal, feed, store);
	void store.ask({kind: 'failure', stage: {ru: 'Установка пакетов', en: 'Packages'}, error: 'pg-node-2: apt-get failed', tail: longApt, logFile: '/tmp/logs/pg-node-2.log', canSkip: false});
	await tick();
	fits(t, terminal.lastFrame(), 80, 24);
	for (const text of ['Повторить', 'Выйти']) t.true(terminal.lastFrame().includes(text), text);
	app.unmount();
});

test('after the terminal shrinks, the next frame fits the new size', async t => {
	const terminal = new Terminal(100, 30);
	const feed = runFeed([stage('packages', 'running', 'running', longApt), ...pending]);
	const store = createUiStore();
	const app = mount(terminal, feed, store);
	await tick();
	terminal.resize(80, 16);
	feed.beat();
	await waitFor(() => terminal.lastFrame().split('\n').length < 16);
	fits(t, terminal.lastFrame(), 80, 16);
	app.unmount();
});

test('a failure in the first of twelve stages leaves the dialog whole on an 80×24 terminal', async t => {
	const terminal = new Terminal(80, 24);
	const later = Array.from({length: 11}, (_, index) => stage(`later-${index}`, 'pending'));
	const feed = runFeed([stage('vm-checks', 'failed', 'failed', longApt), ...later]);
	const store = createUiStore();
	const app = mount(terminal, feed, store);
	void store.ask({kind: 'failure', stage: {ru: 'Проверка виртуальных машин', en: 'VM checks'}, error: 'pg-node-2: порт 5432 занят', tail: longApt, logFile: '/tmp/logs/pg-node-2.log', canSkip: false});
	await tick();
	fits(t, terminal.lastFrame(), 80, 24);
	t.regex(terminal.lastFrame(), /· дальше: Этап later-0, Этап later-1/);
	for (const text of ['Этап остановлен', 'Повторить', 'Выйти', 'Лог: /tmp/logs/pg-node-2.log']) t.true(terminal.lastFrame().includes(text), text);
	app.unmount();
});
