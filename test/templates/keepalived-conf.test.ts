import {chmod, mkdtemp, rm, writeFile} from 'node:fs/promises';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import type {ClusterConfig, NodeConfig} from '../../source/core/cluster.ts';
import {configPlan, interfaceFact, keepalivedCandidatePath} from '../../steps/keepalived.ts';
import {keepalivedCheckPath, renderKeepalivedCheck, renderKeepalivedConf, virtualRouterId} from '../../templates/keepalived-conf.ts';
import {runLocally, sampleCluster, sampleSecrets} from '../helpers/install-fixtures.ts';

const secrets = sampleSecrets();
const vipLayout = sampleCluster('haproxy: {nodes: all, vip: 192.168.0.40}');

/** keepalived.conf exactly as the keepalived stage writes it on `node` (interface as detected there). */
function writtenOn(cluster: ClusterConfig, name: string, iface = 'enp0s3'): string {
	const node = cluster.nodes.find(candidate => candidate.name === name)!;
	return writtenFile(cluster, name, keepalivedCandidatePath, iface);
}

/** The content of the file at `file` in the keepalived stage's plan on node `name`. */
function writtenFile(cluster: ClusterConfig, name: string, file: string, iface = 'enp0s3'): string {
	const node = cluster.nodes.find(candidate => candidate.name === name)!;
	const actions = configPlan({cluster, secrets, node, facts: new Map([[interfaceFact, iface]])});
	const write = actions.find(action => action.kind === 'write' && action.path === file);
	if (write?.kind !== 'write') throw new Error(`${file} is not written on ${name}`);
	return write.content;
}

/** The value after `key` on its line (first occurrence). */
function setting(conf: string, key: string): string | undefined {
	return new RegExp(`^\\s*${key} (.+)$`, 'm').exec(conf)?.[1];
}

/** The lines inside `name { ... }`. */
function block(conf: string, name: string): string[] {
	const match = new RegExp(`^\\s*${name} \\{\\n([\\s\\S]*?)^\\s*\\}`, 'm').exec(conf);
	return match ? match[1]!.split('\n').map(line => line.trim()).filter(Boolean) : [];
}

function names(cluster: ClusterConfig): string[] {
	return cluster.nodes.map((node: NodeConfig) => node.name);
}

test('unicast_src_ip is the node\'s own address', t => {
	t.is(setting(writtenOn(vipLayout, 'pg-node-1'), 'unicast_src_ip'), '192.168.0.30');
	t.is(setting(writtenOn(vipLayout, 'pg-node-2'), 'unicast_src_ip'), '192.168.0.31');
	t.is(setting(writtenOn(vipLayout, 'pg-node-3'), 'unicast_src_ip'), '192.168.0.32');
});

test('unicast_peer lists the other HAProxy nodes, never the node itself', t => {
	t.deepEqual(block(writtenOn(vipLayout, 'pg-node-1'), 'unicast_peer'), ['192.168.0.31', '192.168.0.32']);
	t.deepEqual(block(writtenOn(vipLayout, 'pg-node-2'), 'unicast_peer'), ['192.168.0.30', '192.168.0.32']);
});

test('unicast_peer leaves out the nodes that run no HAProxy', t => {
	const cluster = sampleCluster('haproxy: {nodes: [pg-node-3, pg-node-1], vip: 192.168.0.40}');
	t.deepEqual(block(writtenOn(cluster, 'pg-node-1'), 'unicast_peer'), ['192.168.0.32']);
	t.deepEqual(block(writtenOn(cluster, 'pg-node-3'), 'unicast_peer'), ['192.168.0.30']);
});

test('every node starts as BACKUP with nopreempt (the address does not flap back to a returning node)', t => {
	for (const name of names(vipLayout)) {
		const instance = block(writtenOn(vipLayout, name), 'vrrp_instance pgha_vip');
		t.true(instance.includes('state BACKUP'), name);
		t.true(instance.includes('nopreempt'), name);
		t.false(instance.includes('state MASTER'), name);
	}
});

test('priorities are distinct and fall in cluster-file order', t => {
	const priorities = names(vipLayout).map(name => Number(setting(writtenOn(vipLayout, name), 'priority')));
	t.is(new Set(priorities).size, priorities.length);
	t.deepEqual([...priorities].sort((a, b) => b - a), priorities, `${priorities.join(', ')} falls from pg-node-1 to pg-node-3`);
	for (const priority of priorities) t.true(priority >= 1 && priority <= 254, String(priority));
});

test('priorities follow the cluster file, not the order the nodes list was written in', t => {
	const cluster = sampleCluster('haproxy: {nodes: [pg-node-3, pg-node-1], vip: 192.168.0.40}');
	t.true(Number(setting(writtenOn(cluster, 'pg-node-1'), 'priority')) > Number(setting(writtenOn(cluster, 'pg-node-3'), 'priority')));
});

test('virtual_router_id is the same on every node', t => {
	const ids = names(vipLayout).map(name => setting(writtenOn(vipLayout, name), 'virtual_router_id'));
	t.is(new Set(ids).size, 1, ids.join(', '));
});

test('virtual_router_id is always within 1..255', t => {
	for (let last = 1; last < 255; last++) {
		for (const clusterName of ['pg-cluster', 'demo', 'x']) {
			const id = virtualRouterId(clusterName, `192.168.0.${last}`);
			t.true(Number.isInteger(id) && id >= 1 && id <= 255, `${clusterName} ${last}: ${id}`);
		}
	}
});

test('auth_pass is the first 8 characters of the generated secret (all VRRP carries)', t => {
	const conf = writtenOn(vipLayout, 'pg-node-2');
	t.is(setting(conf, 'auth_type'), 'PASS');
	t.is(setting(conf, 'auth_pass'), secrets.vrrpPassword.slice(0, 8));
	t.false(conf.includes(secrets.vrrpPassword), 'the rest of the secret is not written');
});

test('the VIP carries the subnet\'s prefix and sits on the interface detected on the node', t => {
	t.deepEqual(block(writtenOn(vipLayout, 'pg-node-1', 'enp0s3'), 'virtual_ipaddress'), ['192.168.0.40/24 dev enp0s3']);
	const wide = sampleCluster('subnet: 192.168.0.0/23\nhaproxy: {nodes: all, vip: 192.168.1.40}');
	const conf = writtenOn(wide, 'pg-node-2', 'eth1');
	t.deepEqual(block(conf, 'virtual_ipaddress'), ['192.168.1.40/23 dev eth1']);
	t.is(setting(conf, 'interface'), 'eth1');
});

test('the track script is pgha\'s check file, run as root every second', t => {
	const conf = writtenOn(vipLayout, 'pg-node-1');
	t.deepEqual(block(conf, 'track_script'), ['pgha_front_door']);
	const script = block(conf, 'vrrp_script pgha_front_door');
	t.true(script.includes(`script "${keepalivedCheckPath}"`), script.join('\n'));
	t.true(script.includes('interval 1'), script.join('\n'));
	t.is(setting(conf, 'script_user'), 'root');
});

test('the check file asks HAProxy\'s stats port on the node itself', t => {
	const cluster = sampleCluster('ports: {haproxy_stats: 9404}\nhaproxy: {nodes: all, vip: 192.168.0.40}');
	const check = writtenFile(cluster, 'pg-node-1', keepalivedCheckPath);
	t.regex(check, /^#!\/bin\/sh\n/);
	t.true(check.includes('http://127.0.0.1:9404/'), check);
});

/** Runs the check file written for pg-node-1 locally: HAProxy's stats on `statsPort`, `ping` answering for `answering` only. */
async function runCheck(t: ExecutionContext, statsPort: number, answering: readonly string[]): Promise<number> {
	const cluster = sampleCluster(`ports: {haproxy_stats: ${statsPort}}\nhaproxy: {nodes: all, vip: 192.168.0.40}`);
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pgha-keepalived-check-'));
	t.teardown(() => rm(dir, {recursive: true, force: true}));
	await writeFile(path.join(dir, 'check'), writtenFile(cluster, 'pg-node-1', keepalivedCheckPath), {mode: 0o755});
	// A stand-in ping: no network; it answers for the addresses in PING_OK only.
	await writeFile(path.join(dir, 'ping'), '#!/bin/sh\nfor last; do :; done\ncase " $PING_OK " in *" $last "*) exit 0;; esac\nexit 1\n', {mode: 0o755});
	const env = {...process.env, PATH: `${dir}:${process.env['PATH']}`, PING_OK: answering.join(' ')};
	return (await runLocally(path.join(dir, 'check'), {env})).code;
}

/** An HTTP server on 127.0.0.1 answering 401, as HAProxy's stats page does without the password. */
async function statsPage(t: ExecutionContext): Promise<number> {
	const server = http.createServer((_request, response) => {
		response.writeHead(401);
		response.end();
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	t.teardown(() => new Promise<void>(resolve => server.close(() => resolve())));
	return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
	const server = http.createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	await new Promise<void>(resolve => server.close(() => resolve()));
	return port;
}

test('the check passes while HAProxy answers (even 401) and a peer answers a ping', async t => {
	t.is(await runCheck(t, await statsPage(t), ['192.168.0.32']), 0);
});

test('the check fails when HAProxy does not answer on its stats port', async t => {
	t.is(await runCheck(t, await closedPort(), ['192.168.0.31', '192.168.0.32']), 1);
});

test('the check fails when no peer answers (a node cut off the network gives the address up)', async t => {
	t.is(await runCheck(t, await statsPage(t), []), 1);
});

test('the check pings the other HAProxy nodes, not the node itself', async t => {
	t.is(await runCheck(t, await statsPage(t), ['192.168.0.30']), 1);
});

test('the file starts with pgha\'s marker (how a re-run recognises its own keepalived)', t => {
	t.true(writtenOn(vipLayout, 'pg-node-3').startsWith('# Written by pgha'));
});

/**
 * keepalived's own config check on the files written on `name`: the check file goes to a temporary
 * folder (not writable by others, as script security wants) and the config points there.
 */
async function keepalivedCheck(t: ExecutionContext, conf: string, check: string): Promise<{code: number; output: string}> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pgha-keepalived-'));
	t.teardown(() => rm(dir, {recursive: true, force: true}));
	await chmod(dir, 0o755);
	const checkFile = path.join(dir, 'keepalived-check');
	await writeFile(checkFile, check, {mode: 0o755});
	const file = path.join(dir, 'keepalived.conf');
	await writeFile(file, conf.replaceAll(keepalivedCheckPath, checkFile), {mode: 0o600});
	const result = await runLocally(`keepalived -t -f ${file}`);
	return {code: result.code, output: `${result.stdout}${result.stderr}`};
}

/** keepalived refuses `lo` and unknown interfaces: the first one here with an IPv4 address. */
async function hostInterface(): Promise<string | undefined> {
	const found = (await runLocally(`ip -o -4 addr show | awk '$2 != "lo" {print $2; exit}'`)).stdout.trim();
	return found || undefined;
}

async function hasKeepalived(): Promise<boolean> {
	return (await runLocally('command -v keepalived')).code === 0;
}

test('keepalived -t accepts the rendered file on every node', async t => {
	if (!(await hasKeepalived())) {
		t.log('keepalived is not installed on this computer (apt-get install keepalived): skipped');
		t.pass();
		return;
	}

	const iface = await hostInterface();
	if (!iface) {
		t.log('no network interface with an IPv4 address here: skipped');
		t.pass();
		return;
	}

	for (const name of names(vipLayout)) {
		const result = await keepalivedCheck(t, writtenOn(vipLayout, name, iface), writtenFile(vipLayout, name, keepalivedCheckPath, iface));
		t.is(result.code, 0, `${name}:\n${result.output}`);
	}
});

test('keepalived -t rejects a broken file (so the check before the move means something)', async t => {
	if (!(await hasKeepalived())) {
		t.log('keepalived is not installed on this computer (apt-get install keepalived): skipped');
		t.pass();
		return;
	}

	const iface = await hostInterface() ?? 'eth0';
	const input = {
		clusterName: 'pg-cluster',
		node: {name: 'pg-node-1', ip: '192.168.0.30'},
		peers: [{name: 'pg-node-1', ip: '192.168.0.30'}, {name: 'pg-node-2', ip: '192.168.0.31'}],
		interface: iface,
		vip: '192.168.0.400',
		prefix: 24,
		password: secrets.vrrpPassword,
		statsPort: 8404,
	};
	const result = await keepalivedCheck(t, renderKeepalivedConf(input), renderKeepalivedCheck(input));
	t.not(result.code, 0, result.output);
});
