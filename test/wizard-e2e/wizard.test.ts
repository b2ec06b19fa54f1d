/**
 * The wizard as a student drives it, in a real terminal (tmux) against the lab: setup answers typed,
 * Ctrl+C in the middle of a stage (exit 130, resumable), resume, a node powered off mid-run, Retry
 * once it is back, the summary with a healthy cluster, and a last start that finishes at once.
 */
import test from 'ava';
import {mkdtempSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {labCli, labSwitchNetns, requireLab, useLab, labSshPassword, labSshUser} from '../helpers/lab.ts';
import {killPane, screen, sendKeys, sleep, startPane, typeText, waitForExit, waitForScreen, type Pane} from '../helpers/tmux.ts';

useLab(test);

const bin = fileURLToPath(new URL('../../source/bin.js', import.meta.url));
const minutes = (value: number) => value * 60_000;
const spinning = '[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]';

function startWizard(dir: string, home: string, run: number): {pane: Pane; exitFile: string} {
	const exitFile = path.join(dir, `exit-${run}`);
	// The wizard runs inside the lab's switch namespace, where the course's addresses are reachable,
	// as a student's computer reaches its bridged VMs. The password comes from the environment.
	// CI=true as on the CI machine: a terminal must still get live frames and questions there.
	// The test stage runs, narrowed to its first checks: every fault is proven on the same lab by
	// test/test-stage/lab.test.ts (this layout) and front-door.test.ts, and CI has one hour.
	const command = `cd ${dir} && env CI=true HOME=${home} LANG=C.UTF-8 PGHA_SSH_PASSWORD=${labSshPassword} PGHA_TEST_ONLY=replication,routing,switchover ${process.execPath} ${bin}; echo $? > ${exitFile}; sleep 600`;
	const pane = startPane(path.join(dir, `tmux-${run}.sock`), command, {netns: labSwitchNetns, columns: 110, rows: 32});
	return {pane, exitFile};
}

test.serial('setup, Ctrl+C, resume, a node lost and retried, summary, then resume at once', async t => {
	if (!requireLab(t)) return;
	t.timeout(minutes(45));
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-wizard-'));
	const home = path.join(dir, 'home');
	const panes: Pane[] = [];
	t.teardown(async () => {
		for (const pane of panes) killPane(pane);
		await labCli(['start-node', '2']);
		if (!process.env.PGHA_TMUX_RAW) rmSync(dir, {recursive: true, force: true});
	});

	// Run 1: the setup questions, then Ctrl+C while packages install.
	const first = startWizard(dir, home, 1);
	panes.push(first.pane);
	await waitForScreen(first.pane, /Язык \/ Language/, 30_000);
	sendKeys(first.pane, 'Enter'); // English: the default from LANG=C.UTF-8
	await waitForScreen(first.pane, /SSH user on the nodes/, 10_000);
	typeText(first.pane, labSshUser);
	sendKeys(first.pane, 'Enter');
	await waitForScreen(first.pane, /How to log in over SSH/, 10_000);
	sendKeys(first.pane, 'Enter'); // password
	for (let node = 1; node <= 3; node++) {
		await waitForScreen(first.pane, new RegExp(`IP of node ${node}`), 10_000);
		sendKeys(first.pane, 'Enter'); // the course's address, checked on port 22 right away
		await waitForScreen(first.pane, new RegExp(`Name of node ${node}`), 15_000);
		sendKeys(first.pane, 'Enter');
	}

	await waitForScreen(first.pane, /PostgreSQL version/, 10_000);
	sendKeys(first.pane, 'Enter'); // auto
	await waitForScreen(first.pane, /Where to install Patroni from/, 10_000);
	sendKeys(first.pane, 'Down', 'Enter'); // package: the lab has no internet for pip
	await waitForScreen(first.pane, /Where to install etcd from/, 10_000);
	sendKeys(first.pane, 'Down', 'Down', 'Enter'); // package
	await waitForScreen(first.pane, /The way into the cluster/, 10_000);
	sendKeys(first.pane, 'Down', 'Enter'); // one HAProxy, as in the guide: the front door has its own lab test
	await waitForScreen(first.pane, /Which node runs HAProxy/, 10_000);
	sendKeys(first.pane, 'Enter');
	for (let node = 1; node <= 3; node++) {
		await waitForScreen(first.pane, /Trust it\?/, 30_000);
		sendKeys(first.pane, 'y', 'Enter');
		await sleep(300);
	}

	// The spinner in front of a stage's name: it is running (a pending one shows a dot).
	const running = await waitForScreen(first.pane, new RegExp(`${spinning} Package installation`), minutes(3));
	t.regex(running, /Full logs: /);
	await sleep(4000); // well inside the stage: apt runs for half a minute and more
	sendKeys(first.pane, 'C-c');
	t.is(await waitForExit(first.exitFile, 120_000, first.pane), 130);
	const stopped = screen(first.pane);
	t.regex(stopped, /Interrupted\. Progress saved/);
	t.notRegex(stopped, /handles still open/, 'nothing was left open');
	t.notRegex(stopped, /↻/, 'Ctrl+C is not shown as retries');
	t.true(existsSync(path.join(dir, 'pgha.yaml')), 'the answers were saved');

	// Run 2: the resume screen, then a node powered off in the middle of the etcd stage.
	const second = startWizard(dir, home, 2);
	panes.push(second.pane);
	const resume = await waitForScreen(second.pane, /What next\?/, 30_000);
	t.regex(resume, /This setup was started before/);
	t.regex(resume, /Package installation.*interrupted/);
	t.regex(resume, /Continue from "Package installation"|Continue from/);
	sendKeys(second.pane, 'Enter');
	await waitForScreen(second.pane, new RegExp(`${spinning} etcd cluster`), minutes(8), 500);
	t.is((await labCli(['stop-node', '2'])).code, 0);
	const failure = await waitForScreen(second.pane, /The stage stopped/, minutes(4), 500);
	t.regex(failure, /Retry/);
	t.regex(failure, /Log: /);
	t.is((await labCli(['start-node', '2'])).code, 0);
	await sleep(3000);
	sendKeys(second.pane, 'Enter'); // Retry
	// The test stage (replication, routing, a switchover) runs before the summary.
	const summary = await waitForScreen(second.pane, /The cluster is ready/, minutes(20), 1000);
	t.regex(summary, /leader/);
	t.regex(summary, /:5000/);
	t.regex(summary, /pgha test/);
	t.is(await waitForExit(second.exitFile, 120_000, second.pane), 0);
	t.notRegex(screen(second.pane), /handles still open/, 'nothing was left open');

	// Run 3: everything is done; continuing re-checks and reaches the summary again.
	const third = startWizard(dir, home, 3);
	panes.push(third.pane);
	await waitForScreen(third.pane, /All done: check the cluster again/, 30_000);
	sendKeys(third.pane, 'Enter');
	await waitForScreen(third.pane, /The cluster is ready/, minutes(2), 500);
	t.is(await waitForExit(third.exitFile, 120_000, third.pane), 0);
	t.notRegex(screen(third.pane), /handles still open/, 'nothing was left open');
	writeFileSync(path.join(dir, 'last-screen.txt'), screen(third.pane));
});
