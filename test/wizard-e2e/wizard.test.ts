/**
 * The wizard as a student drives it, in Russian, in a real terminal (tmux) against the lab: setup
 * answers typed at 80×24, Ctrl+C in the middle of a stage (exit 130, resumable), resume with a new
 * host key whose question waits five minutes, a node powered off mid-run, the first arrow key in the
 * failure dialog, Retry once the node is back, the test stage and the summary; then a last start at
 * 100×30 that re-checks every stage. The scrollback of each whole run holds every stage's final line
 * exactly once, in order, and no row the terminal had to wrap.
 */
import test, {type ExecutionContext} from 'ava';
import {mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {courseStages} from '../../steps/index.ts';
import type {Stage} from '../../source/core/stage.ts';
import {labCli, labSwitchNetns, requireLab, useLab, labSshPassword, labSshUser} from '../helpers/lab.ts';
import {history, killPane, screen, sendKeys, sleep, startPane, typeText, waitForExit, waitForScreen, type Pane} from '../helpers/tmux.ts';

useLab(test);

const bin = fileURLToPath(new URL('../../source/bin.js', import.meta.url));
const minutes = (value: number) => value * 60_000;
const spinning = '[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]';
/** How long the host-key question is left open: longer than sshd's LoginGraceTime (120 s). */
const hostKeyWaitMs = minutes(5);

function startWizard(dir: string, home: string, run: number, size: {columns: number; rows: number}): {pane: Pane; exitFile: string} {
	const exitFile = path.join(dir, `exit-${run}`);
	// The wizard runs inside the lab's switch namespace, where the course's addresses are reachable,
	// as a student's computer reaches its bridged VMs. The password comes from the environment.
	// CI=true as on the CI machine: a terminal must still get live frames and questions there.
	// The test stage runs, narrowed to its first checks: every fault is proven on the same lab by
	// test/test-stage/lab.test.ts (this layout) and front-door.test.ts, and CI has one hour.
	const command = `cd ${dir} && env CI=true HOME=${home} LANG=C.UTF-8 PGHA_SSH_PASSWORD=${labSshPassword} PGHA_TEST_ONLY=replication,routing,switchover ${process.execPath} ${bin}; echo $? > ${exitFile}; sleep 600`;
	const pane = startPane(path.join(dir, `tmux-${run}.sock`), command, {netns: labSwitchNetns, ...size});
	return {pane, exitFile};
}

const small = {columns: 80, rows: 24};
const common = {columns: 100, rows: 30};

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What a student scrolling back sees: each stage's final row once, in order, and no wrapped row. */
function checkScrollback(t: ExecutionContext, pane: Pane, stages: readonly Stage[], columns: number, label: string): void {
	const scrollback = history(pane);
	const lines = scrollback.split('\n');
	const positions = stages.map(stage => {
		const pattern = new RegExp(`^[✔✖↷] ${escape(stage.title.ru)}( |$)`);
		const found = lines.flatMap((line, index) => (pattern.test(line) ? [index] : []));
		t.is(found.length, 1, `${label}: "${stage.title.ru}" has ${found.length} final rows\n${scrollback}`);
		return found[0] ?? -1;
	});
	t.deepEqual(positions, [...positions].sort((a, b) => a - b), `${label}: stages in their order`);
	t.deepEqual(lines.filter(line => [...line].length > columns), [], `${label}: no row longer than ${columns} columns`);
	t.notRegex(scrollback, /handles still open/, `${label}: nothing was left open`);
}

/** Frames for the note (PGHA_CAPTURE_DIR): what a student sees at each kind of moment. */
function keepFrame(name: string, frame: string): void {
	const dir = process.env.PGHA_CAPTURE_DIR;
	if (dir) writeFileSync(path.join(dir, `wizard-${name}.txt`), frame);
}

test.serial('in Russian at 80×24: setup, Ctrl+C, resume, a host key answered after five minutes, a node lost and retried, summary; then 100×30 re-checks every stage', async t => {
	if (!requireLab(t)) return;
	t.timeout(minutes(50));
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-wizard-'));
	const home = path.join(dir, 'home');
	const panes: Pane[] = [];
	t.teardown(async () => {
		for (const pane of panes) killPane(pane);
		await labCli(['start-node', '2']);
		if (!process.env.PGHA_TMUX_RAW) rmSync(dir, {recursive: true, force: true});
	});

	// Run 1: the setup questions, then Ctrl+C while packages install.
	const first = startWizard(dir, home, 1, small);
	panes.push(first.pane);
	await waitForScreen(first.pane, /Язык \/ Language/, 30_000);
	sendKeys(first.pane, 'Up', 'Enter'); // Русский (LANG=C.UTF-8 offers English first)
	await waitForScreen(first.pane, /Где будет кластер\?/, 10_000);
	sendKeys(first.pane, 'Enter'); // on my VMs: the practice lab has its own test (practice-lab.test.ts)
	await waitForScreen(first.pane, /Пользователь SSH на узлах/, 10_000);
	typeText(first.pane, labSshUser);
	sendKeys(first.pane, 'Enter');
	await waitForScreen(first.pane, /Как входить по SSH/, 10_000);
	sendKeys(first.pane, 'Enter'); // password
	for (let node = 1; node <= 3; node++) {
		await waitForScreen(first.pane, new RegExp(`IP узла ${node}`), 10_000);
		sendKeys(first.pane, 'Enter'); // the course's address, checked on port 22 right away
		await waitForScreen(first.pane, new RegExp(`Имя узла ${node}`), 15_000);
		sendKeys(first.pane, 'Enter');
	}

	await waitForScreen(first.pane, /Версия PostgreSQL/, 10_000);
	sendKeys(first.pane, 'Enter'); // auto
	await waitForScreen(first.pane, /Откуда ставить Patroni/, 10_000);
	sendKeys(first.pane, 'Down', 'Enter'); // package: pip would need the internet (the venv path has its own lab tests)
	await waitForScreen(first.pane, /Откуда ставить etcd/, 10_000);
	sendKeys(first.pane, 'Down', 'Down', 'Enter'); // package
	await waitForScreen(first.pane, /Вход в кластер/, 10_000);
	sendKeys(first.pane, 'Down', 'Enter'); // one HAProxy, as in the guide: the front door has its own lab test
	await waitForScreen(first.pane, /На каком узле HAProxy/, 10_000);
	sendKeys(first.pane, 'Enter');
	for (let node = 1; node <= 3; node++) {
		await waitForScreen(first.pane, /Доверять\?/, 30_000);
		sendKeys(first.pane, 'y', 'Enter');
		await sleep(300);
	}

	// The spinner in front of a stage's name: it is running (a pending one shows a dot).
	const running = await waitForScreen(first.pane, new RegExp(`${spinning} Установка пакетов`), minutes(3));
	t.regex(running, /Полные логи: /);
	await sleep(4000); // well inside the stage: apt runs for half a minute and more
	keepFrame('packages-80x24', screen(first.pane));
	sendKeys(first.pane, 'C-c');
	t.is(await waitForExit(first.exitFile, 120_000, first.pane), 130);
	const stopped = screen(first.pane);
	t.regex(stopped, /Прервано\. Прогресс сохранён/);
	t.notRegex(stopped, /handles still open/, 'nothing was left open');
	t.notRegex(stopped, /↻/, 'Ctrl+C is not shown as retries');
	t.true(existsSync(path.join(dir, 'pgha.yaml')), 'the answers were saved');

	// Run 2: pg-node-1's key forgotten (a VM re-created, say), so its question comes back and waits
	// five minutes; then a node powered off in the middle of the etcd stage.
	const knownHosts = path.join(dir, '.pgha', 'known_hosts');
	const ip1 = readFileSync(knownHosts, 'utf8').split('\n').find(line => /^\[?192\.168\.\d+\.30[\] ]/.test(line));
	t.truthy(ip1, 'pg-node-1 has a line in .pgha/known_hosts');
	writeFileSync(knownHosts, readFileSync(knownHosts, 'utf8').split('\n').filter(line => line !== ip1).join('\n'));
	const second = startWizard(dir, home, 2, small);
	panes.push(second.pane);
	const resume = await waitForScreen(second.pane, /Что делаем\?/, 30_000);
	t.regex(resume, /Эта установка уже начата/);
	t.regex(resume, /… Установка пакетов \(прервано\)/);
	t.regex(resume, /Продолжить с этапа «Установка пакетов»/);
	sendKeys(second.pane, 'Enter');
	const question = await waitForScreen(second.pane, /Новый узел pg-node-1 .*Доверять\?/s, 60_000);
	keepFrame('host-key-80x24', question);
	await sleep(hostKeyWaitMs);
	sendKeys(second.pane, 'y', 'Enter');
	const etcd = await waitForScreen(second.pane, new RegExp(`${spinning} Кластер etcd`), minutes(8), 500);
	t.notRegex(etcd, /оборвалось|Connection lost/, 'the connections made before the question still work');
	keepFrame('etcd-80x24', etcd);
	t.is((await labCli(['stop-node', '2'])).code, 0);
	const failure = await waitForScreen(second.pane, /Этап остановлен/, minutes(4), 20);
	// At once, as a student who knows what to choose: the first arrow must move the selection.
	sendKeys(second.pane, 'Down');
	const moved = await waitForScreen(second.pane, /❯ (Пропустить|Показать весь лог)/, 5000, 50);
	t.regex(failure, /❯ Повторить/);
	t.regex(failure, /Лог: /);
	keepFrame('failure-80x24', moved);
	t.is((await labCli(['start-node', '2'])).code, 0);
	await sleep(3000);
	sendKeys(second.pane, 'Up');
	await waitForScreen(second.pane, /❯ Повторить/, 5000, 50);
	sendKeys(second.pane, 'Enter'); // Retry
	const testing = await waitForScreen(second.pane, new RegExp(`${spinning} Проверка отказоустойчивости`), minutes(15), 1000);
	keepFrame('test-80x24', testing);
	// The test stage (replication, routing, a switchover) runs before the summary.
	const summary = await waitForScreen(second.pane, /Кластер готов/, minutes(10), 1000);
	keepFrame('summary-80x24', summary);
	t.regex(summary, /:5000/);
	t.regex(summary, /pgha test/);
	t.is(await waitForExit(second.exitFile, 120_000, second.pane), 0);
	checkScrollback(t, second.pane, courseStages({test: true}), small.columns, 'run 2 at 80×24');

	// Run 3 at 100×30: everything is done; continuing re-checks every stage and reaches the summary.
	const third = startWizard(dir, home, 3, common);
	panes.push(third.pane);
	await waitForScreen(third.pane, /Всё сделано: перепроверить кластер/, 30_000);
	sendKeys(third.pane, 'Enter');
	await waitForScreen(third.pane, /Кластер готов/, minutes(3), 500);
	t.is(await waitForExit(third.exitFile, 120_000, third.pane), 0);
	keepFrame('summary-100x30', screen(third.pane));
	checkScrollback(t, third.pane, courseStages(), common.columns, 'run 3 at 100×30');
});
