/**
 * practice's start, hint, check and undo against fake nodes and a fake doctor: what it refuses
 * (a sick cluster, the student's VMs without a yes, a second scenario), what it runs where, and
 * what it writes down. The fakes record every root script, so "nothing was broken" is checked.
 */
import test from 'ava';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {ClusterConfig} from '../../source/core/cluster.ts';
import type {ExecOptions, ExecResult, Remote} from '../../source/core/remote.ts';
import type {Text} from '../../source/core/text.ts';
import {diagnose} from '../../source/doctor/rules/index.ts';
import type {ClusterFacts} from '../../source/doctor/facts.ts';
import {checkPractice, hintPractice, startPractice, undoPractice, type PracticeIo} from '../../source/practice/flow.ts';
import {readProgress} from '../../source/practice/progress.ts';
import {clusterFacts, doctorCluster, type FactsOptions} from '../helpers/doctor-fixtures.ts';

interface Ran {
	readonly node: string;
	readonly command: string;
	readonly options?: ExecOptions;
}

class FakeNode implements Remote {
	readonly host = '';
	/** Exit code per call, by a fragment of the script; 0 otherwise. */
	failing: Array<{match: string; code: number}> = [];
	constructor(readonly name: string, private readonly log: Ran[]) {}
	async exec(command: string, options?: ExecOptions): Promise<ExecResult> {
		this.log.push({node: this.name, command, options});
		const failure = this.failing.find(item => command.includes(item.match));
		return {code: failure?.code ?? 0, stdout: '', stderr: failure ? 'it broke' : ''};
	}

	async upload(): Promise<void> {}
	close(): void {}
}

interface Rig {
	readonly io: PracticeIo;
	readonly ran: Ran[];
	readonly said: string[];
	readonly nodes: Map<string, FakeNode>;
	readonly asked: Text[];
	/** What doctor sees on the next examinations (the last one repeats). */
	doctor: FactsOptions[];
	clock: Date;
	readonly file: string;
	done(): void;
}

function rig(options: {lab?: boolean; answer?: boolean; interactive?: boolean} = {}): Rig {
	const base = doctorCluster();
	const cluster: ClusterConfig = options.lab ? {...base, lab: {netns: 'pgha-lab'}} : base;
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-practice-flow-'));
	const ran: Ran[] = [];
	const said: string[] = [];
	const asked: Text[] = [];
	const nodes = new Map(cluster.nodes.map(node => [node.name, new FakeNode(node.name, ran)]));
	const state: Rig = {
		ran, said, nodes, asked, doctor: [{}], clock: new Date('2026-12-03T10:00:00.000Z'), file: path.join(dir, '.pgha', 'practice.json'),
		done: () => rmSync(dir, {recursive: true, force: true}),
		io: undefined as unknown as PracticeIo,
	};
	const examine = async () => {
		const facts: ClusterFacts = clusterFacts(cluster, state.doctor.length > 1 ? state.doctor.shift() : state.doctor[0]);
		return {facts, findings: diagnose(facts)};
	};
	(state as {io: PracticeIo}).io = {
		cluster, remotes: nodes, progressFile: state.file, lang: 'en', examine,
		secrets: {adminUserPassword: 'a', superuserPassword: 's', replicationPassword: 'repl-secret', rewindPassword: 'r', restApiPassword: 'p', haproxyStatsPassword: 'h', vrrpPassword: 'v'},
		confirm: options.interactive === false ? undefined : async question => {
			asked.push(question);
			return options.answer ?? false;
		},
		print: line => said.push(line),
		now: () => state.clock,
		random: () => 0,
		sleep: async () => {},
	};
	return state;
}

const stopped = {change: {2: {'etcd-unit': 'inactive', 'etcd-processes': '', 'etcd-status': '', 'etcd-health': '', 'etcd-members': '', 'etcd-status-error': 'context deadline exceeded', 'etcd-health-error': 'context deadline exceeded', 'etcd-members-error': 'context deadline exceeded'}}};

test('a cluster doctor finds a problem in is not broken further: refused with the findings, nothing run', async t => {
	const r = rig({lab: true});
	try {
		r.doctor = [stopped];
		const code = await startPractice(r.io, {scenario: 'paused', yes: false});
		t.is(code, 1);
		t.regex(r.said[0]!, /not healthy \(pgha doctor finds \d+ problem/);
		t.true(r.said.some(line => line.includes('pg-node-3')));
		t.deepEqual(r.ran, []);
		t.is((await readProgress(r.file)).current, undefined);
	} finally {
		r.done();
	}
});

test('own VMs without --yes and no terminal: refused before anything is read or run', async t => {
	const r = rig({interactive: false});
	try {
		t.is(await startPractice(r.io, {scenario: 'paused', yes: false}), 2);
		t.regex(r.said.join('\n'), /confirm the break with --yes/);
		t.deepEqual(r.ran, []);
	} finally {
		r.done();
	}
});

test('own VMs, the student says no: nothing changed; says yes: broken', async t => {
	const no = rig({answer: false});
	try {
		t.is(await startPractice(no.io, {scenario: 'paused', yes: false}), 1);
		t.is(no.asked.length, 1);
		t.regex(no.asked[0]!.en, /your own VMs/);
		t.deepEqual(no.ran, []);
	} finally {
		no.done();
	}

	const yes = rig({answer: true});
	try {
		t.is(await startPractice(yes.io, {scenario: 'paused', yes: false}), 0);
		t.is(yes.ran.length, 1);
	} finally {
		yes.done();
	}
});

test('--yes on own VMs asks nothing; the lab never asks', async t => {
	for (const [options, yes] of [[{}, true], [{lab: true}, false]] as const) {
		const r = rig(options);
		try {
			t.is(await startPractice(r.io, {scenario: 'etcd-stopped', yes}), 0);
			t.deepEqual(r.asked, []);
		} finally {
			r.done();
		}
	}
});

test('a scenario on the node it names, as root, the symptom told and not the cause; recorded before the break', async t => {
	const r = rig({lab: true});
	try {
		t.is(await startPractice(r.io, {scenario: 'etcd-stopped', yes: false}), 0);
		t.deepEqual(r.ran.map(item => item.node), ['pg-node-3']);
		t.true(r.ran[0]!.options?.sudo);
		t.regex(r.ran[0]!.command, /systemctl stop etcd/);
		t.true(r.said.some(line => line.includes('etcdctl endpoint health calls one endpoint unhealthy')));
		t.false(r.said.join('\n').includes('etcd-down'));
		const progress = await readProgress(r.file);
		t.like(progress.current, {scenario: 'etcd-stopped', node: 'pg-node-3', leader: 'pg-node-1', replica: 'pg-node-2', hints: 0});
		// A second scenario while one runs is refused.
		t.is(await startPractice(r.io, {yes: false}), 2);
		t.regex(r.said.at(-1)!, /already running/);
		t.is(r.ran.length, 1);
	} finally {
		r.done();
	}
});

test('pg_hba: broken on the leader, then the replica restarted', async t => {
	const r = rig({lab: true});
	try {
		t.is(await startPractice(r.io, {scenario: 'pg-hba-replication', yes: false}), 0);
		t.deepEqual(r.ran.map(item => item.node), ['pg-node-1', 'pg-node-2']);
		t.regex(r.ran[1]!.command, /systemctl restart patroni/);
	} finally {
		r.done();
	}
});

test('a break that fails is undone at once and not left as the current scenario', async t => {
	const r = rig({lab: true});
	try {
		r.nodes.get('pg-node-3')!.failing = [{match: 'systemctl stop etcd', code: 1}];
		t.is(await startPractice(r.io, {scenario: 'etcd-stopped', yes: false}), 1);
		t.deepEqual(r.ran.map(item => /systemctl (\w+) etcd/.exec(item.command)?.[1]), ['stop', 'start']);
		t.regex(r.said.at(-1)!, /The break on pg-node-3 failed \(it broke\)/);
		t.is((await readProgress(r.file)).current, undefined);
	} finally {
		r.done();
	}
});

test('hint, check, undo without a scenario: told to start one, exit 2', async t => {
	const r = rig({lab: true});
	try {
		for (const action of [hintPractice, checkPractice, async (io: PracticeIo) => undoPractice(io)]) t.is(await action(r.io), 2);
		t.true(r.said.every(line => /No scenario is running/.test(line)));
		t.deepEqual(r.ran, []);
	} finally {
		r.done();
	}
});

test('hints come one more at a time and are counted', async t => {
	const r = rig({lab: true});
	try {
		await startPractice(r.io, {scenario: 'etcd-stopped', yes: false});
		r.said.length = 0;
		await hintPractice(r.io);
		t.deepEqual(r.said, ['Hint 1 of 3:', '  The cluster still works: etcd lives while a majority does.']);
		await hintPractice(r.io);
		await hintPractice(r.io);
		r.said.length = 0;
		await hintPractice(r.io);
		t.is(r.said.length, 7);
		t.is(r.said.at(-1), 'There are no more hints.');
		t.is((await readProgress(r.file)).current!.hints, 3);
	} finally {
		r.done();
	}
});

test('check: doctor still finding something is not solved; clean but the cause on the node still there is not solved either', async t => {
	const r = rig({lab: true});
	try {
		await startPractice(r.io, {scenario: 'etcd-stopped', yes: false});
		r.doctor = [stopped];
		t.is(await checkPractice(r.io), 1);
		t.regex(r.said.join('\n'), /Not fixed yet/);
		// Doctor clean, but the cause check on pg-node-3 fails: the symptom left, the cause did not.
		r.doctor = [{}];
		r.nodes.get('pg-node-3')!.failing = [{match: 'systemctl is-active --quiet etcd', code: 1}];
		t.is(await checkPractice(r.io), 1);
		t.regex(r.said.at(-1)!, /the cause itself is still there/);
		t.truthy((await readProgress(r.file)).current);
	} finally {
		r.done();
	}
});

test('check: solved scores by difficulty, hints and time, and clears the scenario', async t => {
	const r = rig({lab: true});
	try {
		await startPractice(r.io, {scenario: 'pg-hba-replication', yes: false});
		await hintPractice(r.io);
		r.clock = new Date('2026-12-03T10:04:00.000Z');
		t.is(await checkPractice(r.io), 0);
		t.regex(r.ran.at(-1)!.command, /rm -f \/root\/pgha-practice\/\*/);
		const cause = r.ran.at(-2)!;
		t.is(cause.node, 'pg-node-1');
		t.regex(cause.command, /grep -q -E/);
		t.is(cause.options?.stdin, 'repl-secret\n');
		t.true(cause.options?.secrets?.includes('repl-secret'));
		t.regex(r.said.join('\n'), /Solved in 240 s with 1 hint\(s\): 17 points/);
		const progress = await readProgress(r.file);
		t.is(progress.current, undefined);
		t.like(progress.attempts[0], {scenario: 'pg-hba-replication', outcome: 'solved', points: 17, seconds: 240});
	} finally {
		r.done();
	}
});

test('undo: the undo script on the broken node, then doctor until clean; recorded with no points', async t => {
	const r = rig({lab: true});
	try {
		await startPractice(r.io, {scenario: 'etcd-stopped', yes: false});
		r.doctor = [stopped, stopped, {}];
		t.is(await undoPractice(r.io, {attempts: 5, intervalMs: 0}), 0);
		t.regex(r.ran.at(-1)!.command, /systemctl start etcd/);
		t.is(r.ran.at(-1)!.node, 'pg-node-3');
		const progress = await readProgress(r.file);
		t.is(progress.current, undefined);
		t.like(progress.attempts[0], {outcome: 'undone', points: 0});
	} finally {
		r.done();
	}
});

test('undo that leaves doctor unhappy says so and exits 1; an undo script that fails keeps the scenario', async t => {
	const r = rig({lab: true});
	try {
		await startPractice(r.io, {scenario: 'etcd-stopped', yes: false});
		r.nodes.get('pg-node-3')!.failing = [{match: 'systemctl start etcd', code: 1}];
		t.is(await undoPractice(r.io, {attempts: 2, intervalMs: 0}), 1);
		t.truthy((await readProgress(r.file)).current);
		r.nodes.get('pg-node-3')!.failing = [];
		r.doctor = [stopped];
		t.is(await undoPractice(r.io, {attempts: 2, intervalMs: 0}), 1);
		t.regex(r.said.join('\n'), /Undone, but doctor still finds/);
	} finally {
		r.done();
	}
});
