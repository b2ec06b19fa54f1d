/**
 * The UI-cost driver: one stage whose step runs COMMAND on "pg-node-1" through the real engine
 * (runPipeline: listr2, run log, masking, store) and, with --mode ink, the real Ink run screen
 * (renderRun), which needs a terminal: run.ts starts this under `script` (a pseudo-terminal).
 * --mode silent runs the same engine without store or screen. The node is a LocalRemote (the
 * command runs on this machine), so no lab is needed and nothing but pgha's own work is measured.
 * With --drill SECONDS the step runs no command: it keeps a live panel up (StepContext.panel), a new
 * 12-row Panel object every 500 ms for that long, as the test stage's failover drill does.
 *
 *   node --import=tsx test/bench/ui-stream.tsx --mode ink|silent --work DIR (--command CMD | --drill SECONDS) --out FILE
 *
 * Writes JSON to FILE: wall and CPU milliseconds of this process while streaming, peak RSS, and how
 * many output lines reached the run log (proof that every line went through).
 */
import {readdirSync, readFileSync, writeFileSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {parseArgs} from 'node:util';
import {loadClusterFile} from '../../source/config/load.ts';
import {loadOrCreateSecrets} from '../../source/config/secrets.ts';
import {RunStore, runPipeline} from '../../source/engine/index.ts';
import {LocalRemote} from '../../source/ssh/local.ts';
import {renderRun} from '../../source/ui/render-run.tsx';
import type {Panel} from '../../source/core/panel.ts';
import type {Stage} from '../../source/core/stage.ts';

export interface StreamResult {
	readonly mode: 'ink' | 'silent';
	readonly status: string;
	readonly wallMs: number;
	readonly cpuUserMs: number;
	readonly cpuSystemMs: number;
	/**
	 * CPU and wall time from `settleMs` after the start to the end of the step: the screen's cost once
	 * it is up, without mounting it, the first frames (V8 still compiling Ink's code) and the last one.
	 */
	readonly steadyCpuMs: number;
	readonly steadyWallMs: number;
	/** CPU before streaming started: Node, tsx and the modules (not part of the streaming cost). */
	readonly startupCpuMs: number;
	/** Resident set once the modules are loaded, before streaming, MiB. */
	readonly startupRssMiB: number;
	/** Peak resident set of this process over its whole life, MiB. */
	readonly maxRssMiB: number;
	readonly loggedLines: number;
	/** At the end: V8 heap in use and reserved, MiB. */
	readonly heapUsedMiB: number;
	readonly heapTotalMiB: number;
	readonly columns?: number;
	readonly rows?: number;
}

const {values} = parseArgs({
	options: {
		mode: {type: 'string', default: 'ink'},
		work: {type: 'string'},
		command: {type: 'string'},
		drill: {type: 'string'},
		out: {type: 'string'},
		'settle-ms': {type: 'string', default: '2000'},
	},
});
const mode = values.mode === 'silent' ? 'silent' : 'ink';
if (!values.work || !(values.command || values.drill) || !values.out) throw new Error('usage: ui-stream.tsx --mode ink|silent --work DIR (--command CMD | --drill SECONDS) --out FILE');

const startupCpu = process.cpuUsage();
const startupRssMiB = process.memoryUsage().rss / 1024 / 1024;
const work = path.resolve(values.work);
mkdirSync(work, {recursive: true, mode: 0o700});
const clusterFile = path.join(work, 'pgha.yaml');
// Addresses that are never contacted: the one step runs on a LocalRemote.
writeFileSync(clusterFile, [
	'name: bench-ui',
	'nodes:',
	'  - {name: pg-node-1, ip: 10.255.0.1, ssh: {user: student, auth: password}}',
	'  - {name: pg-node-2, ip: 10.255.0.2, ssh: {user: student, auth: password}}',
	'  - {name: pg-node-3, ip: 10.255.0.3, ssh: {user: student, auth: password}}',
	'',
].join('\n'));
const {config: cluster} = await loadClusterFile(clusterFile);
const {secrets} = await loadOrCreateSecrets(clusterFile);
const logDir = path.join(work, 'logs');

/** How often the drill puts up a new panel: about what the test stage's drill does while a fault runs. */
const drillEveryMs = 500;
const pad = (value: number) => String(value).padStart(2, '0');

/**
 * One frame of a drill view as the test stage draws it: 12 rows of about 76 columns, with a clock, a
 * leader key's TTL counting down and a strip of acknowledged writes that moves on every frame.
 */
function drillPanel(beat: number, startedAt: number): Panel {
	const now = new Date();
	const clock = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
	const elapsed = ((Date.now() - startedAt) / 1000).toFixed(1);
	const ttl = Math.max(0, 30 - Math.floor(beat / 2));
	const acked = 1200 + beat * 9;
	const strip = Array.from({length: 60}, (_, index) => ((index + beat) % 13 === 0 ? 'x' : (index + beat) % 5 === 0 ? ':' : '.')).join('');
	const rows = [
		`${clock}  fault: SIGKILL of Patroni on pg-node-1  +${elapsed}s`,
		`pg-node-1  ${beat % 4 < 2 ? 'leader ' : 'stopped'}  timeline 3  lag 0 B       REST ${beat % 3 === 0 ? 'no answer' : 'timeout  '}`,
		`pg-node-2  replica  timeline 3  lag ${beat * 17 % 4096} B  REST ok       streaming`,
		`pg-node-3  replica  timeline 3  lag ${beat * 23 % 4096} B  REST ok       streaming`,
		`leader key /service/bench-ui/leader: pg-node-1, TTL ${pad(ttl)} s ${'#'.repeat(ttl).padEnd(30, '-')}`,
		`HAProxy 5000 (writes): pg-node-1 ${beat % 6 < 3 ? 'UP  ' : 'DOWN'}  pg-node-2 DOWN  pg-node-3 DOWN`,
		`HAProxy 5001 (reads):  pg-node-1 DOWN  pg-node-2 UP    pg-node-3 UP`,
		`writes acknowledged ${acked}, failed ${Math.floor(beat / 3)}, last ack ${clock}`,
		`writes [${strip}]`,
		`reads  [${strip.split('').reverse().join('')}]`,
		`expect: the TTL runs out, a replica takes the lock, HAProxy sends writes to it`,
		`outage so far ${elapsed} s; the fast timing's bound is 25.0 s`,
	];
	const plain = `pg-node-1 ${beat % 4 < 2 ? 'leader' : 'stopped'}, TTL ${ttl} s, 5000 -> pg-node-1, acked ${acked}`;
	return {plain, render: width => rows.map(row => row.padEnd(76).slice(0, width))};
}

const command = values.command ?? 'true';
const drillMs = values.drill ? Number(values.drill) * 1000 : undefined;
const stage: Stage = {
	id: 'stream',
	title: {ru: 'Поток вывода', en: 'Output stream'},
	explain: {ru: 'Бенчмарк интерфейса.', en: 'UI benchmark.'},
	steps: [{
		id: 'stream.output',
		title: {ru: 'Вывод команды', en: 'Command output'},
		explain: {ru: 'Команда печатает много строк.', en: 'A command prints many lines.'},
		scope: 'one-node',
		targets: () => ['pg-node-1'],
		retry: {tries: 0},
		check: async () => false,
		plan: () => [{kind: 'run', command}],
		...(drillMs === undefined ? {} : {
			async apply(ctx) {
				const startedAt = Date.now();
				for (let beat = 0; Date.now() - startedAt < drillMs; beat++) {
					ctx.panel?.(drillPanel(beat, startedAt));
					await new Promise(resolve => setTimeout(resolve, drillEveryMs));
				}

				ctx.panel?.(undefined);
			},
		}),
		verify: async () => {},
	}],
};

const store = new RunStore();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const mounted = mode === 'ink' ? renderRun(store, 'en', logDir, () => {}) : undefined;
let settled: {cpu: NodeJS.CpuUsage; at: number} | undefined;
const settle = setTimeout(() => {
	settled = {cpu: process.cpuUsage(), at: performance.now()};
}, Number(values['settle-ms']));
const result = await runPipeline({
	cluster,
	secrets,
	stages: [stage],
	remotes: new Map([['pg-node-1', new LocalRemote({name: 'pg-node-1'})]]),
	stateFile: path.join(work, 'state.json'),
	logDir,
	renderer: mounted ? 'store' : 'silent',
	store,
	lang: 'en',
});
clearTimeout(settle);
const steadyCpu = settled ? process.cpuUsage(settled.cpu) : {user: 0, system: 0};
const steadyWallMs = settled ? performance.now() - settled.at : 0;
await mounted?.finish();
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
const memory = process.memoryUsage();

const runDir = path.join(logDir, result.runId);
let loggedLines = 0;
for (const name of readdirSync(runDir)) {
	for (const line of readFileSync(path.join(runDir, name), 'utf8').split('\n')) if (/^\S+ \S+ \[stream\/stream\.output\] [ !] /.test(line)) loggedLines++;
}

const report: StreamResult = {
	mode,
	status: result.status,
	wallMs,
	cpuUserMs: cpu.user / 1000,
	cpuSystemMs: cpu.system / 1000,
	steadyCpuMs: (steadyCpu.user + steadyCpu.system) / 1000,
	steadyWallMs,
	startupCpuMs: (startupCpu.user + startupCpu.system) / 1000,
	startupRssMiB,
	maxRssMiB,
	loggedLines,
	heapUsedMiB: memory.heapUsed / 1024 / 1024,
	heapTotalMiB: memory.heapTotal / 1024 / 1024,
	...(process.stdout.columns ? {columns: process.stdout.columns, rows: process.stdout.rows} : {}),
};
writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
process.exit(0);
