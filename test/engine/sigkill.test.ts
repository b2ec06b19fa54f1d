import test from 'ava';
import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {nodeNames, tempDir} from '../helpers/engine-fixtures.ts';

const child = fileURLToPath(new URL('../fixtures/engine-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Outcome {
	readonly output: string;
	readonly signal: NodeJS.Signals | null;
}

/**
 * Starts the engine in a child process. With `block`, kills it with SIGKILL as soon as it reports
 * being stuck there; a guard kills it after 60 s so a broken engine cannot hang the suite.
 */
function runChild(dir: string, block?: string): Promise<Outcome> {
	return new Promise((resolve, reject) => {
		const process_ = spawn(process.execPath, ['--import=tsx', child, dir, ...(block ? [block] : [])], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
		let output = '';
		let errors = '';
		const guard = setTimeout(() => process_.kill('SIGKILL'), 60_000);
		process_.stdout.setEncoding('utf8').on('data', (chunk: string) => {
			output += chunk;
			if (block && output.includes('BLOCKED\n')) process_.kill('SIGKILL');
		});
		process_.stderr.setEncoding('utf8').on('data', (chunk: string) => {
			errors += chunk;
		});
		process_.on('error', reject);
		process_.on('close', (code, signal) => {
			clearTimeout(guard);
			if (!block && code !== 0) reject(new Error(`engine child failed (${code}): ${errors}`));
			else resolve({output, signal});
		});
	});
}

function marks(dir: string, node: string): string[] {
	try {
		return readFileSync(path.join(dir, `${node}.marks`), 'utf8').split('\n').filter(Boolean);
	} catch {
		return [];
	}
}

test('SIGKILL at any moment, then a restart, finishes the work without applying any step twice', async t => {
	const dir = tempDir('pgha-sigkill-');
	// [where to kill, node, marks it must have by then, a mark it must not have yet]
	const kills: Array<[string, string, string[], string]> = [
		['before:pg-node-2:mark a2', 'pg-node-2', ['a1'], 'a2'], // mid stage a, before the work happened
		['before:pg-node-1:confirm a3', 'pg-node-1', ['a1', 'a2', 'a3'], 'b1'], // after the work, before pgha verified it
		['before:pg-node-3:test b1', 'pg-node-3', ['a1', 'a2', 'a3'], 'b1'], // stage a recorded done, stage b starting
		['after:pg-node-1:mark b2', 'pg-node-1', ['b1', 'b2'], 'b3'], // the work happened, pgha never heard back
	];
	for (const [block, node, has, lacks] of kills) {
		const outcome = await runChild(dir, block);
		t.is(outcome.signal, 'SIGKILL', block);
		t.false(outcome.output.includes('RESULT'), block);
		const now = marks(dir, node);
		for (const mark of has) t.true(now.includes(mark), `${block}: ${mark}`);
		t.false(now.includes(lacks), `${block}: ${lacks}`);
	}

	const finished = await runChild(dir);
	t.true(finished.output.includes('RESULT {"status":"done"'), finished.output);
	for (const node of nodeNames) t.deepEqual(marks(dir, node).sort(), ['a1', 'a2', 'a3', 'b1', 'b2', 'b3'], node);

	// And a further start has nothing left to do.
	const again = await runChild(dir);
	t.true(again.output.includes('RESULT {"status":"done","stages":["already-done","already-done"]}'), again.output);
	for (const node of nodeNames) t.is(marks(dir, node).length, 6, node);
});
