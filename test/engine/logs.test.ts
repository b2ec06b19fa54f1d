import test from 'ava';
import {readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {makeStage, markStep, nodeNames, twoStages} from '../helpers/engine-fixtures.ts';
import {bench} from '../helpers/engine-run.ts';

function allFiles(dir: string): string[] {
	return readdirSync(dir, {withFileTypes: true}).flatMap(entry => {
		const full = path.join(dir, entry.name);
		return entry.isDirectory() ? allFiles(full) : [full];
	});
}

test('each node gets one log file per run with every command and its output', async t => {
	const b = bench();
	const stages = [makeStage('a', [markStep('a1', {extra: () => [{kind: 'run', command: 'print 2 Setting up postgresql-16'}]})])];
	const result = await b.run(stages);
	t.deepEqual(readdirSync(result.logDir).sort(), nodeNames.map(name => `${name}.log`));
	const log = readFileSync(path.join(result.logDir, 'pg-node-2.log'), 'utf8');
	const lines = log.trimEnd().split('\n').map(line => line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} /, ''));
	t.deepEqual(lines, [
		'[a/a1] $ test a1',
		'[a/a1] # exit code 1',
		'[a/a1] # applying',
		'[a/a1] $ print 2 Setting up postgresql-16',
		'[a/a1]   Setting up postgresql-16 1',
		'[a/a1]   Setting up postgresql-16 2',
		'[a/a1] $ sudo mark a1',
		'[a/a1] $ confirm a1',
		'[a/a1] # done',
	]);
});

test('secrets in commands and output are masked in the log', async t => {
	const b = bench();
	const password = b.secrets.superuserPassword;
	const stages = [makeStage('a', [markStep('a1', {extra: () => [{kind: 'run', command: `echo ALTER ROLE postgres PASSWORD '${password}'`}]})])];
	const result = await b.run(stages);
	const log = readFileSync(path.join(result.logDir, 'pg-node-1.log'), 'utf8');
	t.true(log.includes("$ echo ALTER ROLE postgres PASSWORD '******'"));
	t.true(log.includes("  ALTER ROLE postgres PASSWORD '******'"));
	t.false(log.includes(password));
});

test('the SSH password given to mask is hidden too', async t => {
	const b = bench();
	const stages = [makeStage('a', [markStep('a1', {extra: () => [{kind: 'run', command: 'echo sudo said Tr0ub4dor&3'}]})])];
	const result = await b.run(stages, {mask: ['Tr0ub4dor&3']});
	t.false(readFileSync(path.join(result.logDir, 'pg-node-3.log'), 'utf8').includes('Tr0ub4dor&3'));
});

test('no secret reaches any file pgha writes, even when a step fails with it in the message', async t => {
	const b = bench();
	const secret = b.secrets.replicationPassword;
	b.remotes.get('pg-node-1')!.on(command => (command === 'mark a2' ? {code: 2, stderr: `password authentication failed: ${secret}`} : undefined));
	const stages = [makeStage('a', [markStep('a1', {extra: () => [{kind: 'write', path: '/etc/patroni/patroni.yml', content: `password: ${secret}\n`, mode: 0o600, owner: 'postgres'}]}), markStep('a2')])];
	const result = await b.run(stages);
	t.is(result.status, 'failed');
	t.is(result.stages[0]!.failures[0]!.message, '"mark a2" failed with exit code 2: password authentication failed: ******');
	const files = allFiles(path.join(b.dir, '.pgha'));
	t.true(files.some(file => file.endsWith('state.json')));
	for (const file of files) t.false(readFileSync(file, 'utf8').includes(secret), file);
	t.true(readFileSync(path.join(result.logDir, 'pg-node-1.log'), 'utf8').includes('$ write /etc/patroni/patroni.yml (mode 0600, owner postgres, '));
});

test('log files and the state file are private to the user', async t => {
	const b = bench();
	const result = await b.run(twoStages());
	t.is(statSync(result.logDir).mode & 0o777, 0o700);
	t.is(statSync(path.join(result.logDir, 'pg-node-1.log')).mode & 0o777, 0o600);
	t.is(statSync(path.join(b.dir, '.pgha', 'state.json')).mode & 0o777, 0o600);
});

test('two runs write two log folders', async t => {
	const b = bench();
	const first = await b.run(twoStages());
	const second = await b.run(twoStages());
	t.not(first.logDir, second.logDir);
	t.true(readFileSync(path.join(second.logDir, 'pg-node-1.log'), 'utf8').includes('[a/a1] # recorded as done and verified'));
});
