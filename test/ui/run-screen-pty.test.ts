/**
 * The run screen in a real terminal (tmux) at the smallest size students have and a common one, in
 * Russian, fed by a scripted engine (test/fixtures/scripted-run.ts): what stays in the scrollback,
 * whether any row is wrapped by the terminal, and whether the first key in a dialog counts.
 */
import test from 'ava';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {stages} from '../fixtures/scripted-run-plan.ts';
import {history, killPane, screen, sendKeys, startPane, waitForScreen} from '../helpers/tmux.ts';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const script = fileURLToPath(new URL('../fixtures/scripted-run.ts', import.meta.url));

interface Run {
	readonly answers: string;
	readonly scrollback: string;
	/** Screens captured on the way, by name. */
	readonly seen: Readonly<Record<string, string>>;
}

/**
 * Screens to capture, by the script's hold points (scripted-run.ts: a stage's id while it runs,
 * before-<id> just before it starts): the script waits there until the screen was read.
 */
interface Captures {
	readonly early?: Readonly<Record<string, RegExp>>;
	readonly late?: Readonly<Record<string, RegExp>>;
}

/** The whole scripted run: Down + Enter in the first dialog (skip), q in the second (quit). */
async function scriptedRun(columns: number, rows: number, captures: Captures = {}): Promise<Run> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-run-pty-'));
	const answers = path.join(dir, 'answers');
	writeFileSync(answers, '');
	const holds = [...Object.keys(captures.early ?? {}), ...Object.keys(captures.late ?? {})].join(',');
	const pane = startPane(path.join(dir, 'tmux.sock'), `cd ${projectDir} && LANG=C.UTF-8 PGHA_HOLD=${holds} ${process.execPath} --import=tsx ${script} ${answers} ru; echo "exit $?"; sleep 60`, {columns, rows});
	try {
		const seen: Record<string, string> = {};
		const look = async (name: string, pattern: RegExp) => {
			seen[name] = await waitForScreen(pane, pattern, 30_000);
			writeFileSync(`${answers}.${name}`, '');
		};

		for (const [name, pattern] of Object.entries(captures.early ?? {})) await look(name, pattern);
		seen['dialog'] = await waitForScreen(pane, /Этап остановлен: Установка Patroni/, 30_000, 20);
		// At once, as a student who already knows what to choose: the first arrow must move the selection.
		sendKeys(pane, 'Down');
		sendKeys(pane, 'Enter');
		for (const [name, pattern] of Object.entries(captures.late ?? {})) await look(name, pattern);
		await waitForScreen(pane, /Этап остановлен: Тестирование кластера/, 30_000);
		sendKeys(pane, 'q');
		await waitForScreen(pane, /^exit \d+/m, 30_000);
		if (process.env.PGHA_CAPTURE_DIR) {
			for (const [name, frame] of Object.entries({...seen, final: screen(pane)})) writeFileSync(path.join(process.env.PGHA_CAPTURE_DIR, `${columns}x${rows}-${name}.txt`), frame);
		}

		return {answers: readFileSync(answers, 'utf8'), scrollback: history(pane), seen};
	} finally {
		killPane(pane);
		rmSync(dir, {recursive: true, force: true});
	}
}

const finalGlyphs = '[✔✖↷]';
function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

for (const [columns, rows] of [[80, 24], [100, 30]] as const) {
	test(`${columns}×${rows}: every stage's final line is in the scrollback exactly once, in order; no row wrapped; the first arrow counts; nothing left open`, async t => {
		const run = await scriptedRun(columns, rows, columns === 80 ? {
			early: {'vm-checks': /1796175270308|\d\d:\d\d:\d\d\.308/, packages: /Get:39 /},
			late: {etcd: /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Кластер etcd/, haproxy: /HAProxy: primary pg-node-1 UP/, test: /записей подтверждено: 16060/},
		} : {});
		const lines = run.scrollback.split('\n');
		const positions = stages.map(stage => {
			const pattern = new RegExp(`^${finalGlyphs} ${escape(stage.title.ru)}( |$)`);
			const found = lines.flatMap((line, index) => (pattern.test(line) ? [index] : []));
			t.is(found.length, 1, `${stage.title.ru}: ${found.length} final lines\n${run.scrollback}`);
			return found[0] ?? -1;
		});
		t.deepEqual(positions, [...positions].sort((a, b) => a - b), 'in the order of the stages');
		const wrapped = lines.filter(line => [...line].length > columns);
		t.deepEqual(wrapped, [], 'no row longer than the terminal');
		t.is(run.answers, 'patroni-install skip\ntest quit\nfinished\n', 'Down then Enter chose "Пропустить"');
		t.notRegex(run.scrollback, /handles still open/);
		t.regex(run.scrollback, /^exit 0$/m);
	});
}

test('80×24: the live block says what the probe\'s and HAProxy\'s records mean, not the records', async t => {
	const run = await scriptedRun(80, 24, {late: {haproxy: /HAProxy: primary/, test: /записей подтверждено: 16060/}});
	t.regex(run.seen['haproxy']!, /HAProxy: primary pg-node-1 UP, pg-node-2 DOWN, pg-node-3 DOWN/);
	t.notRegex(run.seen['haproxy']!, /pxname|,UP,|BACKEND/);
	t.regex(run.seen['test']!, /нагрузка pgbench, отрезок 9: 812 транзакций/);
	t.notRegex(run.seen['test']!, /ack \d+ \d+|seg 9|\d{13}/);
});
