/** What the commands receive from a command line that is accepted (the rejections: bad-input-table.test.ts). */
import test from 'ava';
import {parseCommandLine, type CommandLine} from '../../source/cli/parse.ts';
import {CliUsageError} from '../../source/cli/messages.ts';

const terminal = {interactive: true};

function run(line: CommandLine) {
	if (line.kind !== 'run') throw new Error(`expected a run, got ${line.kind}`);
	return {command: line.args.command, positionals: line.args.positionals, flags: Object.fromEntries(line.args.flags), rest: line.args.rest};
}

test('apply: long names, short aliases, a repeated --only merged and deduplicated', t => {
	t.deepEqual(run(parseCommandLine(['apply', '-y', '-c', 'x.yaml', '--only', 'etcd,patroni', '--only=etcd', '--lang=ru'], terminal)), {
		command: 'apply', positionals: [], rest: [],
		flags: {yes: true, config: 'x.yaml', only: 'etcd,patroni', lang: 'ru'},
	});
});

test('options may come before the command, and the same value twice is no contradiction', t => {
	t.deepEqual(run(parseCommandLine(['--lang', 'en', 'status', '-c', 'a.yaml', '--config=a.yaml'], terminal)).flags, {lang: 'en', config: 'a.yaml'});
});

test('lab: options before the lab command, the node number and the command after --', t => {
	t.deepEqual(run(parseCommandLine(['lab', '--lang', 'en', 'exec', '2', '--', 'id -u; hostname; exit 7'], terminal)), {
		command: 'lab', positionals: ['exec', '2'], flags: {lang: 'en'}, rest: ['id -u; hostname; exit 7'],
	});
	t.deepEqual(run(parseCommandLine(['lab', 'exec', '2', '--', 'test', '-d', '/etc'], terminal)).rest, ['test', '-d', '/etc']);
	t.deepEqual(run(parseCommandLine(['lab', 'up', '--nodes', '3', '--prefix', '192.168.0', '-o', '/tmp/p.yaml'], terminal)).flags, {nodes: '3', prefix: '192.168.0', output: '/tmp/p.yaml'});
});

test('--help per command, --version only for pgha itself', t => {
	const help = parseCommandLine(['apply', '--onyl', '--help'], terminal);
	t.is(help.kind === 'help' ? help.spec.name : '', 'apply', 'asking for help wins over a typo');
	const lab = parseCommandLine(['lab', 'up', '-h'], terminal);
	t.is(lab.kind === 'help' ? lab.spec.name : '', 'lab up');
	t.is(parseCommandLine(['--version'], terminal).kind, 'version');
	t.throws(() => parseCommandLine(['apply', '--version'], terminal), {instanceOf: CliUsageError});
});

test('--step is accepted with a terminal, refused without one', t => {
	t.deepEqual(run(parseCommandLine(['test', '--step'], terminal)).flags, {step: true});
	t.throws(() => parseCommandLine(['test', '--step'], {interactive: false}), {instanceOf: CliUsageError, message: /no terminal/});
});

test('apply --only test is a known stage (the test stage is read from the stage list)', t => {
	t.deepEqual(run(parseCommandLine(['apply', '--only', 'haproxy,test'], terminal)).flags, {only: 'haproxy,test'});
});

test('test --only: the tests by the names a student types, repeated and comma-separated, deduplicated', t => {
	t.deepEqual(run(parseCommandLine(['test', '--only', 'kill,poweroff', '--only=kill', '--only', ' cut '], terminal)).flags, {only: 'kill,poweroff,cut'});
	t.deepEqual(run(parseCommandLine(['test', '--only', 'switchover,data-safety', '--max-outage', '40'], terminal)).flags, {only: 'switchover,data-safety', 'max-outage': '40'});
	// The report's own ids are for PGHA_TEST_ONLY; the option takes the short names.
	t.throws(() => parseCommandLine(['test', '--only', 'failover-kill'], terminal), {instanceOf: CliUsageError});
});

test('test --timing takes a preset name and refuses anything else, naming the choices', t => {
	t.deepEqual(run(parseCommandLine(['test', '--only', 'kill', '--timing', 'fast'], terminal)).flags, {only: 'kill', timing: 'fast'});
	t.throws(() => parseCommandLine(['test', '--timing', 'quick'], terminal), {instanceOf: CliUsageError, message: /--timing.*default.*fast/s});
});

test('practice: the start with its options, the follow-ups as the first positional, help with the follow-ups listed', t => {
	t.deepEqual(run(parseCommandLine(['practice', '--scenario', 'etcd-v2', '-y', '-c', 'x.yaml'], terminal)), {
		command: 'practice', positionals: [], rest: [], flags: {scenario: 'etcd-v2', yes: true, config: 'x.yaml'},
	});
	t.deepEqual(run(parseCommandLine(['-c', 'x.yaml', 'practice', '--lang', 'ru', 'undo'], terminal)), {
		command: 'practice', positionals: ['undo'], rest: [], flags: {config: 'x.yaml', lang: 'ru'},
	});
	t.deepEqual(run(parseCommandLine(['practice', 'hint'], terminal)).positionals, ['hint']);
	t.deepEqual(run(parseCommandLine(['practice', '--list'], terminal)).flags, {list: true});
	for (const line of [['practice', '--help'], ['practice', 'help'], ['help', 'practice']]) {
		const help = parseCommandLine(line, terminal);
		t.is(help.kind === 'help' ? help.spec.name : '', 'practice', line.join(' '));
		t.deepEqual(help.kind === 'help' ? help.subcommands.map(spec => spec.name) : [], ['practice hint', 'practice check', 'practice undo'], line.join(' '));
	}
	const check = parseCommandLine(['practice', 'check', '-h'], terminal);
	t.is(check.kind === 'help' ? check.spec.name : '', 'practice check');
	t.throws(() => parseCommandLine(['practice', 'hint', '--scenario', 'paused'], terminal), {instanceOf: CliUsageError});
});
