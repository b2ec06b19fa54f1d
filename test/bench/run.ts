/**
 * `npm run bench`: pgha against the floor on the lab, the no-op re-run, the UI's cost and (when the
 * test stage exists) failover figures. Prints a table and writes test/bench/results.md.
 * Figures, not tests: nothing here passes or fails; a part that cannot run says why in its row.
 *
 *   npm run bench [-- --only version,ui,apply,failover] [-- --failover-runs 3]
 *
 * The lab parts take the lab for themselves (the same cross-process lock as lab test files) and
 * start from fresh nodes. Every wait is bounded.
 */
import {spawn} from 'node:child_process';
import {copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {loadClusterFile} from '../../source/config/load.ts';
import {loadOrCreateSecrets} from '../../source/config/secrets.ts';
import {labAvailable, labClusterFile, labResetNodes, labSshPassword, labSwitchNetns, lockLab, runCommand} from '../helpers/lab.ts';
import {checkCluster} from './cluster-check.ts';
import {prepareFloor} from './floor-files.ts';
import {countCommands, newestRunDir, readRunLogs, stageSpans, stepOutput, type LogEntry} from './run-logs.ts';
import type {StreamResult} from './ui-stream.tsx';
import {measureFailover, failoverAvailable, type FailoverFigures} from './failover.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const bin = path.join(root, 'source/bin.js');
const resultsFile = path.join(here, 'results.md');

const {values: flags} = parseArgs({
	options: {
		only: {type: 'string'},
		'failover-runs': {type: 'string', default: '3'},
	},
});
const parts = new Set((flags.only ?? 'version,ui,apply,failover').split(',').map(part => part.trim()));
const failoverRuns = Math.max(1, Math.min(5, Number(flags['failover-runs']) || 3));

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
	const result = await new Promise<{code: number; stdout: string; stderr: string}>(resolve => {
		const child = spawn(command, args, {cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
		child.on('error', error => {
			clearTimeout(timer);
			resolve({code: 127, stdout, stderr: stderr + error.message});
		});
		child.on('close', code => {
			clearTimeout(timer);
			resolve({code: code ?? 128, stdout, stderr});
		});
	});
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

async function benchApply(): Promise<ApplyRun | undefined> {
	const clusterFile = labClusterFile();
	if (!labAvailable() || !clusterFile || process.getuid?.() !== 0) {
		rows.push({group: 'build', measure: 'pgha apply vs floor', value: 'not measured', note: 'the lab is not up (or not root)'});
		return undefined;
	}

	say('waiting for the lab lock');
	const release = await lockLab();
	try {
		const dir = mkdtempSync(path.join(work, 'apply-'));
		copyFileSync(clusterFile, path.join(dir, 'pgha.yaml'));
		say('lab reset; pgha apply from fresh nodes');
		await labResetNodes();
		const loadBefore = load();
		const fresh = await pghaApply(dir);
		if (fresh.code !== 0) throw new Error(`pgha apply failed (${fresh.code}):\n${tail(fresh.output, 20)}`);
		const {config: cluster} = await loadClusterFile(path.join(dir, 'pgha.yaml'));
		const {secrets} = await loadOrCreateSecrets(path.join(dir, 'pgha.yaml'));
		const pghaVerdict = await checkCluster(cluster, secrets);
		say(`pgha apply: ${seconds(fresh.wallMs)}; check: ${pghaVerdict.summary}`);
		const breakdown = stageBreakdown(fresh, fresh.runStartMs + fresh.wallMs);

		say('no-op re-run');
		const noop = await pghaApply(dir);
		const counts = countCommands(noop.entries);
		const noopVerdict = await checkCluster(cluster, secrets);

		const major = pgMajorOf(dir, cluster.nodes[0]!.name);
		const floorDir = path.join(work, 'floor');
		prepareFloor(floorDir, cluster, secrets, major);
		say('lab reset; the floor script from fresh nodes');
		await labResetNodes();
		const floorLoad = load();
		const floor = await runFloor(floorDir);
		if (floor.code !== 0) throw new Error(`the floor script failed (${floor.code}):\n${tail(floor.output, 20)}`);
		const floorVerdict = await checkCluster(cluster, secrets);
		say(`floor: ${seconds(floor.wallMs)}; check: ${floorVerdict.summary}`);

		const ratio = fresh.wallMs / floor.wallMs;
		rows.push({group: 'build', measure: 'pgha apply, fresh nodes to healthy (exit 0)', value: seconds(fresh.wallMs), note: `end check: ${pghaVerdict.ok ? 'healthy' : pghaVerdict.summary}; load avg before ${loadBefore}`});
		rows.push({group: 'build', measure: 'floor script, fresh nodes to healthy', value: seconds(floor.wallMs), note: `end check: ${floorVerdict.ok ? 'healthy' : floorVerdict.summary}; load avg before ${floorLoad}`});
		rows.push({group: 'build', measure: 'ratio pgha / floor', value: ratio.toFixed(2), target: '<= 1.2'});
		rows.push({group: 'build', measure: 'no-op re-run on the healthy cluster', value: seconds(noop.wallMs), target: '<= 10 s', note: `exit ${noop.code}; end check: ${noopVerdict.ok ? 'healthy' : noopVerdict.summary}`});
		rows.push({group: 'build', measure: 'pgha apply (fresh): pgha\'s own CPU / peak RSS', value: `${seconds(fresh.cpuMs)} / ${fresh.maxRssMiB.toFixed(0)} MiB`, note: `${((fresh.cpuMs / fresh.wallMs) * 100).toFixed(1)} % of a core on average; plain-line output (no TTY)`});
		rows.push({group: 'build', measure: 'no-op re-run: commands over SSH', value: `${counts.sshExec + counts.sshUploads}`, note: `${counts.sshExec} exec + ${counts.sshUploads} uploads; ${counts.local} local commands on this computer`});
		notes.push(`pgha apply, where the time went (from the run log's timestamps): ${breakdown}.`);
		const floorPhases = [...floor.phases].filter(([name]) => name !== 'total').map(([name, ms]) => `${name} ${seconds(ms)}`).join(', ');
		notes.push(`Floor phases: ${floorPhases} (install = user, apt update + install, packaged cluster dropped, files, etcd started, HAProxy started, on the three nodes in parallel; leader = start Patroni on node 1 and wait for /primary; replicas = start the others and wait until HAProxy routes and the leader sees every replica streaming).`);
		const freshCounts = countCommands(fresh.entries);
		notes.push(`Fresh pgha apply issued ${freshCounts.sshExec} commands and ${freshCounts.sshUploads} uploads over SSH and ${freshCounts.local} local commands.`);
		return fresh;
	} finally {
		release();
	}
}

// ---------------------------------------------------------------------------------------------
// UI cost

async function streamThroughPgha(mode: 'ink' | 'silent', command: string, label: string): Promise<StreamResult> {
	const out = path.join(work, `ui-${label}-${mode}.json`);
	const workDir = mkdtempSync(path.join(work, `ui-${label}-`));
	const driver = ['--import=tsx', path.join(here, 'ui-stream.tsx'), '--mode', mode, '--work', workDir, '--command', command, '--out', out];
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

function shellQuote(value: string): string {
	return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

async function devNull(command: string): Promise<{wallMs: number; cpuMs: number}> {
	const result = await timed('/usr/bin/time', ['-f', '%e %U %S', 'sh', '-c', `${command} > /dev/null`], {timeoutMs: 10 * 60_000});
	const [wall, user, system] = result.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
	return {wallMs: (wall ?? 0) * 1000, cpuMs: ((user ?? 0) + (system ?? 0)) * 1000};
}

const fallbackLines = [
	'Get:1 http://192.168.0.10/debian bookworm/main amd64 libpq5 amd64 15.14-0+deb12u1 [193 kB]',
	'Selecting previously unselected package postgresql-15.',
	'Preparing to unpack .../postgresql-15_15.14-0+deb12u1_amd64.deb ...',
	'Unpacking postgresql-15 (15.14-0+deb12u1) ...',
	'Setting up postgresql-15 (15.14-0+deb12u1) ...',
];

async function benchUi(apply: ApplyRun | undefined): Promise<void> {
	const apt = apply ? stepOutput(apply.entries, 'pg-node-1', 'packages', 'packages.install') : [];
	const source = apt.length > 0 ? apt.map(line => line.text) : fallbackLines;
	const bulk = path.join(work, 'lines-200k.txt');
	const lines: string[] = [];
	for (let index = 0; lines.length < 200_000; index++) lines.push(source[index % source.length]!);
	writeFileSync(bulk, `${lines.join('\n')}\n`);
	const what = apt.length > 0 ? `pg-node-1's real apt output (${apt.length} lines) repeated` : 'apt-like lines (no apt capture: the lab part did not run)';

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
	rows.push({group: 'ui', measure: 'peak RSS with Ink, 200k lines', value: `${mid(ink, r => r.maxRssMiB).toFixed(0)} MiB (${(mid(ink, r => r.maxRssMiB) * 1.048576).toFixed(0)} MB)`, target: '< 200 MB', note: `${mid(ink, r => r.startupRssMiB).toFixed(0)} MiB of it before the first line (Node, tsx, Ink, listr2 loaded)`});

	if (apt.length === 0) {
		rows.push({group: 'ui', measure: 'CPU while streaming real apt output at its pace', value: 'not measured', target: '< 5 % of a core', note: 'needs the apt capture of the lab part'});
		return;
	}

	const paced = path.join(work, 'apt-paced.tsv');
	writeFileSync(paced, apt.map(line => `${line.offsetMs}\t${line.text}`).join('\n') + '\n');
	const replay = `${shellQuote(process.execPath)} ${path.join(here, 'replay.mjs')} ${paced}`;
	say(`UI: real apt output at its recorded pace (${seconds(apt.at(-1)!.offsetMs)})`);
	const inkPaced = await streamThroughPgha('ink', replay, 'paced');
	const share = (cpu(inkPaced) / inkPaced.wallMs) * 100;
	rows.push({group: 'ui', measure: 'pgha CPU while streaming real apt output at its pace (Ink, pty)', value: `${share.toFixed(1)} % of a core`, target: '< 5 % of a core', note: `${cpu(inkPaced).toFixed(0)} ms CPU over ${seconds(inkPaced.wallMs)}; ${apt.length} lines of pg-node-1's apt update + install replayed with their recorded timing`});
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

	say('waiting for the lab lock (failover)');
	const release = await lockLab();
	try {
		for (const preset of ['default', 'fast'] as const) {
			const figures: FailoverFigures[] = [];
			for (let run = 0; run < failoverRuns; run++) {
				say(`failover: ${preset} timing, run ${run + 1} of ${failoverRuns}`);
				await labResetNodes();
				figures.push(await measureFailover({bin, clusterFile, preset, work, env: pghaEnv}));
			}

			for (const fault of ['graceful', 'kill'] as const) {
				const values = figures.map(figure => figure[fault]).filter((value): value is number => value !== undefined);
				rows.push({
					group: 'failover',
					measure: `outage through 5000, ${fault === 'graceful' ? 'graceful stop' : 'hard kill'} of the leader, ${preset} timing`,
					value: values.length > 0 ? seconds(median(values)) : 'no figure',
					note: `${values.length === failoverRuns ? '' : `${values.length} of ${failoverRuns} runs gave a figure; `}median of ${values.length}: ${values.map(value => seconds(value)).join(', ')}`,
				});
			}
		}
	} finally {
		release();
	}
}

// ---------------------------------------------------------------------------------------------

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
	if (parts.has('apply')) await attempt('build', async () => { apply = await benchApply(); });
	if (parts.has('ui')) await attempt('ui', () => benchUi(apply));
	if (parts.has('failover')) await attempt('failover', benchFailover);

	const markdown = [
		'# pgha benchmarks',
		'',
		'Written by `npm run bench` (test/bench/run.ts). The floor is test/bench/floor.sh.',
		'',
		...header,
		'',
		table(rows),
		'',
		...notes.map(note => `- ${note}`),
		...failures.length > 0 ? ['', '## Failures', '', ...failures.map(failure => `- ${failure.replace(/\n/g, ' ')}`)] : [],
		'',
	].join('\n');
	writeFileSync(resultsFile, markdown);
	process.stdout.write(`${markdown}\n`);
	say(`written ${path.relative(root, resultsFile)}; work files in ${work}`);
	return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
