/**
 * The first five minutes of a student with no VMs: `pgha` in an empty folder on a machine where no
 * lab was ever built (PGHA_LAB_CACHE points at an empty folder, so the build really downloads and
 * builds), in a real terminal (tmux, 80×24). The student chooses the practice lab and accepts every
 * default. The screen shows the build's progress bar moving; no other question comes (no password,
 * no host key); every stage and the whole test stage (every fault on the default front door) pass; the summary shows a leader and two
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
import {predictOutage} from '../../source/cluster-test/prediction.ts';
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
interface DrillWatch {
	readonly last: string;
	/** A frame with the whole drill panel on it (title to the writes strip). */
	readonly frame?: string;
	/** Times one leader's TTL was seen lower than in the frame before. */
	readonly countdowns: number;
	readonly leaders: ReadonlySet<string>;
	readonly seen: readonly string[];
}

/** Polls the pane until `done` shows, reading the drill panel's key row and writes row from each frame. */
async function watchDrill(pane: Pane, done: RegExp, timeoutMs: number): Promise<DrillWatch> {
	const deadline = Date.now() + timeoutMs;
	let frame: string | undefined;
	let countdowns = 0;
	let previous: {leader: string; ttl: number} | undefined;
	const leaders = new Set<string>();
	const seen: string[] = [];
	for (;;) {
		const current = screen(pane);
		if (done.test(current)) return {last: current, ...(frame ? {frame} : {}), countdowns, leaders, seen};
		if (Date.now() > deadline) throw new Error(`${done} did not show within ${timeoutMs / 1000} s:\n${current}`);
		const key = /etcd leader key: (\S+) TTL (\d+) s/.exec(current);
		if (key) {
			const now = {leader: key[1]!, ttl: Number(key[2])};
			leaders.add(now.leader);
			if (previous && previous.leader === now.leader && now.ttl < previous.ttl) countdowns++;
			if (seen.at(-1) !== `${now.leader} ${now.ttl}` && seen.length < 200) seen.push(`${now.leader} ${now.ttl}`);
			previous = now;
			if (/writes\/s /.test(current) && /\+\d+\.\d s/.test(current)) frame ??= current;
		}

		await sleep(500);
	}
}

function barFigures(frame: string): string | undefined {
	const row = frame.split('\n').find(line => /[█▓▒░■□=#-]{3,}.*\d/.test(line) && /\d+ ?%|\d+\/\d+/.test(line));
	return row?.replace(/\s+/g, ' ').trim();
}

test.serial('no VMs, no lab built, no cluster file: the practice lab with every default reaches a healthy, tested cluster', async t => {
	if (!requireLab(t)) return;
	t.timeout(minutes(65));
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
	// The whole test stage runs, every fault on the default front door (HAProxy on every node behind a
	// floating address); this is the only CI run of those faults with the default timing.
	const command = `cd ${dir} && env -u PGHA_SSH_PASSWORD CI=true HOME=${home} LANG=C.UTF-8 PGHA_LAB_CACHE=${cache} ${process.execPath} ${bin}; echo $? > ${exitFile}; sleep 600`;
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

	// Until the summary: every half second, what the drill screen shows while a fault runs.
	const drill = await watchDrill(pane, /The cluster is ready/, minutes(50));
	const summary = drill.last;
	keepFrame('summary-80x24', summary);
	if (drill.frame) keepFrame('drill-80x24', drill.frame);
	t.truthy(drill.frame, 'the drill screen was shown while a fault ran');
	t.true(drill.countdowns > 0, `the leader key's TTL counted down on the drill screen: ${drill.seen.join(' | ')}`);
	t.true(drill.leaders.size >= 2, `the drill screen showed the leader key change hands: ${[...drill.leaders].join(', ')}`);
	t.is(await waitForExit(exitFile, 120_000, pane), 0);
	const scrollback = history(pane);
	t.notRegex(scrollback, /Trust it\?|password of student/i, 'no host-key or password question for the lab');
	t.notRegex(scrollback, /^✖ /m, 'no stage failed');
	for (const stage of courseStages({test: true})) t.regex(scrollback, new RegExp(`^✔ ${stage.title.en.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
	t.regex(summary, /leader\s+running/);
	t.is(summary.match(/replica\s+streaming/g)?.length, 2, summary);
	t.regex(summary, /sudo pgha lab down/);
	t.regex(summary, /pgha doctor -c \S+pgha\.yaml/);
	t.regex(summary, /pgha practice -c \S+pgha\.yaml/);
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

	// The test stage's report (the first run's): every check passed, every fault ran.
	const reports = path.join(dir, '.pgha', 'reports');
	const [latest] = readdirSync(reports).sort().reverse();
	const reportDir = path.join(reports, latest!);
	const report = JSON.parse(readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as TestReport;
	t.true(report.complete);
	t.deepEqual(report.checks.filter(check => !check.ok), []);
	t.like(report.settings, {ttl: 30, loopWait: 10, inter: '3s', synchronousMode: false});
	t.deepEqual(report.faults.map(fault => [fault.kind, fault.skipped]), [
		['graceful', undefined], ['kill', undefined], ['poweroff', undefined], ['cut', undefined], ['entry-haproxy', undefined], ['entry-poweroff', undefined],
	]);
	const fault = (kind: string) => report.faults.find(item => item.kind === kind)!;
	for (const kind of ['graceful', 'kill', 'poweroff', 'cut']) t.truthy(fault(kind).outageMs, `${kind}: the outage was measured`);
	// The leader faults hit the node holding the VIP: for power off and cut the VIP had to move.
	for (const kind of ['graceful', 'kill', 'poweroff', 'cut']) t.is(fault(kind).entry?.vipBefore, fault(kind).victim, `${kind}: the leader held the VIP`);
	for (const kind of ['poweroff', 'cut', 'entry-haproxy', 'entry-poweroff']) {
		const entry = fault(kind).entry!;
		t.truthy(entry.vipAfter, `${kind}: the VIP moved`);
		t.not(entry.vipAfter, fault(kind).victim);
		t.is(entry.holdersAfterHeal?.length, 1, `${kind}: one holder after the heal`);
		t.true(entry.multiHostOutageMs !== null && entry.readOutageMs !== null);
	}

	// Every fault's outage is cut into phases read on the nodes, which add up to it within 0.5 s,
	// and the default timing's prediction holds the measured figure.
	for (const item of report.faults) {
		const phases = item.phases;
		t.truthy(phases, `${item.kind}: phases measured`);
		if (!phases) continue;
		t.deepEqual(phases.phases.filter(phase => phase.ms === null).map(phase => `${phase.id}: ${phase.evidence.en}`), [], `${item.kind}: every phase read on the nodes`);
		t.true(phases.gapMs <= 500, `${item.kind}: phases sum to ${phases.sumMs} ms of an outage of ${item.outageMs} ms`);
		const predicted = predictOutage(report.settings, item.kind, {vip: true})!;
		t.true(item.outageMs! >= predicted.minMs && item.outageMs! <= predicted.maxMs, `${item.kind}: ${item.outageMs} ms within the predicted ${predicted.minMs}-${predicted.maxMs} ms`);
		t.log(`${item.kind}: outage ${item.outageMs} ms (predicted ${predicted.minMs}-${predicted.maxMs}); ${phases.phases.map(phase => `${phase.id} ${phase.ms}`).join(', ')}`);
	}

	// Losing the door alone moves no leader.
	for (const kind of ['entry-haproxy', 'entry-poweroff']) t.is(fault(kind).entry!.leaderAfter, fault(kind).entry!.leaderBefore);
	// etcd down everywhere: Patroni's failsafe keeps the leader writable and promotes nobody.
	t.like(report.failsafe, {failsafeMode: true, promoted: []});
	t.true((report.failsafe?.ackedWhileDown ?? 0) > 0, 'writes went on while etcd was down');
	// Asynchronous replication (the default): a loss is allowed but must be counted, not guessed.
	t.false(report.dataSafety!.expectZeroLoss);
	t.is(typeof report.dataSafety!.lost, 'number');
	t.true(readFileSync(path.join(reportDir, 'entry-poweroff.svg'), 'utf8').includes('VIP moved'));
});
