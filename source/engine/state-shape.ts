/**
 * The whole shape of .pgha/state.json, checked before any of it is used: a file with the right
 * version but a wrong inner shape (edited by hand, written by another pgha) must be set aside, not
 * fail later with "Cannot read properties of undefined".
 */
import type {StateData} from './state.ts';

const statuses = new Set(['running', 'done', 'failed', 'skipped']);

type Dict = Record<string, unknown>;

const isDict = (value: unknown): value is Dict => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const optionalString = (value: unknown): boolean => value === undefined || isString(value);

function recordProblem(record: unknown, where: string): string | undefined {
	if (!isDict(record)) return where;
	if (!statuses.has(record.status as string)) return `${where}.status`;
	for (const key of ['fingerprint', 'runId', 'startedAt'] as const) if (!isString(record[key])) return `${where}.${key}`;
	for (const key of ['endedAt', 'step', 'error'] as const) if (!optionalString(record[key])) return `${where}.${key}`;
	return undefined;
}

/** The first place where `data` is not a StateData (a JSON path), or undefined when it is one. */
export function stateShapeProblem(data: unknown): string | undefined {
	if (!isDict(data)) return '(top level)';
	if (data.version !== 1) return 'version';
	if (!isDict(data.stages)) return 'stages';
	for (const [stage, entry] of Object.entries(data.stages)) {
		if (!isDict(entry) || !isDict(entry.nodes)) return `stages.${stage}.nodes`;
		for (const [node, record] of Object.entries(entry.nodes)) {
			const problem = recordProblem(record, `stages.${stage}.nodes.${node}`);
			if (problem) return problem;
		}
	}

	if (data.facts !== undefined) {
		if (!isDict(data.facts)) return 'facts';
		for (const [node, facts] of Object.entries(data.facts)) {
			if (!isDict(facts) || !Object.values(facts).every(isString)) return `facts.${node}`;
		}
	}

	if (data.runs !== undefined) {
		if (!Array.isArray(data.runs)) return 'runs';
		for (const [index, run] of data.runs.entries()) {
			if (!isDict(run) || !isString(run.id) || !isString(run.startedAt) || !optionalString(run.endedAt) || !optionalString(run.status)) return `runs[${index}]`;
		}
	}

	return undefined;
}

export function isStateData(data: unknown): data is Partial<StateData> & Pick<StateData, 'version' | 'stages'> {
	return stateShapeProblem(data) === undefined;
}
