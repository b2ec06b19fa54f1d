/**
 * `npm run soak`: the whole test stage several times in a row on one lab cluster while a bounded
 * CPU load keeps about one core of the host busy, as on a student's laptop running three VMs.
 * Figures, not a test: each run's verdict, outages, step-down, slow checks and load are printed and
 * written to test/bench/soak-results.md. CI runs the test stage once (test/test-stage/lab.test.ts).
 *
 *   npm run soak [-- --runs 5] [--busy-cores 1]
 *
 * The cluster is built once (pgha apply on fresh nodes, the lab's default release and path); every
 * run and the CPU load are bounded and stop by themselves.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import type {TestReport} from '../../source/cluster-test/model.ts';
import {readState} from '../../source/lab/state.ts';
import {labAvailable, labClusterFile, labResetNodes, labSshPassword, lockLab} from '../helpers/lab.ts';
import {runPgha} from './failover.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../../source/bin.js');
const resultsFile = path.join(here, 'soak-results.md');
const testTimeoutMs = 30 * 60_000;

const {values: flags} = parseArgs({options: {runs: {type: 'string', default: '5'}, 'busy-cores': {type: 'string', default: '1'}}});
const runs = Math.max(1, Math.min(10, Number(flags.runs) || 5));
const busyCores = Math.max(0, Math.min(4, Number(flags['busy-cores']) || 0));

function say(line: string): void {
	process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

const seconds = (ms: number | null | undefined) => (typeof ms === 'number' ? `${(ms / 1000).toFixed(1)} s` : '—');

/** One busy process per core, each ending by itself at the deadline (and killed when the run ends). */
function busyLoad(cores: number, forMs: number): ChildProcess[] {
	const script = `const end = Date.now() + ${forMs}; let x = 0; while (Date.now() < end) x = (x + Math.sqrt(x + 1)) % 1e9;`;
	return Array.from({length: cores}, () => spawn(process.execPath, ['-e', script], {stdio: 'ignore'}));
}

function pghaEnv(dir: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env, HOME: dir, PGHA_SSH_PASSWORD: labSshPassword};
	delete env.CI;
	return env;
}

function newestReport(dir: string): TestReport | undefined {
	const reports = path.join(dir, '.pgha', 'reports');
	const newest = existsSync(reports) ? readdirSync(reports).sort().at(-1) : undefined;
	return newest ? (JSON.parse(readFileSync(path.join(reports, newest, 'report.json'), 'utf8')) as TestReport) : undefined;
}

interface RunFigures {
	readonly run: number;
	readonly code: number;
	readonly ms: number;
	readonly load: string;
	readonly passed: string;
	readonly outages: string;
	readonly stepDown: string;
	readonly lost: string;
	readonly slow: readonly string[];
	readonly failed: readonly string[];
}

function figuresOf(run: number, code: number, ms: number, load: string, report: TestReport | undefined): RunFigures {
	if (!report) return {run, code, ms, load, passed: 'no report', outages: '—', stepDown: '—', lost: '—', slow: [], failed: ['no report written']};
	const ran = report.faults.filter(fault => !fault.skipped);
	const cut = ran.find(fault => fault.kind === 'cut');
	return {
		run,
		code,
		ms,
		load,
		passed: `${report.checks.filter(check => check.ok).length} of ${report.checks.length}${report.complete ? '' : ' (incomplete)'}`,
		outages: ran.map(fault => `${fault.kind} ${seconds(fault.outageMs)}`).join(', '),
		stepDown: cut?.demotedMs === undefined ? '—' : `${seconds(cut.demotedMs)} (bound ${seconds(cut.stepDownBoundMs)})`,
		lost: report.dataSafety ? `${report.dataSafety.lost} of ${report.dataSafety.acknowledged}` : '—',
		slow: report.checks.filter(check => check.slow).map(check => check.text.en),
		failed: report.checks.filter(check => !check.ok).map(check => check.text.en),
	};
}

async function main(): Promise<number> {
	if (process.getuid?.() !== 0 || !labAvailable()) {
		say('needs root and a lab that is up (sudo pgha lab build && sudo pgha lab up)');
		return 2;
	}

	const release = await lockLab();
	const work = mkdtempSync(path.join(os.tmpdir(), 'pgha-soak-'));
	const results: RunFigures[] = [];
	const labRelease = readState()?.release ?? 'bookworm';
	try {
		await labResetNodes();
		const file = path.join(work, 'pgha.yaml');
		copyFileSync(labClusterFile()!, file);
		say(`building the cluster on fresh Debian ${labRelease} nodes`);
		const apply = await runPgha(bin, ['apply', '--yes', '--lang', 'en'], work, pghaEnv(work), 30 * 60_000);
		if (apply.code !== 0) throw new Error(`pgha apply failed: ${apply.output.trim().split('\n').slice(-5).join(' ')}`);
		for (let run = 1; run <= runs; run++) {
			say(`run ${run} of ${runs}: pgha test with ${busyCores} busy core(s)`);
			const burners = busyLoad(busyCores, testTimeoutMs);
			const started = Date.now();
			let test: {code: number; output: string};
			let loadSamples: number[] = [];
			const sampler = setInterval(() => loadSamples.push(os.loadavg()[0]!), 10_000);
			try {
				test = await runPgha(bin, ['test', '--yes', '--lang', 'en'], work, pghaEnv(work), testTimeoutMs);
			} finally {
				clearInterval(sampler);
				for (const burner of burners) burner.kill('SIGKILL');
			}

			const load = loadSamples.length ? `${(loadSamples.reduce((sum, value) => sum + value, 0) / loadSamples.length).toFixed(2)}` : '—';
			loadSamples = [];
			const figures = figuresOf(run, test.code, Date.now() - started, load, newestReport(work));
			results.push(figures);
			say(`run ${run}: exit ${figures.code}, ${figures.passed} checks, ${seconds(figures.ms)}, load ${figures.load}; ${figures.outages}; step-down ${figures.stepDown}; lost ${figures.lost}`);
			for (const line of figures.slow) say(`  slow: ${line}`);
			for (const line of figures.failed) say(`  FAILED: ${line}`);
		}
	} finally {
		release();
		rmSync(work, {recursive: true, force: true});
	}

	const passedRuns = results.filter(result => result.code === 0).length;
	const lines = [
		'# Soak: the test stage, again and again, on a busy host',
		'',
		`${new Date().toISOString()}; Debian ${labRelease} lab; ${runs} runs of \`pgha test\` on one cluster; ${busyCores} busy core(s) of ${os.cpus().length} during each run. Generated by \`npm run soak\`.`,
		'',
		'| run | exit | checks passed | took | load (1 min avg) | write outages | cut-off leader stepped down | lost |',
		'|---|---|---|---|---|---|---|---|',
		...results.map(result => `| ${result.run} | ${result.code} | ${result.passed} | ${seconds(result.ms)} | ${result.load} | ${result.outages} | ${result.stepDown} | ${result.lost} |`),
		'',
		`**${passedRuns} of ${results.length} runs passed.**`,
		'',
		...results.flatMap(result => [...result.slow.map(line => `- run ${result.run}, slow: ${line}`), ...result.failed.map(line => `- run ${result.run}, failed: ${line}`)]),
		'',
	];
	writeFileSync(resultsFile, lines.join('\n'));
	process.stdout.write(`${lines.join('\n')}\n`);
	return passedRuns === results.length ? 0 : 1;
}

process.exitCode = await main().catch(error => {
	say(`stopped: ${(error as Error).message}`);
	return 1;
});
