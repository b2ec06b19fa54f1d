/**
 * Patroni from pip through a package index, on fresh trixie lab nodes (issue 13, "Bad input and
 * faults"): the lab's own index installs the pinned release; then a pinned version the index does
 * not have, and an index that does not answer, each stop the Patroni installation on the nodes
 * with a sentence naming the version or the address, after its retries (the packages are in place
 * by then, so those runs only redo the venv).
 */
import test, {type ExecutionContext} from 'ava';
import {labState, requireLab, useLab} from '../helpers/lab.ts';
import {makeWorkdir, nodeNumbers, nodeOutput, runPgha, type PghaResult, type Workdir} from '../helpers/e2e.ts';

useLab(test);

const workdirs: Workdir[] = [];
test.after.always(() => {
	for (const work of workdirs) work.remove();
});

function tail(result: PghaResult): string {
	return `${result.stdout.split('\n').slice(-15).join('\n')}\n--- stderr\n${result.stderr.split('\n').slice(-15).join('\n')}`;
}

/** Packages and the Patroni installation only: what pip needs and pip itself. */
async function installPatroni(t: ExecutionContext, patroni: Record<string, unknown>): Promise<PghaResult> {
	const work = makeWorkdir('patroni-index', doc => {
		doc['patroni'] = {...doc['patroni'], ...patroni};
	});
	workdirs.push(work);
	const result = await runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes', '--only', 'packages,patroni-install'], timeoutMs: 15 * 60_000});
	t.log(`patroni ${JSON.stringify(patroni)}: exit ${result.code} after ${(result.ms / 1000).toFixed(1)} s`);
	return result;
}

function venvLab(t: ExecutionContext): boolean {
	if (!requireLab(t)) return false;
	if (labState()?.release !== 'trixie') {
		t.fail(`this file needs the trixie lab (its Python index), not ${labState()?.release}`);
		return false;
	}

	return true;
}

test.serial('the lab\'s index: the pinned Patroni 4.0.7 installs on every node, the venv owned by postgres', async t => {
	if (!venvLab(t)) return;
	t.timeout(15 * 60_000);
	const result = await installPatroni(t, {});
	t.is(result.code, 0, tail(result));
	for (const node of nodeNumbers()) {
		t.is(await nodeOutput(node, 'patroni --version'), 'patroni 4.0.7');
		t.is(await nodeOutput(node, 'stat -c %U /opt/patroni-venv/bin/python3'), 'postgres');
		t.regex(await nodeOutput(node, '/opt/patroni-venv/bin/pip list --format=freeze 2>/dev/null'), /^psycopg2-binary==2\.9\.10$/m);
	}
});

test.serial('a pinned Patroni the index does not have: the stage fails naming the version and the index', async t => {
	if (!venvLab(t)) return;
	t.timeout(15 * 60_000);
	const result = await installPatroni(t, {version: '9.9.9'});
	t.is(result.code, 1, tail(result));
	t.regex(result.stderr, /pg-node-1: the package index http:\/\/192\.168\.0\.10\/pypi\/simple has no patroni==9\.9\.9\. Patroni 9\.9\.9 is pinned \(patroni\.version\)/);
	t.regex(result.stdout + result.stderr, /Install Patroni \[RETRY/, 'the step was retried before it gave up');
	for (const node of nodeNumbers()) t.is(await nodeOutput(node, 'test -e /opt/patroni-venv/bin/patroni && echo yes || echo no'), 'no');
});

test.serial('an index that does not answer: the stage fails naming its address', async t => {
	if (!venvLab(t)) return;
	t.timeout(15 * 60_000);
	const result = await installPatroni(t, {index_url: 'http://192.168.0.10:9/simple'});
	t.is(result.code, 1, tail(result));
	t.regex(result.stderr, /the package index http:\/\/192\.168\.0\.10:9\/simple cannot be reached from the node/);
});
