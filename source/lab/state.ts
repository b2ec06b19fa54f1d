/**
 * /run/pgha-lab/state.json: what `up` created, written before each piece is created so that
 * `down` can remove exactly that, even after a crash half-way through `up`.
 */
import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import {labLayout, runDir, stateFile, switchNetns, type LabLayout} from './settings.ts';

export interface LabState {
	readonly version: 1;
	readonly prefix: string;
	readonly nodeCount: number;
	readonly switchNetns: string;
	readonly switchIp: string;
	/** The cluster file `up` wrote (absolute path). */
	readonly clusterFile: string;
	readonly startedAt: string;
	/** 'starting' until every node answered; 'up' afterwards. */
	readonly phase: 'starting' | 'up';
}

export function readState(): LabState | undefined {
	try {
		return JSON.parse(readFileSync(stateFile, 'utf8')) as LabState;
	} catch {
		return undefined;
	}
}

export function writeState(state: LabState): void {
	mkdirSync(runDir, {recursive: true, mode: 0o755});
	const temporary = `${stateFile}.tmp`;
	writeFileSync(temporary, `${JSON.stringify(state, undefined, 2)}\n`, {mode: 0o644});
	renameSync(temporary, stateFile);
}

export function layoutOf(state: LabState): LabLayout {
	return labLayout(state.prefix, state.nodeCount);
}

export function labIsUp(): boolean {
	return readState() !== undefined || existsSync(`/run/netns/${switchNetns}`);
}
