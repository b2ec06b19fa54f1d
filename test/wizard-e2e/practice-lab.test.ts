/**
 * The first five minutes of a student with no VMs: `pgha` in an empty folder on a machine where no
 * lab was ever built (PGHA_LAB_CACHE points at an empty folder, so the build really downloads and
 * builds), in a real terminal (tmux, 80×24). The student chooses the practice lab and accepts every
 * default. The screen shows the build's progress bar moving; no other question comes (no password,
 * no host key); every stage and the test stage (a switchover and a killed leader among its tests) pass; the summary shows a leader and two
 * streaming replicas and how to power the lab off. Then the lab is powered off, and the same
 * command brings it back and re-checks every stage. The default lab is put back for the files after
 * this one.
 */
import test from 'ava';
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {TestReport} from '../../source/cluster-test/model.ts';
import {courseStages} from '../../steps/index.ts';
import {labCli, labClusterFile, labState, requireLab, useLab} from '../helpers/lab.ts';
import {history, killPane, screen, sendKeys, sleep, startPane, waitForExit, waitForScreen, type Pane} from '../helpers/tmux.ts';

useLab(test);

const bin = fileURLToPath(new URL('../../source/bin.js', import.meta.url));
const minutes = (value: number) => value * 60_000;
const size = {columns: 80, rows: 24};

/** Frames for the note (PGHA_CAPTURE_DIR). */
function keepFrame(name: string, frame: string): void {
	const dir = process.env.PGHA_CAPTURE_DIR;
	if (dir) writeFileSync(path.join(dir, `practice-lab-${name}.txt`), frame);
}

/** The numbers on the progress bar's row: they must change while the build runs. */
function barFigures(frame: string): string | undefined {
	const row = frame.split('\n').find(line => /[█▓▒░■□=#-]{3,}.*\d/.test(line) && /\d+ ?%|\d+\/\d+/.test(line));
	return row?.replace(/\s+/g, ' ').trim();
}

test.serial('no VMs, no lab built, no cluster file: the practice lab with every default reaches a healthy, tested cluster', async t => {
	if (!requireLab(t)) return;
	t.timeout(minutes(45));
	const restoreFile = labClusterFile() ?? '/tmp/pgha-ci-lab.yaml';
	const restoreRelease = labState()?.release ?? 'trixie';
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-practice-'));
	// On the disk of /var/cache, not a tmpfs: the build needs about 1 GB.
	const cache = mkdtempSync('/var/tmp/pgha-fresh-lab-');
	let pane: Pane | undefined;
	t.teardown(async () => {
		if (pane) killPane(pane);
		await labCli(['down']);
		await labCli(['up', '--release', restoreRelease, '-o', restoreFile], {timeoutMs: 600_000});
		rmSync(cache, {recursive: true, force: true});
		if (!process.env.PGHA_TMUX_RAW) rmSync(dir, {recursive: true, force: true});
	});

	const down = await labCli(['down']);
	t.is(down.code, 0, down.stderr);
	const exitFile = path.join(dir, 'exit');
	const home = path.join(dir, 'home');
	// Run as root in the host's namespace, as `sudo npm start` would; no password in the environment.
	// The test stage runs with a real failover (kill) and the data check: every fault on this layout
	// (the default front door) is proven by test/test-stage/front-door.test.ts, which takes a quarter
	// of an hour, and CI has one hour.
	const command = `cd ${dir} && env -u PGHA_SSH_PASSWORD CI=true HOME=${home} LANG=C.UTF-8 PGHA_LAB_CACHE=${cache} PGHA_TEST_ONLY=replication,routing,switchover,failover-kill,data-safety ${process.execPath} ${bin}; echo $? > ${exitFile}; sleep 600`;
	pane = startPane(path.join(dir, 'tmux.sock'), command, size);

	await waitForScreen(pane, /Язык \/ Language/, 30_000);
	sendKeys(pane, 'Enter'); // English, offered first under LANG=C.UTF-8
	const where = await waitForScreen(pane, /Where will the cluster live\?/, 10_000);
	t.notRegex(where, /not available/, 'the lab is offered on this machine');
	sendKeys(pane, 'Down', 'Enter');
	for (const question of [/PostgreSQL on the lab's nodes/, /How quickly to fail over/, /Synchronous replication/, /The way into the cluster/, /Floating address/]) {
		await waitForScreen(pane, question, 10_000);
		sendKeys(pane, 'Enter');
		await sleep(300);
	}

	// The build: a bar whose figures move (packages, bytes, rate, time left).
	const first = await waitForScreen(pane, /\d+\/\d+.*(MB|МБ)/, minutes(3), 250);
	const firstFigures = barFigures(first);
	t.truthy(firstFigures, `a progress bar while the lab is built:\n${first}`);
	keepFrame('build-80x24', first);
	let moved: string | undefined;
	for (let attempt = 0; attempt < 40 && !moved; attempt++) {
		await sleep(500);
		const figures = barFigures(screen(pane));
		if (figures && figures !== firstFigures) moved = figures;
	}
	t.truthy(moved, `the bar's figures moved from "${firstFigures}"`);

	const summary = await waitForScreen(pane, /The cluster is ready/, minutes(35), 2000);
	keepFrame('summary-80x24', summary);
	t.is(await waitForExit(exitFile, 120_000, pane), 0);
	const scrollback = history(pane);
	t.notRegex(scrollback, /Trust it\?|password of student/i, 'no host-key or password question for the lab');
	t.notRegex(scrollback, /^✖ /m, 'no stage failed');
	for (const stage of courseStages({test: true})) t.regex(scrollback, new RegExp(`^✔ ${stage.title.en.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
	t.regex(summary, /leader\s+running/);
	t.is(summary.match(/replica\s+streaming/g)?.length, 2, summary);
	t.regex(summary, /sudo pgha lab down/);
	const file = readFileSync(path.join(dir, 'pgha.yaml'), 'utf8');
	t.regex(file, /release: trixie/);
	t.regex(file, /vip: 192\.168\.0\.40/);
	// Resume: the lab powered off (as after a reboot); the same command brings it back and re-checks
	// every stage on the fresh nodes, with no question but what to do.
	killPane(pane);
	t.is((await labCli(['down'])).code, 0);
	const againExit = path.join(dir, 'exit-again');
	pane = startPane(path.join(dir, 'tmux-again.sock'), command.replace(`> ${exitFile}`, `> ${againExit}`), size);
	await waitForScreen(pane, /All done: check the cluster again/, minutes(3), 1000);
	t.regex(history(pane), /Nodes are booting/, 'the lab was brought back up first');
	sendKeys(pane, 'Enter');
	const again = await waitForScreen(pane, /The cluster is ready/, minutes(8), 2000);
	keepFrame('resumed-80x24', again);
	t.is(await waitForExit(againExit, 120_000, pane), 0);
	t.notRegex(history(pane), /Trust it\?|password of student|^✖ /im);
	t.regex(again, /leader\s+running/);

	// The test stage's report (the first run's): every check passed.
	const reports = path.join(dir, '.pgha', 'reports');
	const [latest] = readdirSync(reports).sort().reverse();
	const report = JSON.parse(readFileSync(path.join(reports, latest!, 'report.json'), 'utf8')) as TestReport;
	t.deepEqual(report.checks.filter(check => !check.ok), []);
	t.deepEqual(report.faults.map(fault => [fault.kind, fault.skipped]), [['kill', undefined]]);
	t.truthy(report.faults[0]!.outageMs, 'the failover\'s outage was measured');
	t.is(report.dataSafety?.lost, 0);
});
