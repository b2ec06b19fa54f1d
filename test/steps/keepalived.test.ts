import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import type {ClusterConfig, NodeConfig} from '../../source/core/cluster.ts';
import type {ExecOptions, ExecResult, Remote} from '../../source/core/remote.ts';
import {holdsAddressCommand} from '../../source/cluster/front-door.ts';
import {
	configPlan, interfaceFact, keepalivedCandidatePath, vipFreeStep, vipHolders,
} from '../../steps/keepalived.ts';
import type {Action, Facts, Step} from '../../source/core/step.ts';
import {installStages, packageList, requiredPorts} from '../../steps/index.ts';
import {keepalivedConfigPath} from '../../templates/keepalived-conf.ts';
import {runLocally, sampleCluster, sampleSecrets, ScriptedRemote, stepContext} from '../helpers/install-fixtures.ts';

const secrets = sampleSecrets();
const vipLayout = sampleCluster('haproxy: {nodes: all, vip: 192.168.0.40}');
const courseLayout = sampleCluster('haproxy: {node: pg-node-2}');

function plan(cluster: ClusterConfig, node: NodeConfig, facts: Facts = new Map([[interfaceFact, 'enp0s3']])): Action[] {
	return configPlan({cluster, secrets, node, facts});
}

function indexOfRun(actions: readonly Action[], command: string): number {
	return actions.findIndex(action => action.kind === 'run' && action.command === command);
}

test('VIP layout: every node writes the candidate keepalived.conf with mode 0600', t => {
	for (const node of vipLayout.nodes) {
		const candidate = plan(vipLayout, node).find(action => action.kind === 'write' && action.path === keepalivedCandidatePath);
		t.like(candidate, {kind: 'write', path: '/etc/keepalived/keepalived.conf.pgha-candidate', mode: 0o600, owner: 'root'}, node.name);
	}
});

test('VIP layout: the candidate is checked with keepalived -t before it replaces the live file', t => {
	for (const node of vipLayout.nodes) {
		const actions = plan(vipLayout, node);
		const written = actions.findIndex(action => action.kind === 'write' && action.path === keepalivedCandidatePath);
		const checked = indexOfRun(actions, `keepalived -t -f ${keepalivedCandidatePath}`);
		const moved = indexOfRun(actions, `mv -f ${keepalivedCandidatePath} ${keepalivedConfigPath}`);
		t.true(written >= 0 && checked > written && moved > checked, `${node.name}: write ${written}, check ${checked}, move ${moved}`);
		t.false(actions.some(action => action.kind === 'write' && action.path === keepalivedConfigPath), 'the live file is never written directly');
	}
});

test('VIP layout: keepalived is enabled and (re)started after the move', t => {
	const actions = plan(vipLayout, vipLayout.nodes[1]!);
	const moved = indexOfRun(actions, `mv -f ${keepalivedCandidatePath} ${keepalivedConfigPath}`);
	t.true(indexOfRun(actions, 'systemctl enable keepalived') > moved);
	t.true(actions.slice(moved).some(action => action.kind === 'run' && /^systemctl (re)?start keepalived$|^systemctl restart keepalived$/.test(action.command)));
});

test('course layout: the plan on every node is only the guarded disable of pgha\'s own keepalived', t => {
	for (const node of courseLayout.nodes) {
		const actions = plan(courseLayout, node);
		t.is(actions.length, 1, node.name);
		const [only] = actions;
		t.is(only?.kind, 'run');
		if (only?.kind !== 'run') continue;
		// Guarded by pgha's marker on the file's first line: someone else's keepalived is left alone.
		t.true(only.command.includes(`head -n 1 ${keepalivedConfigPath}`), only.command);
		t.true(only.command.includes('grep -q'), only.command);
		t.true(only.command.includes('# Written by pgha'), only.command);
		t.true(only.command.includes('systemctl disable --now keepalived'), only.command);
	}
});

test('the guarded disable stops keepalived only when pgha wrote its config', async t => {
	const dir = await tempDir(t);
	const conf = path.join(dir, 'keepalived.conf');
	await writeFile(path.join(dir, 'systemctl'), '#!/bin/sh\necho "systemctl $*"\n', {mode: 0o755});
	const [disable] = plan(courseLayout, courseLayout.nodes[0]!);
	if (disable?.kind !== 'run') return t.fail('no command');
	const command = disable.command.replaceAll(keepalivedConfigPath, conf);
	const env = {...process.env, PATH: `${dir}:${process.env['PATH']}`};

	await writeFile(conf, '# someone else\'s keepalived\nvrrp_instance x {}\n');
	t.is((await runLocally(command, {env})).stdout, '');
	await writeFile(conf, '# Written by pgha for cluster pg-cluster: the floating address ...\n');
	t.is((await runLocally(command, {env})).stdout, 'systemctl disable --now keepalived\n');
	await rm(conf);
	const absent = await runLocally(command, {env});
	t.is(absent.code, 0);
	t.is(absent.stdout, '');
});

test('VIP layout: every node gets haproxy and keepalived packages', t => {
	for (const node of vipLayout.nodes) {
		const packages = packageList(vipLayout, node, '16');
		t.true(packages.includes('haproxy'), node.name);
		t.true(packages.includes('keepalived'), node.name);
	}
});

test('course layout: haproxy only on the chosen node, keepalived nowhere', t => {
	const installed = courseLayout.nodes.map(node => [node.name, packageList(courseLayout, node, '16').filter(name => ['haproxy', 'keepalived'].includes(name))]);
	t.deepEqual(installed, [['pg-node-1', []], ['pg-node-2', ['haproxy']], ['pg-node-3', []]]);
});

test('a nodes list without vip: haproxy on the listed nodes, keepalived nowhere', t => {
	const cluster = sampleCluster('haproxy: {nodes: [pg-node-1, pg-node-3]}');
	const installed = cluster.nodes.map(node => [node.name, packageList(cluster, node, '16').filter(name => ['haproxy', 'keepalived'].includes(name))]);
	t.deepEqual(installed, [['pg-node-1', ['haproxy']], ['pg-node-2', []], ['pg-node-3', ['haproxy']]]);
});

test('the VM checks require 5000, 5001 and 8404 free (or HAProxy\'s) on every HAProxy node', t => {
	for (const node of vipLayout.nodes) {
		const haproxy = requiredPorts(vipLayout, node).filter(claim => claim.owners.includes('haproxy'));
		t.deepEqual(haproxy.map(claim => claim.port).sort(), [5000, 5001, 8404], node.name);
		t.true(haproxy.every(claim => claim.role === 'HAProxy'));
	}
});

test('the VM checks claim HAProxy\'s ports only on the course layout\'s chosen node', t => {
	const claimed = courseLayout.nodes.map(node => [node.name, requiredPorts(courseLayout, node).filter(claim => claim.owners.includes('haproxy')).map(claim => claim.port)]);
	t.deepEqual(claimed, [['pg-node-1', []], ['pg-node-2', [5000, 5001, 8404]], ['pg-node-3', []]]);
});

function nodesOf(step: Step, cluster: ClusterConfig): NodeConfig[] {
	if (step.scope !== 'one-node') return [...cluster.nodes];
	const names = step.targets?.(cluster) ?? [cluster.nodes[0]!.name];
	return names.map(name => cluster.nodes.find(node => node.name === name)!);
}

test('VIP layout: no secret (nor the 8 characters VRRP sends) appears in any command line of any stage', t => {
	const values = [...Object.values(secrets), secrets.vrrpPassword.slice(0, 8)];
	for (const facts of [new Map([['pg.major', '16'], [interfaceFact, 'enp0s3']]), new Map<string, string>()]) {
		for (const stage of installStages) {
			for (const step of stage.steps) {
				for (const node of nodesOf(step, vipLayout)) {
					for (const action of step.plan({cluster: vipLayout, secrets, node, facts})) {
						if (action.kind !== 'run') continue;
						for (const value of values) t.false(action.command.includes(value), `${step.id} ${node.name}: ${action.command}`);
					}
				}
			}
		}
	}
});

test('VIP layout: HAProxy gets the same haproxy.cfg on every node', t => {
	const haproxyStage = installStages.find(stage => stage.id === 'haproxy')!;
	const step = haproxyStage.steps.find(candidate => candidate.id === 'haproxy.config')!;
	const files = vipLayout.nodes.map(node => step.plan({cluster: vipLayout, secrets, node, facts: new Map()})
		.filter(action => action.kind === 'write').map(action => action.kind === 'write' ? `${action.path}\n${action.content}` : ''));
	t.true(files[0]!.length > 0);
	t.deepEqual(files[1], files[0]);
	t.deepEqual(files[2], files[0]);
});

/** `ip -o -4 addr show` as a node with `addresses` on enp0s3 prints it. */
function ipOutput(addresses: readonly string[]): string {
	return [
		'1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
		...addresses.map((address, index) => `2: enp0s3    inet ${address}/24 ${index === 0 ? 'brd 192.168.0.255 ' : ''}scope global ${index === 0 ? '' : 'secondary '}enp0s3\\       valid_lft forever preferred_lft forever`),
	].join('\n');
}

async function tempDir(t: ExecutionContext): Promise<string> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pgha-keepalived-'));
	t.teardown(() => rm(dir, {recursive: true, force: true}));
	return dir;
}

/** A folder with a stand-in `ip` that prints `addresses` whatever it is asked; PATH for it. */
async function fakeIp(t: ExecutionContext, addresses: readonly string[]): Promise<NodeJS.ProcessEnv> {
	const dir = await tempDir(t);
	await writeFile(path.join(dir, 'ip.out'), `${ipOutput(addresses)}\n`);
	await writeFile(path.join(dir, 'ip'), `#!/bin/sh\ncat '${dir}/ip.out'\n`, {mode: 0o755});
	return {...process.env, PATH: `${dir}:${process.env['PATH']}`};
}

test('holdsAddressCommand prints holds= with the interface when the node has the address', async t => {
	const env = await fakeIp(t, ['192.168.0.30', '192.168.0.40']);
	const result = await runLocally(holdsAddressCommand('192.168.0.40'), {env});
	t.is(result.code, 0, result.stderr);
	t.is(result.stdout, 'holds=enp0s3\n');
});

test('holdsAddressCommand prints nothing when the node does not have the address', async t => {
	const env = await fakeIp(t, ['192.168.0.31']);
	const result = await runLocally(holdsAddressCommand('192.168.0.40'), {env});
	t.is(result.code, 0, result.stderr);
	t.is(result.stdout, '');
});

test('holdsAddressCommand matches the whole address, not a prefix of it', async t => {
	const env = await fakeIp(t, ['192.168.0.30', '192.168.0.40']);
	t.is((await runLocally(holdsAddressCommand('192.168.0.4'), {env})).stdout, '');
});

/** A node whose commands run on this machine with its own PATH (a stand-in `ip`). */
class LocalNode implements Remote {
	readonly host: string;
	constructor(readonly name: string, private readonly env: NodeJS.ProcessEnv, host = '127.0.0.1') {
		this.host = host;
	}

	async exec(command: string, _options: ExecOptions = {}): Promise<ExecResult> {
		return runLocally(command, {env: this.env});
	}

	async upload(): Promise<void> {
		throw new Error('not used');
	}

	close(): void {}
}

test('vipHolders names exactly the nodes whose ip shows the address', async t => {
	const remotes = new Map<string, Remote>([
		['pg-node-1', new LocalNode('pg-node-1', await fakeIp(t, ['192.168.0.30']))],
		['pg-node-2', new LocalNode('pg-node-2', await fakeIp(t, ['192.168.0.31', '192.168.0.40']))],
		['pg-node-3', new LocalNode('pg-node-3', await fakeIp(t, ['192.168.0.32']))],
	]);
	t.deepEqual(await vipHolders({cluster: vipLayout, remotes, signal: new AbortController().signal}, '192.168.0.40'), ['pg-node-2']);
});

test('vipHolders counts a node that does not answer as not holding the address', async t => {
	const silent: Remote = {
		name: 'pg-node-1',
		host: '192.168.0.30',
		exec: async () => {
			throw new Error('connection lost');
		},
		upload: async () => undefined,
		close: () => undefined,
	};
	const remotes = new Map<string, Remote>([
		['pg-node-1', silent],
		['pg-node-3', new LocalNode('pg-node-3', await fakeIp(t, ['192.168.0.32', '192.168.0.40']))],
	]);
	t.deepEqual(await vipHolders({cluster: vipLayout, remotes, signal: new AbortController().signal}, '192.168.0.40'), ['pg-node-3']);
});

/** Scripted nodes for the VM check: which hold the VIP, which have pgha's keepalived.conf, whether ping answers. */
function vmCheckContext(holders: readonly string[], ours: readonly string[], pingAnswers: boolean) {
	const remotes = new Map<string, ScriptedRemote>(vipLayout.nodes.map(node => [node.name, new ScriptedRemote(node.name, node.ip)
		.on('ip -o -4 addr show', {stdout: holders.includes(node.name) ? 'holds=enp0s3\n' : ''})
		.on('grep -c', {stdout: ours.includes(node.name) ? '1\n' : '0\n'})
		.on('ping -c', {code: pingAnswers ? 0 : 1})]));
	const first = remotes.get('pg-node-1')!;
	return stepContext(vipLayout, secrets, first, {remotes});
}

test('VM check: a free VIP (nobody holds it, no answer to ping) passes', async t => {
	t.true(await vipFreeStep.check(vmCheckContext([], [], false)));
});

test('VM check: a VIP held by pgha\'s own keepalived is an earlier run and passes', async t => {
	t.true(await vipFreeStep.check(vmCheckContext(['pg-node-2'], ['pg-node-2'], true)));
});

test('VM check: a VIP set by hand on a node is an error naming the node and haproxy.vip', async t => {
	const error = await t.throwsAsync(vipFreeStep.verify(vmCheckContext(['pg-node-3'], [], true)));
	t.regex(error?.message ?? '', /^pg-node-3: the address 192\.168\.0\.40 \(haproxy\.vip\) is already assigned on this node, and not by pgha's keepalived\./);
});

test('VM check: another machine answering on the VIP is an error naming haproxy.vip', async t => {
	const error = await t.throwsAsync(vipFreeStep.verify(vmCheckContext([], [], true)));
	t.regex(error?.message ?? '', /another machine already answers on 192\.168\.0\.40 \(haproxy\.vip\)/);
});

test('VM check: the course layout has nothing to check', async t => {
	const context = stepContext(courseLayout, secrets, new ScriptedRemote());
	t.true(await vipFreeStep.check(context));
	t.deepEqual(vipFreeStep.plan(context), []);
});
