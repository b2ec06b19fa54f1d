/**
 * /run/pgha-lab/state.json: what `up` created, written before each piece is created so that
 * `down` can remove exactly that, even after a crash half-way through `up`.
 */
import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import {labLayout, runDir, stateFile, switchNetns, type LabLayout, type LabRelease} from './settings.ts';

export interface LabState {
	readonly version: 1;
	/** The Debian release of the nodes (absent in states written before releases existed: bookworm). */
	readonly release: LabRelease;
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
		const state = JSON.parse(readFileSync(stateFile, 'utf8')) as LabState;
		return {...state, release: state.release ?? 'bookworm'};
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
	return labLayout(state.prefix, state.nodeCount, state.release);
}

export function labIsUp(): boolean {
	return readState() !== undefined || existsSync(`/run/netns/${switchNetns}`);
}
