/**
 * Failover figures from pgha's own test stage: build the cluster with a timing preset, run
 * `pgha test`, and read the write outage through HAProxy's write port per fault from its
 * report.json (.pgha/reports/<run>/report.json, source/cluster-test/model.ts TestReport).
 */
import {spawn} from 'node:child_process';
import {copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseDocument} from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface FailoverFigures {
	/** Outage in ms through the write port; undefined when the report has no figure for the fault. */
	readonly graceful: number | undefined;
	readonly kill: number | undefined;
	/** How long the build and `pgha test` took, and the test's exit code (1 = a bound or check failed). */
	readonly applyMs: number;
	readonly testMs: number;
	readonly testCode: number;
	/** Patroni timing the report says it ran with. */
	readonly timing?: string;
	/** The test stage's checks that failed (English), e.g. a node that did not rejoin. */
	readonly failedChecks: readonly string[];
}

export interface FailoverOptions {
	readonly bin: string;
	readonly clusterFile: string;
	readonly preset: 'default' | 'fast';
	readonly work: string;
	readonly env: (dir: string) => NodeJS.ProcessEnv;
}

/** pgha as a child process, its output kept, killed after `timeoutMs`. */
export function runPgha(bin: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{code: number; output: string}> {
	return new Promise(resolve => {
		const child = spawn(process.execPath, [bin, ...args], {cwd, env, stdio: ['ignore', 'pipe', 'pipe']});
		let output = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('error', error => {
			clearTimeout(timer);
			resolve({code: 127, output: output + error.message});
		});
		child.on('close', code => {
			clearTimeout(timer);
			resolve({code: code ?? 128, output});
		});
	});
}

/** `pgha test` exists and answers --help. */
export async function failoverAvailable(bin: string): Promise<{ok: true} | {ok: false; why: string}> {
	if (!existsSync(path.join(root, 'source/commands/test.ts'))) return {ok: false, why: '`pgha test` does not exist yet (no source/commands/test.ts)'};
	const help = await runPgha(bin, ['test', '--help'], root, process.env, 30_000);
	if (help.code !== 0) return {ok: false, why: `\`pgha test --help\` exited ${help.code}`};
	return {ok: true};
}

/** One build + test run on fresh nodes (the caller resets them and holds the lab). */
export async function measureFailover(options: FailoverOptions): Promise<FailoverFigures> {
	const dir = mkdtempSync(path.join(options.work, `failover-${options.preset}-`));
	const file = path.join(dir, 'pgha.yaml');
	copyFileSync(options.clusterFile, file);
	if (options.preset === 'fast') {
		const document = parseDocument(readFileSync(file, 'utf8'));
		document.setIn(['timing', 'preset'], 'fast');
		document.setIn(['haproxy', 'inter'], '1s');
		writeFileSync(file, document.toString());
	}

	const env = options.env(dir);
	const applyStart = Date.now();
	const apply = await runPgha(options.bin, ['apply', '--yes', '--lang', 'en'], dir, env, 30 * 60_000);
	if (apply.code !== 0) throw new Error(`pgha apply (${options.preset}) failed: ${apply.output.trim().split('\n').slice(-5).join(' ')}`);
	const testStart = Date.now();
	const test = await runPgha(options.bin, ['test', '--yes', '--lang', 'en'], dir, env, 45 * 60_000);
	const testMs = Date.now() - testStart;
	const reports = path.join(dir, '.pgha', 'reports');
	const newest = existsSync(reports) ? readdirSync(reports).sort().at(-1) : undefined;
	if (!newest) throw new Error(`pgha test (${options.preset}) wrote no report (exit ${test.code}): ${test.output.trim().split('\n').slice(-5).join(' ')}`);
	const report = JSON.parse(readFileSync(path.join(reports, newest, 'report.json'), 'utf8')) as {
		faults?: Array<{kind: string; outageMs: number | null; skipped?: unknown}>;
		checks?: Array<{test: string; ok: boolean; text?: {en?: string}}>;
		settings?: {ttl?: number; loopWait?: number; retryTimeout?: number; inter?: string};
	};
	const outage = (kind: string) => {
		const fault = report.faults?.find(item => item.kind === kind && !item.skipped);
		return typeof fault?.outageMs === 'number' ? fault.outageMs : undefined;
	};

	const settings = report.settings;
	return {
		graceful: outage('graceful'),
		kill: outage('kill'),
		applyMs: testStart - applyStart,
		testMs,
		testCode: test.code,
		failedChecks: (report.checks ?? []).filter(check => !check.ok).map(check => `${check.test}: ${check.text?.en ?? 'failed'}`),
		...(settings ? {timing: `ttl ${settings.ttl} / loop_wait ${settings.loopWait} / retry_timeout ${settings.retryTimeout}${settings.inter ? `, inter ${settings.inter}` : ''}`} : {}),
	};
}
