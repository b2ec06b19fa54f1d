/**
 * The test stage on the lab, as a student runs it: fresh nodes, `pgha apply --yes`, then `pgha test`.
 * synchronous_mode is on (acknowledged writes must all survive) and HAProxy checks every second, so
 * the graceful outage stays well inside the 10 s this test demands.
 *
 * During the network-cut fault the cut-off leader's Patroni is frozen (SIGSTOP) past the step-down
 * bound, as on a host too busy to schedule it: the step-down comes late, and the report must call it
 * slow (not failed) and show what every node said and the frozen node's journal at the bound.
 */
import test from 'ava';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import type {TestReport} from '../../source/cluster-test/model.ts';
import {makeWorkdir, outputLines, psqlValue, readSecrets, runPgha} from '../helpers/e2e.ts';
import {stepDownBoundMs} from '../../source/cluster-test/bounds.ts';
import {inSwitch, labExec, labNodes, requireLab, useLab} from '../helpers/lab.ts';
import {sleep} from '../helpers/tmux.ts';

useLab(test);

const seconds = (ms: number | null) => (ms === null ? '—' : (ms / 1000).toFixed(1));

async function clusterMembers(): Promise<{name: string; host: string; role: string; state: string}[]> {
	for (const node of labNodes()) {
		const result = await inSwitch('curl', ['-s', '--max-time', '5', `http://${node.ip}:8008/cluster`], {timeoutMs: 20_000});
		if (result.code === 0 && result.stdout.trim().startsWith('{')) return (JSON.parse(result.stdout) as {members: {name: string; host: string; role: string; state: string}[]}).members;
	}

	return [];
}

/** The first capture of `pattern` in any run log under `logsDir`, polled until `stop()` says the run ended. */
async function logLine(logsDir: string, pattern: RegExp, stop: () => boolean): Promise<string | undefined> {
	while (!stop()) {
		for (const run of existsSync(logsDir) ? readdirSync(logsDir) : []) {
			for (const file of readdirSync(path.join(logsDir, run)).filter(name => name.endsWith('.log'))) {
				const match = pattern.exec(readFileSync(path.join(logsDir, run, file), 'utf8'));
				if (match) return match[1];
			}
		}

		await sleep(500);
	}

	return undefined;
}

/** Freezes Patroni's main process on `name` for `ms`, then lets it go on (what a starved host does to it). */
async function freezePatroni(name: string, ms: number): Promise<void> {
	const pid = (await labExec(name, 'systemctl show -p MainPID --value patroni')).stdout.trim();
	if (!/^[1-9]\d*$/.test(pid)) throw new Error(`no Patroni process on ${name}: ${pid}`);
	await labExec(name, `kill -STOP ${pid}`);
	try {
		await sleep(ms);
	} finally {
		await labExec(name, `kill -CONT ${pid}`);
	}
}

test.serial('pgha test proves a cluster built by pgha apply survives every fault, and its report holds what it printed', async t => {
	if (!requireLab(t)) return;
	t.timeout(25 * 60_000);
	const work = makeWorkdir('test-stage', doc => {
		doc['synchronous_mode'] = true;
		doc['haproxy'] = {...doc['haproxy'], inter: '1s'};
	});
	let passed = false;
	try {
		const apply = await runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes'], timeoutMs: 12 * 60_000});
		t.is(apply.code, 0, `apply failed:\n${apply.stderr}\n${outputLines(apply.stdout).slice(-30).join('\n')}`);
		if (apply.code !== 0) return;

		// The cut fault's leader is named in the run log just before the writer starts and the cable is
		// pulled; the test reads it there, as a student tailing the log would.
		let finished = false;
		const running = runPgha({cwd: work.dir, home: work.home, args: ['test'], timeoutMs: 17 * 60_000}).finally(() => (finished = true));
		const cutLeader = await logLine(path.join(work.dir, '.pgha', 'logs'), /# cut: the leader is (pg-node-\d+)/, () => finished);
		const frozen = cutLeader ? {node: cutLeader, done: freezePatroni(cutLeader, 105_000)} : undefined;
		const run = await running;
		await frozen?.done;
		t.truthy(frozen, 'the cut fault named its leader, whose Patroni was frozen');
		const lines = outputLines(run.stdout);
		const summaryAt = lines.indexOf('Test results:');
		const summary = summaryAt >= 0 ? lines.slice(summaryAt) : [];
		t.is(run.code, 0, `pgha test failed (${run.ms} ms):\n${run.stderr}\n${summary.join('\n') || lines.slice(-40).join('\n')}`);
		t.log(`pgha test took ${Math.round(run.ms / 1000)} s\n${summary.join('\n')}`);

		// The report the command pointed at.
		const reportLine = summary.find(line => line.trim().startsWith('Report: '));
		t.truthy(reportLine, 'the summary names the report file');
		if (!reportLine) return;
		const markdownFile = reportLine.trim().slice('Report: '.length);
		const dir = path.dirname(markdownFile);
		t.is(path.dirname(dir), path.join(work.dir, '.pgha', 'reports'));
		const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as TestReport;
		const markdownHas = (line: string) => readFileSync(markdownFile, 'utf8').includes(line);
		t.true(report.complete);
		t.deepEqual(report.checks.filter(check => !check.ok), []);
		t.log(`checks reported slow: ${JSON.stringify(report.checks.filter(check => check.slow).map(check => check.text.en))}`);

		// The settings that explain the figures are the cluster file's.
		t.like(report.settings, {ttl: 30, loopWait: 10, retryTimeout: 10, inter: '1s', fall: 3, rise: 2, synchronousMode: true});

		// The bounds the issue sets, from the writer's acknowledged writes.
		const fault = (kind: string) => report.faults.find(item => item.kind === kind)!;
		// The course's layout has one door: the front-door faults say why they did not run.
		const needsVip = {ru: 'нужен плавающий адрес (haproxy: {nodes: all, vip: ...})', en: 'needs a floating address (haproxy: {nodes: all, vip: ...})'};
		t.deepEqual(report.faults.map(item => [item.kind, item.skipped]), [
			['graceful', undefined], ['kill', undefined], ['poweroff', undefined], ['cut', undefined], ['entry-haproxy', needsVip], ['entry-poweroff', needsVip],
		]);
		const ran = report.faults.filter(item => !item.skipped);
		// etcd down everywhere: failsafe_mode (the default) kept the leader writable, nobody was promoted.
		t.like(report.failsafe, {failsafeMode: true, promoted: []});
		t.true((report.failsafe?.ackedWhileDown ?? 0) > 0);
		t.true(fault('graceful').outageMs! > 0 && fault('graceful').outageMs! < 10_000, `graceful outage ${fault('graceful').outageMs} ms`);
		const hardBound = (report.settings.ttl + report.settings.loopWait + 10) * 1000;
		for (const kind of ['kill', 'poweroff', 'cut']) {
			t.true(fault(kind).outageMs! > 0 && fault(kind).outageMs! < hardBound, `${kind} outage ${fault(kind).outageMs} ms`);
			t.true(fault(kind).timelineAfter! > fault(kind).timelineBefore!);
			t.true(fault(kind).rejoined && fault(kind).caughtUp);
		}

		// The cut-off leader took a write from its own side; pg_rewind threw it away on the rejoin.
		t.like(fault('cut').isolatedWrite, {accepted: true, gone: true});
		t.true(fault('cut').rewound);
		t.true(markdownHas(`| a write from a client on the cut-off leader's side | discarded on rejoin |`));

		// The frozen Patroni stepped down late: slow, not failed, with the evidence read at the bound.
		const cut = fault('cut');
		t.is(cut.victim, frozen?.node ?? '');
		t.is(cut.stepDownBoundMs, stepDownBoundMs(report.settings));
		t.true(cut.demotedMs! > cut.stepDownBoundMs!, `stepped down after ${cut.demotedMs} ms, bound ${cut.stepDownBoundMs} ms`);
		const slowStepDown = report.checks.find(check => check.slow && check.text.en.includes(`the cut-off ${cut.victim} stepped down by itself`));
		t.truthy(slowStepDown, 'the late step-down is a slow check');
		t.true(slowStepDown?.ok);
		const atBound = cut.evidence?.find(item => item.wait.en === `the cut-off ${cut.victim} steps down by itself`);
		t.truthy(atBound, 'evidence read when the step-down bound ran out');
		t.true(atBound!.afterMs >= atBound!.boundMs - 2000 && atBound!.afterMs < atBound!.boundMs + 30_000, `read at ${atBound!.afterMs} ms`);
		t.like(atBound!.nodes.find(answer => answer.name === cut.victim), {answered: false, inside: true}, 'the frozen Patroni did not answer, even from inside');
		t.true(atBound!.nodes.some(answer => answer.answered && answer.role === 'primary' && answer.name === cut.newLeader), JSON.stringify(atBound!.nodes));
		t.true((atBound!.journal?.lines.length ?? 0) > 0, 'the frozen node\'s journal');
		t.true(markdownHas('## Waits past their bound: what the cluster was doing'));
		t.true(markdownHas(`Patroni's journal on ${cut.victim}:`));
		t.true(summary.some(line => line.includes(`⚠ the cut-off ${cut.victim} steps down by itself: its bound of ${seconds(cut.stepDownBoundMs!)} s passed`)), summary.join('\n'));

		t.true(report.switchover!.oldLeaderStreaming);
		t.is(report.dataSafety!.lost, 0);
		t.true(report.dataSafety!.acknowledged > 100);
		t.is(report.dataSafety!.ackedChecksum, report.dataSafety!.presentChecksum);
		t.true(report.load!.readWrite.before.tps > 0 && report.load!.readWrite.after.tps > 0);
		t.true(report.load!.readOnly.before.tps > 0 && report.load!.readOnly.after.tps > 0);

		// What the command printed is what the report holds.
		const text = summary.join('\n');
		for (const item of ran) {
			const line = new RegExp(`fault ${item.kind} +(\\S+) → (\\S+), outage ([\\d.]+) s \\(bound ([\\d.]+) s\\)`).exec(text);
			t.truthy(line, `summary line of ${item.kind}`);
			t.deepEqual(line?.slice(1), [item.victim, item.newLeader, seconds(item.outageMs), seconds(item.boundMs)]);
		}

		const w = report.switchover!;
		t.true(text.includes(`${w.from} → ${w.to}, gap ${seconds(w.gapMs)} s (bound ${seconds(w.boundMs)} s)`));
		t.true(text.includes(`lost 0 of ${report.dataSafety!.acknowledged} acknowledged (synchronous_mode on)`));
		const l = report.load!;
		t.true(text.includes(`rw tps ${l.readWrite.before.tps} / ${l.readWrite.during.tps} / ${l.readWrite.after.tps}, ro tps ${l.readOnly.before.tps} / ${l.readOnly.during.tps} / ${l.readOnly.after.tps}`));
		// A sparkline under each timeline, with the outage as a gap.
		t.is(summary.filter(line => /[▁▂▃▄▅▆▇█] {5,}[▁▂▃▄▅▆▇█]/.test(line)).length, 5);

		// The report files: Markdown in both languages with the same figures, a chart per timeline.
		const markdown = readFileSync(markdownFile, 'utf8');
		for (const item of ran) t.true(markdown.includes(`| **${seconds(item.outageMs)} s** |`), `${item.kind} outage in report.md`);
		t.true(readFileSync(path.join(dir, 'report.ru.md'), 'utf8').includes(`простой ${seconds(fault('kill').outageMs)} с`));
		for (const file of ['switchover.svg', 'graceful.svg', 'kill.svg', 'poweroff.svg', 'cut.svg']) {
			t.true(existsSync(path.join(dir, file)), file);
			t.true(markdown.includes(`](${file})`), `${file} linked`);
		}

		// Seen independently of pgha: one leader, and every other node streams from it, among them
		// the last primary the tests lost (in the load test), which is back as a replica.
		const members = await clusterMembers();
		const leader = members.find(member => member.role === 'leader');
		t.truthy(leader);
		const secrets = readSecrets(work);
		const streaming = await psqlValue({host: leader!.host, port: 5432, password: secrets['superuser_password']!}, "select string_agg(application_name, ',' order by application_name) from pg_stat_replication where state = 'streaming'");
		t.deepEqual(streaming.split(','), members.filter(member => member !== leader).map(member => member.name).sort());
		t.true(streaming.split(',').includes(report.load!.victim));
		passed = true;
	} finally {
		if (passed) work.remove();
		else t.log(`kept for a look: ${work.dir}`);
	}
});
