import test from 'ava';
import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {readState, resumePoint, setAsideUnusableState, StateFile, summarizeStages} from '../../source/engine/state.ts';
import {stateShapeProblem} from '../../source/engine/state-shape.ts';

function stateFile(): string {
	return path.join(mkdtempSync(path.join(os.tmpdir(), 'pgha-state-')), '.pgha', 'state.json');
}

const record = {status: 'done' as const, fingerprint: 'f1', runId: 'r1', startedAt: '2026-11-27T10:00:00.000Z', endedAt: '2026-11-27T10:01:00.000Z'};

test('a new state file starts empty and is written on the first change', async t => {
	const file = stateFile();
	const state = await StateFile.open(file);
	t.deepEqual(state.data.stages, {});
	await state.setNode('packages', 'pg-node-1', record);
	t.deepEqual((await readState(file)).stages, {packages: {nodes: {'pg-node-1': record}}});
});

test('a crash before the rename leaves the previous state intact', async t => {
	const file = stateFile();
	const first = await StateFile.open(file);
	await first.setNode('packages', 'pg-node-1', record);
	const crashing = await StateFile.open(file, {
		beforeCommit() {
			throw new Error('killed');
		},
	});
	await t.throwsAsync(crashing.setNode('packages', 'pg-node-2', {...record, status: 'running'}), {message: 'killed'});
	t.deepEqual(Object.keys((await readState(file)).stages.packages!.nodes), ['pg-node-1']);
});

test('a temp file left by a killed writer is ignored and cleaned up', async t => {
	const file = stateFile();
	const first = await StateFile.open(file);
	await first.setNode('packages', 'pg-node-1', record);
	// What SIGKILL between write and rename leaves: a half-written temp file beside the real one.
	const leftover = path.join(path.dirname(file), `.state.json.12345.abcd1234.pgha-tmp`);
	writeFileSync(leftover, '{"version": 1, "stag');
	const reopened = await StateFile.open(file);
	t.deepEqual(Object.keys(reopened.data.stages.packages!.nodes), ['pg-node-1']);
	t.deepEqual(readdirSync(path.dirname(file)), ['state.json']);
});

test('concurrent updates all reach the file', async t => {
	const file = stateFile();
	const state = await StateFile.open(file);
	await Promise.all(Array.from({length: 30}, (_, index) => state.setNode('etcd', `node-${index}`, record)));
	t.is(Object.keys((await readState(file)).stages.etcd!.nodes).length, 30);
	t.deepEqual(readdirSync(path.dirname(file)), ['state.json']);
});

test('a state file that cannot be read is moved aside, not lost', async t => {
	const file = stateFile();
	await (await StateFile.open(file)).setNode('packages', 'pg-node-1', record);
	writeFileSync(file, '{ not json');
	const state = await StateFile.open(file);
	t.deepEqual(state.data.stages, {});
	t.is(state.warnings.length, 1);
	const aside = readdirSync(path.dirname(file)).find(name => name.startsWith('state.json.unreadable-'));
	t.truthy(aside);
	t.is(readFileSync(path.join(path.dirname(file), aside!), 'utf8'), '{ not json');
});

test('only the last 20 runs are kept', async t => {
	const state = await StateFile.open(stateFile());
	for (let index = 0; index < 25; index++) await state.startRun(`run-${index}`);
	t.is(state.data.runs.length, 20);
	t.is(state.data.runs[0]!.id, 'run-5');
});

test('clear forgets everything recorded', async t => {
	const file = stateFile();
	const state = await StateFile.open(file);
	await state.setNode('packages', 'pg-node-1', record);
	await state.clear();
	t.deepEqual((await readState(file)).stages, {});
});

test('the resume summary shows done, failed with why, interrupted and pending', async t => {
	const state = await StateFile.open(stateFile());
	await state.setNode('vm-checks', 'pg-node-1', record);
	await state.setNode('packages', 'pg-node-1', record);
	await state.setNode('packages', 'pg-node-2', {...record, status: 'failed', step: 'install', error: 'E: Unable to locate package postgresql-16'});
	await state.setNode('etcd', 'pg-node-3', {...record, status: 'running', step: 'download', endedAt: undefined});
	const stages = ['vm-checks', 'packages', 'etcd', 'patroni'].map(id => ({id}));
	const summary = summarizeStages(state.data, stages);
	t.deepEqual(summary, [
		{id: 'vm-checks', status: 'done', endedAt: '2026-11-27T10:01:00.000Z'},
		{id: 'packages', status: 'failed', node: 'pg-node-2', step: 'install', error: 'E: Unable to locate package postgresql-16', endedAt: '2026-11-27T10:01:00.000Z'},
		{id: 'etcd', status: 'interrupted', node: 'pg-node-3', step: 'download'},
		{id: 'patroni', status: 'pending'},
	]);
	t.is(resumePoint(summary), 'packages');
});

test('a stage stopped by Ctrl+C reads as interrupted on the resume screen, not as an error in English', async t => {
	const state = await StateFile.open(stateFile());
	await state.setNode('packages', 'pg-node-1', {...record, status: 'failed', step: 'install', error: 'pg-node-1: interrupted (Ctrl+C)'});
	const [packages] = summarizeStages(state.data, [{id: 'packages'}]);
	t.deepEqual(packages, {id: 'packages', status: 'interrupted', node: 'pg-node-1', step: 'install', endedAt: '2026-11-27T10:01:00.000Z'});
	t.is(resumePoint([packages!]), 'packages');
});

test('a state with the right version but a wrong inner shape is found out, down to the field', t => {
	const good = {version: 1, stages: {etcd: {nodes: {'pg-node-1': record}}}, facts: {'pg-node-1': {arch: 'amd64'}}, runs: [{id: 'r1', startedAt: record.startedAt}]};
	t.is(stateShapeProblem(good), undefined);
	t.is(stateShapeProblem({...good, stages: {etcd: {}}}), 'stages.etcd.nodes');
	t.is(stateShapeProblem({...good, stages: {etcd: {nodes: {'pg-node-1': {...record, status: 'finished'}}}}}), 'stages.etcd.nodes.pg-node-1.status');
	t.is(stateShapeProblem({...good, stages: {etcd: {nodes: {'pg-node-1': {...record, fingerprint: 7}}}}}), 'stages.etcd.nodes.pg-node-1.fingerprint');
	t.is(stateShapeProblem({...good, facts: {'pg-node-1': {arch: 1}}}), 'facts.pg-node-1');
	t.is(stateShapeProblem({...good, runs: [{id: 1}]}), 'runs[0]');
	t.is(stateShapeProblem([]), '(top level)');
});

test('before a run, an unusable state file is set aside with one sentence in both languages', async t => {
	const file = stateFile();
	await StateFile.open(file);
	writeFileSync(file, JSON.stringify({version: 1, stages: {etcd: {nodes: {'pg-node-1': null}}}}));
	const notice = await setAsideUnusableState(file, 1234);
	t.is(notice?.en, `${file} cannot be used (wrong at: stages.etcd.nodes.pg-node-1); it was renamed to state.json.unreadable-1234 and pgha re-verifies everything on the nodes.`);
	t.regex(notice?.ru ?? '', /не подходит \(место ошибки: stages\.etcd\.nodes\.pg-node-1\); он переименован в state\.json\.unreadable-1234/);
	t.deepEqual(readdirSync(path.dirname(file)), ['state.json.unreadable-1234']);
	t.deepEqual((await readState(file)).stages, {});
	t.is(await setAsideUnusableState(file), undefined, 'nothing left to set aside');
});

test('a usable state file is left where it is', async t => {
	const file = stateFile();
	const state = await StateFile.open(file);
	await state.setNode('etcd', 'pg-node-1', record);
	t.is(await setAsideUnusableState(file), undefined);
	t.deepEqual((await readState(file)).stages, {etcd: {nodes: {'pg-node-1': record}}});
});
