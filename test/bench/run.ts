/**
 * `npm run bench`: pgha against the floor on the lab, the no-op re-run, the UI's cost and (when the
 * test stage exists) failover figures, and the run screen while a drill keeps its live panel up.
 * Prints a table and writes test/bench/results.md.
 * Figures, not tests: nothing here passes or fails; a part that cannot run says why in its row.
 *
 *   npm run bench [-- --only version,ui,drill,apply,failover,front-door] [--rounds 3] [--failover-runs 3]
 *
 * With --only, the rows of the parts not run are carried over from the previous results.md (marked
 * "earlier run"), and the UI part replays the apt output the last build part kept (apt-capture.tsv).
 *
 * The lab parts take the lab for themselves (the same cross-process lock as lab test files) and
 * start from fresh nodes. Every wait is bounded.
 */
import {copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {loadClusterFile} from '../../source/config/load.ts';
import {readState} from '../../source/lab/state.ts';
import {loadOrCreateSecrets} from '../../source/config/secrets.ts';
import {labAvailable, labClusterFile, labResetNodes, labSshPassword, labSwitchNetns, lockLab, runCommand} from '../helpers/lab.ts';
import {checkCluster} from './cluster-check.ts';
import {prepareFloor} from './floor-files.ts';
import {countCommands, newestRunDir, readRunLogs, stageSpans, stepOutput, type LogEntry} from './run-logs.ts';
import type {StreamResult} from './ui-stream.tsx';
import {measureFailover, failoverAvailable, type FailoverFigures} from './failover.ts';
import {buildFrontDoor, frontDoorFaults, measureFrontDoor, type FrontDoorRun} from './front-door.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const bin = path.join(root, 'source/bin.js');
const resultsFile = path.join(here, 'results.md');

const {values: flags} = parseArgs({
	options: {
		only: {type: 'string'},
		'failover-runs': {type: 'string', default: '3'},
		rounds: {type: 'string', default: '3'},
	},
});
const parts = new Set((flags.only ?? 'version,ui,drill,apply,failover,front-door').split(',').map(part => part.trim()));
const failoverRuns = Math.max(1, Math.min(5, Number(flags['failover-runs']) || 3));
const applyRounds = Math.max(1, Math.min(5, Number(flags.rounds) || 3));

interface Row {
	readonly group: string;
	readonly measure: string;
	readonly value: string;
	readonly target?: string;
	readonly note?: string;
}

const rows: Row[] = [];
const notes: string[] = [];
const work = mkdtempSync(path.join(os.tmpdir(), 'pgha-bench-'));

function say(line: string): void {
	process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function seconds(ms: number, digits = 1): string {
	return `${(ms / 1000).toFixed(digits)} s`;
}

function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function load(): string {
	return os.loadavg().map(value => value.toFixed(2)).join(' ');
}

interface Timed {
	readonly code: number;
	readonly ms: number;
	readonly stdout: string;
	readonly stderr: string;
}

async function timed(command: string, args: readonly string[], options: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number}): Promise<Timed> {
	const start = performance.now();
	const result = await runCommand(command, args, options);
	return {...result, ms: performance.now() - start};
}

function tail(text: string, lines = 8): string {
	return text.trim().split('\n').slice(-lines).join('\n');
}

// ---------------------------------------------------------------------------------------------
// pgha --version

async function benchVersion(): Promise<void> {
	say('pgha --version, 10 runs');
	const times: number[] = [];
	for (let run = 0; run < 10; run++) {
		const result = await timed(process.execPath, [bin, '--version'], {timeoutMs: 10_000});
		if (result.code !== 0) throw new Error(`pgha --version failed: ${result.stderr}`);
		times.push(result.ms);
	}

	rows.push({group: 'startup', measure: '`pgha --version` (median / max of 10)', value: `${median(times).toFixed(0)} / ${Math.max(...times).toFixed(0)} ms`, target: '< 300 ms'});
}

// ---------------------------------------------------------------------------------------------
// pgha apply vs the floor, and the no-op re-run

interface ApplyRun {
	readonly dir: string;
	readonly wallMs: number;
	readonly code: number;
	readonly entries: readonly LogEntry[];
	readonly runStartMs: number;
	readonly output: string;
	/** pgha's own CPU (user + system, with its local children) and peak RSS, from /usr/bin/time. */
	readonly cpuMs: number;
	readonly maxRssMiB: number;
}

function pghaEnv(dir: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env, HOME: dir, PGHA_SSH_PASSWORD: labSshPassword};
	delete env.CI;
	return env;
}

async function pghaApply(dir: string): Promise<ApplyRun> {
	const runStartMs = Date.now();
	// /usr/bin/time adds pgha's own CPU and peak RSS (the process and its local children) at no cost.
	const usage = path.join(dir, `time-${runStartMs}.txt`);
	const result = await timed('/usr/bin/time', ['-f', '%U %S %M', '-o', usage, process.execPath, bin, 'apply', '--yes', '--lang', 'en'], {cwd: dir, env: pghaEnv(dir), timeoutMs: 30 * 60_000});
	const logs = path.join(dir, '.pgha', 'logs');
	const entries = existsSync(logs) ? readRunLogs(newestRunDir(logs)) : [];
	const [user = 0, system = 0, rssKb = 0] = existsSync(usage) ? readFileSync(usage, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number) : [];
	return {dir, wallMs: result.ms, code: result.code, entries, runStartMs, output: `${result.stdout}\n${result.stderr}`, cpuMs: (user + system) * 1000, maxRssMiB: rssKb / 1024};
}

function stageBreakdown(run: ApplyRun, endMs: number): string {
	const spans = stageSpans(run.entries);
	if (spans.length === 0) return '';
	const parts = [`start and SSH connect ${seconds(spans[0]!.startMs - run.runStartMs)}`];
	for (const [index, span] of spans.entries()) {
		const next = spans[index + 1]?.startMs ?? span.endMs;
		parts.push(`${span.stage} ${seconds(next - span.startMs)}`);
	}

	parts.push(`final health check and exit ${seconds(endMs - spans.at(-1)!.endMs)}`);
	return parts.join(', ');
}

interface FloorRun {
	readonly wallMs: number;
	readonly code: number;
	readonly phases: ReadonlyMap<string, number>;
	readonly output: string;
}

async function runFloor(dir: string): Promise<FloorRun> {
	const env = {...process.env, SSHPASS: labSshPassword};
	const result = await timed('ip', ['netns', 'exec', labSwitchNetns, 'bash', path.join(here, 'floor.sh'), dir], {env, timeoutMs: 30 * 60_000});
	const phases = new Map<string, number>();
	for (const match of result.stdout.matchAll(/^phase (\S+) (\S+) (\S+)$/gm)) phases.set(match[1]!, (Number(match[3]) - Number(match[2])) * 1000);
	return {wallMs: result.ms, code: result.code, phases, output: `${result.stdout}\n${result.stderr}`};
}

function pgMajorOf(dir: string, node: string): string {
	const state = JSON.parse(readFileSync(path.join(dir, '.pgha', 'state.json'), 'utf8')) as {facts: Record<string, Record<string, string>>};
	const major = state.facts[node]?.['pg.major'];
	if (!major) throw new Error('pgha recorded no PostgreSQL major');
	return major;
}

interface Round {
	readonly fresh: ApplyRun;
	readonly noop: ApplyRun;
	readonly floor: FloorRun;
	readonly verdicts: {readonly pgha: string; readonly noop: string; readonly floor: string};
	readonly load: {readonly pgha: string; readonly floor: string};
}

/** One round from fresh nodes: pgha apply, its no-op re-run, then (fresh again) the floor. */
async function applyRound(clusterFile: string, round: number): Promise<Round> {
	const dir = mkdtempSync(path.join(work, `apply-${round}-`));
	copyFileSync(clusterFile, path.join(dir, 'pgha.yaml'));
	say(`round ${round}: lab reset; pgha apply from fresh nodes`);
	await labResetNodes();
	const pghaLoad = load();
	const fresh = await pghaApply(dir);
	if (fresh.code !== 0) throw new Error(`pgha apply failed (${fresh.code}):\n${tail(fresh.output, 20)}`);
	const {config: cluster} = await loadClusterFile(path.join(dir, 'pgha.yaml'));
	const {secrets} = await loadOrCreateSecrets(path.join(dir, 'pgha.yaml'));
	const pghaVerdict = await checkCluster(cluster, secrets);
	say(`round ${round}: pgha apply ${seconds(fresh.wallMs)}; ${pghaVerdict.summary}`);

	const noop = await pghaApply(dir);
	const noopVerdict = await checkCluster(cluster, secrets);
	say(`round ${round}: no-op re-run ${seconds(noop.wallMs)} (exit ${noop.code})`);

	const floorDir = path.join(work, `floor-${round}`);
	prepareFloor(floorDir, cluster, secrets, pgMajorOf(dir, cluster.nodes[0]!.name));
	say(`round ${round}: lab reset; the floor script from fresh nodes`);
	await labResetNodes();
	const floorLoad = load();
	const floor = await runFloor(floorDir);
	if (floor.code !== 0) throw new Error(`the floor script failed (${floor.code}):\n${tail(floor.output, 20)}`);
	const floorVerdict = await checkCluster(cluster, secrets);
	say(`round ${round}: floor ${seconds(floor.wallMs)}; ${floorVerdict.summary}`);
	const verdict = (value: {ok: boolean; summary: string}) => (value.ok ? 'healthy' : value.summary);
	return {fresh, noop, floor, verdicts: {pgha: verdict(pghaVerdict), noop: verdict(noopVerdict), floor: verdict(floorVerdict)}, load: {pgha: pghaLoad, floor: floorLoad}};
}

async function benchApply(rounds: number): Promise<ApplyRun | undefined> {
	const clusterFile = labClusterFile();
	if (!labAvailable() || !clusterFile || process.getuid?.() !== 0) {
		rows.push({group: 'build', measure: 'pgha apply vs floor', value: 'not measured', note: 'the lab is not up (or not root)'});
		return undefined;
	}

	const results: Round[] = [];
	for (let round = 1; round <= rounds; round++) results.push(await withLab(`build round ${round}`, () => applyRound(clusterFile, round)));
	const {config: labCluster} = await loadClusterFile(clusterFile);
	rows.push({
		group: 'build',
		measure: 'nodes and install path (pgha and the floor alike)',
		value: `Debian ${readState()?.release ?? '?'}`,
		note: `patroni: ${labCluster.patroni.source}${labCluster.patroni.source === 'venv' ? ` ${labCluster.patroni.version} from the lab's index` : ''}; etcd: ${labCluster.etcd.source}${labCluster.etcd.source === 'package' ? '' : ` ${labCluster.etcd.version}`}`,
	});

	const samples = (pick: (round: Round) => number) => results.map(pick);
	const list = (values: readonly number[]) => values.map(value => seconds(value)).join(', ');
	const of = `median of ${rounds}`;
	const pgha = samples(round => round.fresh.wallMs);
	const floor = samples(round => round.floor.wallMs);
	const ratios = results.map(round => round.fresh.wallMs / round.floor.wallMs);
	const noop = samples(round => round.noop.wallMs);
	const unhealthy = results.flatMap((round, index) => Object.entries(round.verdicts).filter(([, value]) => value !== 'healthy').map(([what, value]) => `round ${index + 1} ${what}: ${value}`));
	const checks = unhealthy.length === 0 ? 'end check healthy after every run' : `end check: ${unhealthy.join('; ')}`;
	rows.push({group: 'build', measure: `pgha apply, fresh nodes to healthy (exit 0), ${of}`, value: seconds(median(pgha)), note: `runs: ${list(pgha)}; ${checks}; load avg before: ${results.map(round => round.load.pgha.split(' ')[0]).join(', ')}`});
	rows.push({group: 'build', measure: `floor script, fresh nodes to healthy, ${of}`, value: seconds(median(floor)), note: `runs: ${list(floor)}; load avg before: ${results.map(round => round.load.floor.split(' ')[0]).join(', ')}`});
	rows.push({group: 'build', measure: `ratio pgha / floor, ${of}`, value: median(ratios).toFixed(2), target: '<= 1.2', note: `per round: ${ratios.map(ratio => ratio.toFixed(2)).join(', ')}`});
	rows.push({group: 'build', measure: `pgha apply (fresh): pgha's own CPU / peak RSS, ${of}`, value: `${seconds(median(samples(round => round.fresh.cpuMs)))} / ${median(samples(round => round.fresh.maxRssMiB)).toFixed(0)} MiB`, note: 'pgha process and its local children (/usr/bin/time); plain-line output (no TTY)'});
	rows.push({group: 'build', measure: `no-op re-run on the healthy cluster, ${of}`, value: seconds(median(noop)), target: '<= 10 s', note: `runs: ${list(noop)}; exit codes ${results.map(round => round.noop.code).join(', ')}`});
	const counts = results.map(round => countCommands(round.noop.entries));
	rows.push({group: 'build', measure: 'no-op re-run: commands over SSH', value: counts.map(count => String(count.sshExec + count.sshUploads)).join(', '), note: `per round; ${counts[0]!.sshExec} exec + ${counts[0]!.sshUploads} uploads (round 1); ${counts[0]!.local} local commands on this computer`});

	for (const [index, round] of results.entries()) {
		notes.push(`Round ${index + 1}, pgha apply ${seconds(round.fresh.wallMs)}, where the time went (run log timestamps): ${stageBreakdown(round.fresh, round.fresh.runStartMs + round.fresh.wallMs)}.`);
		const phases = [...round.floor.phases].filter(([name]) => name !== 'total').map(([name, ms]) => `${name} ${seconds(ms)}`).join(', ');
		notes.push(`Round ${index + 1}, floor ${seconds(round.floor.wallMs)}: ${phases}.`);
	}

	const freshCounts = countCommands(results[0]!.fresh.entries);
	notes.push('Floor phases: install = admin user, apt update + install, packaged cluster dropped, the same files pgha writes, etcd and HAProxy started, on the three nodes in parallel; leader = start Patroni on node 1, wait for /primary; replicas = start the others, wait until HAProxy routes (1 UP for writes, 2 for reads) and the leader seen through 5000 has 2 replicas streaming. Polls every 1 s. Timed from the script\'s start (SSH connections included) to that condition; the common end check runs after the clock stops.');
	notes.push(`A fresh pgha apply (round 1) issued ${freshCounts.sshExec} commands and ${freshCounts.sshUploads} uploads over SSH and ${freshCounts.local} local commands; the floor issues 6 SSH sessions (one per node to install, one per node to start Patroni).`);
	return results[0]!.fresh;
}

// ---------------------------------------------------------------------------------------------
// UI cost

/** The step's work: a command whose output streams, or a drill's live panel for that many seconds. */
async function streamThroughPgha(mode: 'ink' | 'silent', source: string | {readonly drillSeconds: number}, label: string, settleMs = 2000): Promise<StreamResult> {
	const out = path.join(work, `ui-${label}-${mode}.json`);
	const workDir = mkdtempSync(path.join(work, `ui-${label}-`));
	const step = typeof source === 'string' ? ['--command', source] : ['--drill', String(source.drillSeconds)];
	// Loaded as source/bin.js loads pgha: the Node flags of its first line, its runtime settings, then
	// tsx, then the program.
	const driver = [...binNodeFlags(), '--import', path.join(root, 'source/runtime-settings.js'), '--import=tsx', path.join(here, 'ui-stream.tsx'), '--mode', mode, '--work', workDir, ...step, '--out', out, '--settle-ms', String(settleMs)];
	const env: NodeJS.ProcessEnv = {...process.env, TERM: 'xterm-256color'};
	// With CI set, Ink draws only the last frame: that would not be the cost a student's terminal sees.
	delete env.CI;
	let result;
	if (mode === 'ink') {
		const line = ['stty cols 120 rows 40;', 'exec', shellQuote(process.execPath), ...driver.map(shellQuote)].join(' ');
		result = await timed('script', ['-qfec', line, '/dev/null'], {cwd: root, env, timeoutMs: 10 * 60_000});
	} else {
		result = await timed(process.execPath, driver, {cwd: root, env, timeoutMs: 10 * 60_000});
	}

	if (result.code !== 0 || !existsSync(out)) throw new Error(`ui-stream (${mode}) failed: ${tail(result.stderr)}`);
	// Its run logs hold every line again (about 20 MB for 200k lines): counted already, not kept.
	rmSync(workDir, {recursive: true, force: true});
	return JSON.parse(readFileSync(out, 'utf8')) as StreamResult;
}

/** The flags bin.js's first line gives Node (`#!/usr/bin/env -S node --flag ...`). */
function binNodeFlags(): string[] {
	const shebang = readFileSync(bin, 'utf8').split('\n', 1)[0] ?? '';
	return /\bnode((?: --?[\w-]+(?:=\S+)?)*)\s*$/.exec(shebang)?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
}

function shellQuote(value: string): string {
	return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

async function devNull(command: string): Promise<{wallMs: number; cpuMs: number}> {
	const result = await timed('/usr/bin/time', ['-f', '%e %U %S', 'sh', '-c', `${command} > /dev/null`], {timeoutMs: 10 * 60_000});
	const [wall, user, system] = result.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
	return {wallMs: (wall ?? 0) * 1000, cpuMs: ((user ?? 0) + (system ?? 0)) * 1000};
}

const aptCaptureFile = path.join(here, 'apt-capture.tsv');

function readAptCapture(): Array<{offsetMs: number; text: string}> {
	if (!existsSync(aptCaptureFile)) return [];
	return readFileSync(aptCaptureFile, 'utf8').split('\n').filter(Boolean).map(line => {
		const tab = line.indexOf('\t');
		return {offsetMs: Number(line.slice(0, tab)), text: line.slice(tab + 1)};
	});
}

const fallbackLines = [
	'Get:1 http://192.168.0.10/debian bookworm/main amd64 libpq5 amd64 15.14-0+deb12u1 [193 kB]',
	'Selecting previously unselected package postgresql-15.',
	'Preparing to unpack .../postgresql-15_15.14-0+deb12u1_amd64.deb ...',
	'Unpacking postgresql-15 (15.14-0+deb12u1) ...',
	'Setting up postgresql-15 (15.14-0+deb12u1) ...',
];

async function benchUi(apply: ApplyRun | undefined): Promise<void> {
	const captured = apply ? stepOutput(apply.entries, 'pg-node-1', 'packages', 'packages.install') : [];
	// Kept for runs without the build part (--only ui): the same real apt output, with its timing.
	if (captured.length > 0) writeFileSync(aptCaptureFile, captured.map(line => `${line.offsetMs}\t${line.text}`).join('\n') + '\n');
	const apt = captured.length > 0 ? captured : readAptCapture();
	const source = apt.length > 0 ? apt.map(line => line.text) : fallbackLines;
	const bulk = path.join(work, 'lines-200k.txt');
	const lines: string[] = [];
	for (let index = 0; lines.length < 200_000; index++) lines.push(source[index % source.length]!);
	writeFileSync(bulk, `${lines.join('\n')}\n`);
	const origin = captured.length > 0 ? 'this run' : `test/bench/apt-capture.tsv, from an earlier run`;
	const what = apt.length > 0 ? `pg-node-1's real apt output (${apt.length} lines, ${origin}) repeated` : 'apt-like lines (no apt capture: the lab part did not run)';

	say('UI: 200,000 lines, 3 runs each of ink (pty), silent engine and /dev/null');
	const ink: StreamResult[] = [];
	const silent: StreamResult[] = [];
	const nulls: Array<{wallMs: number; cpuMs: number}> = [];
	for (let run = 0; run < 3; run++) {
		ink.push(await streamThroughPgha('ink', `cat ${bulk}`, 'bulk'));
		silent.push(await streamThroughPgha('silent', `cat ${bulk}`, 'bulk'));
		nulls.push(await devNull(`cat ${bulk}`));
	}

	for (const result of [...ink, ...silent]) {
		if (result.loggedLines !== 200_000 || result.status !== 'done') throw new Error(`ui-stream lost lines: ${JSON.stringify(result)}`);
	}

	const cpu = (result: StreamResult) => result.cpuUserMs + result.cpuSystemMs;
	const mid = (list: readonly StreamResult[], pick: (result: StreamResult) => number) => median(list.map(pick));
	rows.push({group: 'ui', measure: '200k lines through engine + store + Ink (pty 120x40): wall / pgha CPU', value: `${seconds(mid(ink, r => r.wallMs), 2)} / ${seconds(mid(ink, cpu), 2)}`, note: `median of 3; ${what}; a LocalRemote (\`cat\` on this computer), not SSH`});
	rows.push({group: 'ui', measure: 'same through the engine alone (no store, no Ink): wall / CPU', value: `${seconds(mid(silent, r => r.wallMs), 2)} / ${seconds(mid(silent, cpu), 2)}`, note: 'run log and masking still on; median of 3'});
	rows.push({group: 'ui', measure: 'same output to /dev/null (no pgha): wall / CPU', value: `${seconds(median(nulls.map(n => n.wallMs)), 2)} / ${seconds(median(nulls.map(n => n.cpuMs)), 2)}`, note: 'median of 3'});
	rows.push({group: 'ui', measure: 'peak RSS with Ink, 200k lines', value: `${mid(ink, r => r.maxRssMiB).toFixed(0)} MiB (${(mid(ink, r => r.maxRssMiB) * 1.048576).toFixed(0)} MB)`, target: '< 150 MB', note: `${mid(ink, r => r.startupRssMiB).toFixed(0)} MiB of it before the first line (Node, tsx, Ink, listr2 loaded)`});

	if (apt.length === 0) {
		rows.push({group: 'ui', measure: 'CPU while streaming real apt output at its pace', value: 'not measured', target: '< 3 % of a core', note: 'needs the apt capture of the lab part'});
		return;
	}

	const paced = path.join(work, 'apt-paced.tsv');
	writeFileSync(paced, apt.map(line => `${line.offsetMs}\t${line.text}`).join('\n') + '\n');
	const replay = `${shellQuote(process.execPath)} ${path.join(here, 'replay.mjs')} ${paced}`;
	say(`UI: real apt output at its recorded pace (${seconds(apt.at(-1)!.offsetMs)})`);
	const inkPaced = await streamThroughPgha('ink', replay, 'paced');
	const share = (result: StreamResult) => `${((cpu(result) / result.wallMs) * 100).toFixed(1)} % of a core`;
	const steady = (result: StreamResult) => `${((result.steadyCpuMs / result.steadyWallMs) * 100).toFixed(1)} % of a core`;
	rows.push({group: 'ui', measure: 'pgha CPU while streaming real apt output at its pace (Ink, pty)', value: share(inkPaced), note: `${cpu(inkPaced).toFixed(0)} ms CPU over ${seconds(inkPaced.wallMs)}; ${apt.length} lines of pg-node-1's apt update + install replayed with their recorded timing`});
	rows.push({group: 'ui', measure: 'same, once the screen is up (from 2 s to the end of the step)', value: steady(inkPaced), note: `${inkPaced.steadyCpuMs.toFixed(0)} ms CPU over ${seconds(inkPaced.steadyWallMs)}: without mounting the screen and its first frames`});
	const silentPaced = await streamThroughPgha('silent', replay, 'paced');
	rows.push({group: 'ui', measure: 'same, engine alone (no store, no Ink)', value: share(silentPaced), note: `${cpu(silentPaced).toFixed(0)} ms CPU over ${seconds(silentPaced.wallMs)}`});
	say('UI: the screen with a running step and no output (10 s)');
	const idle = await streamThroughPgha('ink', 'sleep 10', 'idle');
	rows.push({group: 'ui', measure: 'Ink screen idle: a step running, no output', value: share(idle), note: `${cpu(idle).toFixed(0)} ms CPU over ${seconds(idle.wallMs)}, mounting the screen and its first and last frames included`});
	rows.push({group: 'ui', measure: 'same, once the screen is up (from 2 s to the end of the step)', value: steady(idle), note: `${idle.steadyCpuMs.toFixed(0)} ms CPU over ${seconds(idle.steadyWallMs)}: the spinner and clock repaints alone (one a second with no output), V8 still compiling Ink's code`});

	// In a real run a quiet step (Patroni bootstrapping, a replica cloning) comes after many frames:
	// Ink's code is compiled by then. Measured past the first 20 s of a 40 s step.
	say('UI: the same, warm (a 40 s step measured from 20 s)');
	const warmIdle = await streamThroughPgha('ink', 'sleep 40', 'idle-warm', 20_000);
	rows.push({group: 'ui', measure: 'Ink screen idle, warm (from 20 s of a 40 s step)', value: steady(warmIdle), target: '< 1 % of a core', note: `${warmIdle.steadyCpuMs.toFixed(0)} ms CPU over ${seconds(warmIdle.steadyWallMs)}`});
	// apt runs after several stages have drawn: the replay twice, measured over the second pass.
	const pace = apt.at(-1)!.offsetMs;
	say(`UI: real apt output twice at its pace, measured over the second pass (${seconds(2 * pace)})`);
	const warmPaced = await streamThroughPgha('ink', `${replay}; ${replay}`, 'paced-warm', pace + 1000);
	rows.push({group: 'ui', measure: 'pgha CPU while streaming apt output, warm (second pass of the replay)', value: steady(warmPaced), target: '< 3 % of a core', note: `${warmPaced.steadyCpuMs.toFixed(0)} ms CPU over ${seconds(warmPaced.steadyWallMs)}`});
}

// ---------------------------------------------------------------------------------------------
// The drill screen: the run screen while the test stage's drill keeps its live panel up

/** As many runs as the UI part's medians are taken over. */
const drillRuns = 3;
/** About as long as a fault of the drill runs (30-60 s), short enough for three runs. */
const drillSeconds = 20;

async function benchDrill(): Promise<void> {
	say(`drill screen: a new 12-row panel every 500 ms for ${drillSeconds} s, ${drillRuns} runs`);
	const results: StreamResult[] = [];
	for (let run = 0; run < drillRuns; run++) {
		const result = await streamThroughPgha('ink', {drillSeconds}, 'drill');
		if (result.status !== 'done') throw new Error(`the drill run ended ${result.status}`);
		results.push(result);
	}

	const shares = results.map(result => (result.steadyCpuMs / result.steadyWallMs) * 100);
	rows.push({
		group: 'drill screen',
		measure: `Ink screen with a drill's live panel: a new 12-row panel every 500 ms (from 2 s to the end of a ${drillSeconds} s step), median of ${drillRuns}`,
		value: `${median(shares).toFixed(1)} % of a core`,
		note: `runs: ${shares.map(share => `${share.toFixed(1)} %`).join(' / ')}; ${results.map(result => `${result.steadyCpuMs.toFixed(0)} ms CPU over ${seconds(result.steadyWallMs)}`).join(', ')}; pty 120x40, its plain line to the run log once a second`,
	});
}

// ---------------------------------------------------------------------------------------------
// Failover

async function benchFailover(): Promise<void> {
	const available = await failoverAvailable(bin);
	if (!available.ok) {
		rows.push({group: 'failover', measure: 'outage through 5000 (graceful stop / hard kill, default and fast timing)', value: '**not measured yet**', note: available.why});
		return;
	}

	const clusterFile = labClusterFile();
	if (!labAvailable() || !clusterFile || process.getuid?.() !== 0) {
		rows.push({group: 'failover', measure: 'outage through 5000', value: 'not measured', note: 'the lab is not up (or not root)'});
		return;
	}

	for (const preset of ['default', 'fast'] as const) {
		const figures: FailoverFigures[] = [];
		for (let run = 0; run < failoverRuns; run++) {
			let figure: FailoverFigures;
			try {
				figure = await withLab(`failover ${preset} ${run + 1}`, async () => {
					say(`failover: ${preset} timing, run ${run + 1} of ${failoverRuns}`);
					await labResetNodes();
					return measureFailover({bin, clusterFile, preset, work, env: pghaEnv});
				});
			} catch (error) {
				// One broken run must not cost the other runs' figures.
				const message = error instanceof Error ? error.message : String(error);
				say(`failover ${preset} run ${run + 1} failed: ${message}`);
				notes.push(`Failover, ${preset} timing, run ${run + 1} gave no figures: ${message.replace(/\n/g, ' ')}`);
				continue;
			}

			say(`failover ${preset} run ${run + 1}: graceful ${figure.graceful ?? '-'} ms, kill ${figure.kill ?? '-'} ms; test took ${seconds(figure.testMs)} (exit ${figure.testCode})`);
			figures.push(figure);
		}

		if (figures.length > 0) notes.push(`Failover, ${preset} timing (${figures[0]?.timing ?? 'timing not in the report'}): pgha test took ${figures.map(figure => `${seconds(figure.testMs, 0)} (exit ${figure.testCode})`).join(', ')} after a ${figures.map(figure => seconds(figure.applyMs, 0)).join(', ')} build; exit 1 = a check of the test stage failed, the outage figures are still measured. Failed checks: ${figures.map((figure, index) => `run ${index + 1}: ${figure.failedChecks.join('; ') || 'none'}`).join('; ')}.`);

		for (const fault of ['graceful', 'kill'] as const) {
			const values = figures.map(figure => figure[fault]).filter((value): value is number => value !== undefined);
			rows.push({
				group: 'failover',
				measure: `outage through 5000, ${fault === 'graceful' ? 'graceful stop' : 'hard kill'} of the leader, ${preset} timing`,
				value: values.length > 0 ? seconds(median(values)) : 'no figure',
				note: `${values.length === failoverRuns ? '' : `${values.length} of ${failoverRuns} runs gave a figure; `}${values.length > 0 ? `median of ${values.length}: ${values.map(value => seconds(value)).join(', ')}` : ''}`,
			});
		}
	}
}

// ---------------------------------------------------------------------------------------------
// The front door: outages when the node holding the floating address is lost

const frontDoorTitles: Record<typeof frontDoorFaults[number], string> = {
	poweroff: 'VIP holder powered off while it is the leader',
	'entry-poweroff': 'VIP holder powered off while it is not the leader',
	'entry-haproxy': 'only HAProxy killed on the VIP holder',
};

async function benchFrontDoor(): Promise<void> {
	const clusterFile = labClusterFile();
	if (!labAvailable() || !clusterFile || process.getuid?.() !== 0) {
		rows.push({group: 'front door', measure: 'outage through the VIP', value: 'not measured', note: 'the lab is not up (or not root)'});
		return;
	}

	for (const preset of ['default', 'fast'] as const) {
		const runs: FrontDoorRun[] = [];
		await withLab(`front door ${preset}`, async () => {
			say(`front door: building the VIP layout, ${preset} timing`);
			await labResetNodes();
			const options = {bin, clusterFile, preset, work, env: pghaEnv, vip: '192.168.0.40'};
			const dir = await buildFrontDoor(options);
			for (let index = 0; index < failoverRuns; index++) {
				say(`front door: ${preset} timing, run ${index + 1} of ${failoverRuns}`);
				try {
					const measured = await measureFrontDoor(options, dir);
					say(`front door ${preset} run ${index + 1}: ${JSON.stringify(measured.figures)} (exit ${measured.testCode}, ${seconds(measured.testMs)})`);
					runs.push(measured);
				} catch (error) {
					const message = error instanceof Error ? error.message : String(error);
					notes.push(`Front door, ${preset} timing, run ${index + 1} gave no figures: ${message.replace(/\n/g, ' ')}`);
				}
			}
		});
		notes.push(`Front door, ${preset} timing: every run's figures (ms) ${runs.map((item, index) => `run ${index + 1}: ${JSON.stringify(item.figures)}`).join('; ')}. Failed checks: ${runs.map((item, index) => `run ${index + 1}: ${item.failedChecks.join('; ') || 'none'}`).join('; ')}.`);
		for (const kind of frontDoorFaults) {
			const pick = (field: 'write' | 'multiHost' | 'read' | 'vipMoved') => runs.map(item => item.figures[kind]?.[field]).filter((value): value is number => typeof value === 'number');
			const writes = pick('write');
			const reads = pick('read');
			const multi = pick('multiHost');
			const moved = pick('vipMoved');
			const medianOf = (values: number[]) => (values.length > 0 ? seconds(median(values)) : 'no figure');
			rows.push({
				group: 'front door',
				measure: `write outage through the VIP, ${frontDoorTitles[kind]}, ${preset} timing`,
				value: medianOf(writes),
				note: `median of ${writes.length}: ${writes.map(value => seconds(value)).join(', ')}; multi-host string ${medianOf(multi)}; VIP moved after ${medianOf(moved)}`,
			});
			rows.push({
				group: 'front door',
				measure: `read outage through the VIP, ${frontDoorTitles[kind]}, ${preset} timing`,
				value: medianOf(reads),
				note: `median of ${reads.length}: ${reads.map(value => seconds(value)).join(', ')}`,
			});
		}
	}
}

// ---------------------------------------------------------------------------------------------

/**
 * Holds the lab for one unit of work only (a build round, a failover run) and pauses a little after
 * releasing it, so a lab test file waiting for the lock is not starved by a long benchmark.
 */
async function withLab<T>(what: string, work: () => Promise<T>): Promise<T> {
	say(`waiting for the lab lock (${what})`);
	const release = await lockLab();
	try {
		return await work();
	} finally {
		release();
		await new Promise(resolve => setTimeout(resolve, 3000));
	}
}

async function machine(): Promise<string[]> {
	const kernel = (await runCommand('uname', ['-r'])).stdout.trim();
	const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
	return [
		`- date: ${new Date().toISOString()}`,
		`- machine: ${os.availableParallelism()} CPUs (${cpu}), ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Linux ${kernel}, Node ${process.version}`,
		`- load average at the start: ${load()} (the machine is shared with other work: figures are one sample each unless a median is said)`,
	];
}

function table(list: readonly Row[]): string {
	const lines = ['| part | measure | value | target | note |', '|---|---|---|---|---|'];
	for (const row of list) lines.push(`| ${row.group} | ${row.measure} | ${row.value} | ${row.target ?? ''} | ${(row.note ?? '').replace(/\|/g, '\\|')} |`);
	return lines.join('\n');
}

/** Parts each own the rows of one group. */
const groupOfPart: Record<string, string> = {version: 'startup', apply: 'build', ui: 'ui', drill: 'drill screen', failover: 'failover', 'front-door': 'front door'};
const allParts = Object.keys(groupOfPart);

function inPartOrder(list: readonly Row[]): Row[] {
	const order = Object.values(groupOfPart);
	const rank = (row: Row) => (order.includes(row.group) ? order.indexOf(row.group) : order.length);
	return [...list].sort((a, b) => rank(a) - rank(b));
}

/** With --only, the previous results.md's rows of the parts not run now, so the table stays whole. */
function carriedRows(): {rows: Row[]; notes: string[]; date: string | undefined} {
	if (!existsSync(resultsFile)) return {rows: [], notes: [], date: undefined};
	const previous = readFileSync(resultsFile, 'utf8');
	const date = /^- date: (\S+)/m.exec(previous)?.[1];
	const measured = new Set([...parts].map(part => groupOfPart[part]));
	const carried: Row[] = [];
	for (const line of previous.split('\n')) {
		if (!line.startsWith('| ') || line.startsWith('| part |')) continue;
		// Cells are joined by " | "; a pipe inside a note is written "\|", never with a space before it.
		const cells = line.slice(2, -2).split(' | ');
		const [group = '', measure = '', value = '', target = '', note = ''] = cells;
		if (measured.has(group) || group === '') continue;
		const earlier = note.includes('earlier run') ? note : `earlier run${note ? `; ${note}` : ''}`;
		carried.push({group, measure, value, target, note: earlier.replace(/\\\|/g, '|')});
	}

	// The earlier run's own notes (round details), from the end of its table to its next heading.
	const lines = previous.split('\n');
	const lastRow = lines.reduce((last, line, index) => (line.startsWith('| ') ? index : last), -1);
	const afterTable = lines.slice(lastRow + 1);
	const end = afterTable.findIndex(line => line.startsWith('## '));
	const notes = (end === -1 ? afterTable : afterTable.slice(0, end)).filter(line => line.startsWith('- ') && !line.includes('carried over from the run of'));
	return {rows: carried, notes: carried.length > 0 ? notes : [], date};
}

async function main(): Promise<number> {
	const header = await machine();
	let apply: ApplyRun | undefined;
	const failures: string[] = [];
	const attempt = async (name: string, part: () => Promise<void>) => {
		try {
			await part();
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			say(`${name} failed: ${message}`);
			failures.push(`${name}: ${message}`);
			rows.push({group: name, measure: 'run', value: '**failed**', note: message.split('\n')[0]});
		}
	};

	if (parts.has('version')) await attempt('startup', benchVersion);
	if (parts.has('apply')) await attempt('build', async () => { apply = await benchApply(applyRounds); });
	if (parts.has('ui')) await attempt('ui', () => benchUi(apply));
	if (parts.has('drill')) await attempt('drill screen', benchDrill);
	if (parts.has('failover')) await attempt('failover', benchFailover);
	if (parts.has('front-door')) await attempt('front door', benchFrontDoor);

	const carried = parts.size < allParts.length ? carriedRows() : {rows: [], notes: [], date: undefined};
	if (carried.rows.length > 0) notes.push(`Rows marked "earlier run" are carried over from the run of ${carried.date ?? 'an earlier date'}: this run measured only ${[...parts].join(', ')}.`);
	const markdown = [
		'# pgha benchmarks',
		'',
		'Written by `npm run bench` (test/bench/run.ts). The floor is test/bench/floor.sh.',
		'',
		...header,
		'',
		table(inPartOrder([...rows, ...carried.rows])),
		'',
		...notes.map(note => `- ${note}`),
		...carried.notes.length > 0 ? ['', `## Notes of the earlier run (${carried.date ?? '?'})`, '', ...carried.notes] : [],
		...failures.length > 0 ? ['', '## Failures', '', ...failures.map(failure => `- ${failure.replace(/\n/g, ' ')}`)] : [],
		'',
	].join('\n');
	writeFileSync(resultsFile, markdown);
	process.stdout.write(`${markdown}\n`);
	say(`written ${path.relative(root, resultsFile)}; work files in ${work}`);
	return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
