/**
 * Front-door figures: the cluster is built once per timing preset with HAProxy on every node and a
 * floating address, then `pgha test` runs only the three faults that take the entry node down,
 * `runs` times on the same cluster: the VIP holder powered off while it is the leader (the
 * poweroff fault puts the leader there), powered off while it is not, and its HAProxy killed.
 * The figures come from each run's report.json.
 */
import {copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {parseDocument} from 'yaml';
import {runPgha} from './failover.ts';

export const frontDoorFaults = ['poweroff', 'entry-poweroff', 'entry-haproxy'] as const;
export type FrontDoorFault = typeof frontDoorFaults[number];

export interface FrontDoorRun {
	/** Per fault: write outage through the VIP, through the multi-host string, read outage, VIP move (ms). */
	readonly figures: Partial<Record<FrontDoorFault, {write: number | null; multiHost: number | null; read: number | null; vipMoved: number | null}>>;
	readonly testCode: number;
	readonly testMs: number;
	readonly failedChecks: readonly string[];
}

export interface FrontDoorOptions {
	readonly bin: string;
	readonly clusterFile: string;
	readonly preset: 'default' | 'fast';
	readonly work: string;
	readonly env: (dir: string) => NodeJS.ProcessEnv;
	readonly vip: string;
}

/** Builds the front-door layout on the (fresh) lab nodes; returns the folder holding its cluster file. */
export async function buildFrontDoor(options: FrontDoorOptions): Promise<string> {
	const dir = mkdtempSync(path.join(options.work, `front-door-${options.preset}-`));
	const file = path.join(dir, 'pgha.yaml');
	copyFileSync(options.clusterFile, file);
	const document = parseDocument(readFileSync(file, 'utf8'));
	document.set('haproxy', {nodes: 'all', vip: options.vip, inter: '1s'});
	document.set('synchronous_mode', true);
	if (options.preset === 'fast') document.setIn(['timing', 'preset'], 'fast');
	writeFileSync(file, document.toString());
	const apply = await runPgha(options.bin, ['apply', '--yes', '--lang', 'en'], dir, options.env(dir), 30 * 60_000);
	if (apply.code !== 0) throw new Error(`pgha apply (front door, ${options.preset}) failed: ${apply.output.trim().split('\n').slice(-5).join(' ')}`);
	return dir;
}

/** One `pgha test` limited to the three entry faults. */
export async function measureFrontDoor(options: FrontDoorOptions, dir: string): Promise<FrontDoorRun> {
	const reports = path.join(dir, '.pgha', 'reports');
	const before = new Set(existsSync(reports) ? readdirSync(reports) : []);
	const started = Date.now();
	const only = frontDoorFaults.map(kind => `failover-${kind}`).join(',');
	const test = await runPgha(options.bin, ['test', '--lang', 'en'], dir, {...options.env(dir), PGHA_TEST_ONLY: only}, 30 * 60_000);
	const testMs = Date.now() - started;
	const newest = existsSync(reports) ? readdirSync(reports).filter(name => !before.has(name)).sort().at(-1) : undefined;
	if (!newest) throw new Error(`pgha test (front door) wrote no report (exit ${test.code}): ${test.output.trim().split('\n').slice(-5).join(' ')}`);
	const report = JSON.parse(readFileSync(path.join(reports, newest, 'report.json'), 'utf8')) as {
		faults?: Array<{kind: string; outageMs: number | null; skipped?: unknown; entry?: {multiHostOutageMs: number | null; readOutageMs: number | null; vipMovedMs: number | null}}>;
		checks?: Array<{test: string; ok: boolean; text?: {en?: string}}>;
	};
	const figures: FrontDoorRun['figures'] = {};
	for (const kind of frontDoorFaults) {
		const fault = report.faults?.find(item => item.kind === kind && !item.skipped);
		if (fault) figures[kind] = {write: fault.outageMs, multiHost: fault.entry?.multiHostOutageMs ?? null, read: fault.entry?.readOutageMs ?? null, vipMoved: fault.entry?.vipMovedMs ?? null};
	}

	return {figures, testCode: test.code, testMs, failedChecks: (report.checks ?? []).filter(check => !check.ok).map(check => `${check.test}: ${check.text?.en ?? 'failed'}`)};
}
