import test from 'ava';
import {mkdir, mkdtemp, readdir, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileStateScript, sha256} from '../../steps/commands.ts';
import {
	checksumCommand, configurePlan, diagnoseEtcd, etcdStage, membersMatch, parseEtcdVersions, parseMemberList, unpackCommands,
	uploadedTarballPath,
} from '../../steps/etcd.ts';
import {StepError, type Action} from '../../source/core/step.ts';
import {runLocally, sampleCluster, sampleSecrets, ScriptedRemote, stepContext} from '../helpers/install-fixtures.ts';

const step = (id: string) => etcdStage.steps.find(item => item.id === id)!;

const memberListJson = JSON.stringify({
	header: {cluster_id: 14841639068965178418, member_id: 10276657743932975437, raft_term: 2},
	members: [
		{ID: 10276657743932975437, name: 'pg-node-1', peerURLs: ['http://192.168.0.30:2380'], clientURLs: ['http://192.168.0.30:2379']},
		{ID: 3378574223232457472, name: 'pg-node-2', peerURLs: ['http://192.168.0.31:2380'], clientURLs: ['http://192.168.0.31:2379']},
		{ID: 11779226298458117187, name: 'pg-node-3', peerURLs: ['http://192.168.0.32:2380'], clientURLs: ['http://192.168.0.32:2379']},
	],
});

/** A tarball in the release layout (etcd-vX-linux-amd64/etcd, etcdctl, etcdutl) plus SHA256SUMS. */
async function releaseTarball(version = '3.5.11'): Promise<{dir: string; tarball: string; name: string}> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pgha-etcd-release-'));
	const name = `etcd-v${version}-linux-amd64.tar.gz`;
	const top = path.join(dir, `etcd-v${version}-linux-amd64`);
	await mkdir(top);
	await writeFile(path.join(top, 'etcd'), `#!/bin/sh\necho "etcd Version: ${version}"\necho "Git SHA: abc"\n`, {mode: 0o755});
	await writeFile(path.join(top, 'etcdctl'), `#!/bin/sh\necho "etcdctl version: ${version}"\necho "API version: 3.5"\n`, {mode: 0o755});
	await writeFile(path.join(top, 'etcdutl'), '#!/bin/sh\necho etcdutl\n', {mode: 0o755});
	await writeFile(path.join(top, 'README.md'), 'docs\n');
	const packed = await runLocally(`cd ${dir} && tar -czf ${name} etcd-v${version}-linux-amd64 && rm -rf etcd-v${version}-linux-amd64 && sha256sum ${name} > SHA256SUMS && echo "0000  etcd-v${version}-darwin-amd64.zip" >> SHA256SUMS`);
	if (packed.code !== 0) throw new Error(packed.stderr);
	return {dir, tarball: path.join(dir, name), name};
}

test('the checksum check passes for the listed tarball and fails when it is altered or not listed', async t => {
	const {dir, name} = await releaseTarball();
	t.is((await runLocally(checksumCommand(name, dir))).code, 0);
	await runLocally(`cd ${dir} && cp ${name} other.tar.gz`);
	t.not((await runLocally(checksumCommand('other.tar.gz', dir))).code, 0, 'no line for the file: fails');
	await runLocally(`cd ${dir} && echo tampered >> ${name}`);
	t.not((await runLocally(checksumCommand(name, dir))).code, 0, 'altered file: fails');
});

test('unpacking a release tarball installs etcd, etcdctl and etcdutl and cleans up', async t => {
	const {dir, tarball} = await releaseTarball('3.5.11');
	const bin = await mkdtemp(path.join(os.tmpdir(), 'pgha-etcd-bin-'));
	const scratch = path.join(dir, 'scratch');
	await mkdir(scratch);
	for (const command of unpackCommands(tarball, scratch, bin)) {
		const result = await runLocally(command);
		t.is(result.code, 0, result.stderr);
	}

	t.deepEqual((await readdir(bin)).sort(), ['etcd', 'etcdctl', 'etcdutl']);
	const versions = parseEtcdVersions((await runLocally(`${bin}/etcd --version; ${bin}/etcdctl version`)).stdout);
	t.deepEqual(versions, {server: '3.5.11', client: '3.5.11'});
	t.false((await readdir(dir)).includes('scratch'));
});

test('etcd 3.4 packages print the same version lines', t => {
	t.deepEqual(parseEtcdVersions('etcd Version: 3.4.23\nGit SHA: Not provided\nGo Version: go1.19.8\netcdctl version: 3.4.23\nAPI version: 3.4\n'), {server: '3.4.23', client: '3.4.23'});
});

test('upload: the host tarball is checked against SHA256SUMS, sent, re-checked on the node, unpacked', async t => {
	const {tarball} = await releaseTarball();
	const cluster = sampleCluster(`etcd: {source: upload, tarball: ${tarball}}`);
	const remote = new ScriptedRemote();
	await step('etcd.install').apply!(stepContext(cluster, sampleSecrets(), remote));
	const upload = remote.calls.find(call => call.kind === 'upload');
	t.is(upload?.upload?.path, uploadedTarballPath);
	t.true(Buffer.isBuffer(upload?.upload?.content));
	const digest = sha256(upload!.upload!.content);
	const commands = remote.commands();
	const uploadIndex = remote.calls.indexOf(upload!);
	const verifyIndex = remote.calls.findIndex(call => call.command.includes(`${digest}  ${uploadedTarballPath}`) && call.command.includes('sha256sum -c'));
	const unpackIndex = remote.calls.findIndex(call => call.command.includes('tar -xzf'));
	t.true(uploadIndex > 0 && verifyIndex > uploadIndex && unpackIndex > verifyIndex, commands.join('\n'));
});

test('upload: a tarball that does not match its SHA256SUMS is never sent', async t => {
	const {dir, tarball, name} = await releaseTarball();
	await runLocally(`cd ${dir} && sed -i 's/^[0-9a-f]*  ${name}$/${'f'.repeat(64)}  ${name}/' SHA256SUMS`);
	const cluster = sampleCluster(`etcd: {source: upload, tarball: ${tarball}}`);
	const remote = new ScriptedRemote();
	const error = await t.throwsAsync(step('etcd.install').apply!(stepContext(cluster, sampleSecrets(), remote)), {instanceOf: StepError});
	t.regex(error!.say('ru'), /повреждён/);
	t.deepEqual(remote.uploads(), []);
});

/** A node whose files are exactly the given writes (for check logic), and whose etcd state is given. */
function etcdNode(files: readonly Action[], state: string): ScriptedRemote {
	const lines = files.filter(action => action.kind === 'write')
		.map(action => action.kind === 'write' ? `${action.path} ${action.mode.toString(8)} ${action.owner} ${action.group} ${sha256(action.content)}` : '');
	return new ScriptedRemote()
		.on('sha256sum <', {stdout: `${lines.join('\n')}\n`})
		.on('member=', {stdout: state});
}

const planned = (cluster = sampleCluster()) => configurePlan({cluster, secrets: sampleSecrets(), node: cluster.nodes[0]!, facts: new Map()});

test('configure: a running member with pgha\'s files is done; a changed config restarts it without blocking', async t => {
	const cluster = sampleCluster();
	const running = 'member=yes\npackaged=no\nenabled=enabled\nactive=active\n';
	t.true(await step('etcd.configure').check(stepContext(cluster, sampleSecrets(), etcdNode(planned(cluster), running))));
	// The first member of a new cluster waits for a quorum: "activating" counts as started.
	t.true(await step('etcd.configure').check(stepContext(cluster, sampleSecrets(), etcdNode(planned(cluster), running.replace('=active', '=activating')))));

	const stale = planned(cluster).filter(action => action.kind !== 'write' || !action.path.endsWith('etcd.conf.yml'));
	const remote = etcdNode(stale, running);
	const context = stepContext(cluster, sampleSecrets(), remote);
	t.false(await step('etcd.configure').check(context));
	await step('etcd.configure').apply!(context);
	t.deepEqual(remote.uploads(), ['/etc/etcd/etcd.conf.yml']);
	t.true(remote.commands().some(command => command.includes('systemctl restart --no-block etcd')));
	t.false(remote.commands().some(command => command.startsWith('rm -rf')));
});

test('configure: data of another member set is erased only with --yes', async t => {
	const cluster = sampleCluster();
	const withoutIdentity = planned(cluster).filter(action => action.kind !== 'write' || !action.path.endsWith('.pgha-identity'));
	const state = 'member=yes\npackaged=no\nenabled=enabled\nactive=active\n';

	const refused = etcdNode(withoutIdentity, state);
	const error = await t.throwsAsync(step('etcd.configure').apply!(stepContext(cluster, sampleSecrets(), refused)), {instanceOf: StepError});
	t.regex(error!.message, /pg-node-1: \/var\/lib\/etcd\/pg-cluster holds etcd data of a different member set/);
	t.regex(error!.say('ru'), /--yes/);
	t.false(refused.commands().some(command => command.includes('rm -rf')));
	t.deepEqual(refused.uploads(), []);

	const agreed = etcdNode(withoutIdentity, state);
	await step('etcd.configure').apply!(stepContext(cluster, sampleSecrets(), agreed, {yes: true}));
	const order = agreed.calls.map(call => call.kind === 'upload' ? call.upload!.path : call.command);
	const wipe = order.indexOf('rm -rf /var/lib/etcd/pg-cluster');
	t.true(wipe > order.indexOf('systemctl stop etcd'));
	t.true(order.indexOf('/var/lib/etcd/pg-cluster.pgha-identity') > wipe);
	t.true(order.some(command => command.includes('systemctl start --no-block etcd')));
});

test('configure: a healthy member with the planned member list keeps its data even without the marker', async t => {
	const cluster = sampleCluster();
	const withoutIdentity = planned(cluster).filter(action => action.kind !== 'write' || !action.path.endsWith('.pgha-identity'));
	const remote = etcdNode(withoutIdentity, 'member=yes\npackaged=no\nenabled=enabled\nactive=active\n')
		.on('endpoint health', {stdout: 'http://127.0.0.1:2379 is healthy: successfully committed proposal: took = 2ms\n'})
		.on('member list -w json', {stdout: memberListJson});
	await step('etcd.configure').apply!(stepContext(cluster, sampleSecrets(), remote));
	t.false(remote.commands().some(command => command.includes('rm -rf')));
	t.deepEqual(remote.uploads(), ['/var/lib/etcd/pg-cluster.pgha-identity']);
});

test('configure (package source): the auto-started single-node member is stopped and removed first', async t => {
	const cluster = sampleCluster('etcd: {source: package}');
	const remote = etcdNode([], 'member=no\npackaged=yes\nenabled=enabled\nactive=active\n');
	const context = stepContext(cluster, sampleSecrets(), remote);
	t.false(await step('etcd.configure').check(context));
	await step('etcd.configure').apply!(context);
	const order = remote.calls.map(call => call.kind === 'upload' ? call.upload!.path : call.command);
	t.true(order.indexOf('rm -rf /var/lib/etcd/default') > order.indexOf('systemctl stop etcd'));
	t.true(order.indexOf('/etc/etcd/etcd.conf.yml') > order.indexOf('rm -rf /var/lib/etcd/default'));
	t.true(order.indexOf('systemctl daemon-reload') > order.indexOf('/etc/systemd/system/etcd.service'));
	t.true(order.some(command => command.includes('systemctl start --no-block etcd')));
});

test('the file-state script reads mode, owner and hash of real files', async t => {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pgha-files-'));
	const file = path.join(dir, 'etcd.conf.yml');
	await writeFile(file, 'name: x\n', {mode: 0o640});
	const result = await runLocally(fileStateScript([file, path.join(dir, 'absent')]));
	const user = (await runLocally('id -un')).stdout.trim();
	const group = (await runLocally('id -gn')).stdout.trim();
	t.is(result.stdout, `${file} 640 ${user} ${group} ${sha256('name: x\n')}\n${path.join(dir, 'absent')} -\n`);
});


test('member list: exactly the planned names and peer URLs; an unstarted or foreign member does not match', t => {
	const cluster = sampleCluster();
	const members = parseMemberList(memberListJson)!;
	t.true(membersMatch(cluster, members));
	t.false(membersMatch(cluster, members.slice(0, 2)));
	t.false(membersMatch(cluster, members.map(member => member.name === 'pg-node-3' ? {...member, name: ''} : member)));
	t.false(membersMatch(cluster, members.map(member => member.name === 'pg-node-2' ? {...member, peerURLs: ['http://192.168.0.99:2380']} : member)));
	t.is(parseMemberList('Error: context deadline exceeded'), undefined);
});

test('health: done when healthy with the planned members; otherwise the wait reports what etcd said', async t => {
	const cluster = sampleCluster();
	const healthy = new ScriptedRemote()
		.on('endpoint health', {stdout: 'http://127.0.0.1:2379 is healthy: successfully committed proposal: took = 2.3ms\n'})
		.on('member list -w json', {stdout: memberListJson});
	t.true(await step('etcd.health').check(stepContext(cluster, sampleSecrets(), healthy)));
	t.true(healthy.commands().every(command => command.includes('--endpoints=http://127.0.0.1:2379')));
	const sick = new ScriptedRemote().on('endpoint health', {code: 1, stderr: 'unhealthy'});
	t.false(await step('etcd.health').check(stepContext(cluster, sampleSecrets(), sick)));
});

test('known etcd failures become instructions', t => {
	t.regex(diagnoseEtcd('member 8e9e05c52164694d has already been bootstrapped', '/var/lib/etcd/c').en, /Re-create the etcd cluster: on every node sudo systemctl stop etcd && sudo rm -rf \/var\/lib\/etcd\/c/);
	t.regex(diagnoseEtcd('request cluster ID mismatch (got 1 want 2)', '/var/lib/etcd/c').en, /different etcd clusters/);
	t.regex(diagnoseEtcd('listen tcp 192.168.0.30:2380: bind: address already in use', '/d').ru, /занят/);
	t.regex(diagnoseEtcd('open /var/lib/etcd/c/member: permission denied', '/var/lib/etcd/c').en, /chown -R etcd:etcd/);
	t.regex(diagnoseEtcd('', '/d').en, /2379\/2380/);
});
