/**
 * etcd from a release tarball, end to end on fresh nodes (issue 4, "Sources"): `upload` (the tarball
 * sent from this computer over SFTP) and `download` (fetched on the nodes from etcd.download_base,
 * checked against SHA256SUMS). The lab has no internet, so the test builds a tarball in the official
 * release layout from the Debian etcd packages of the lab repository and serves it inside the lab.
 */
import test, {type ExecutionContext} from 'ava';
import {spawn, type ChildProcess} from 'node:child_process';
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {inSwitch, labAvailable, labResetNodes, requireLab, useLab} from '../helpers/lab.ts';
import {
	buildEtcdRelease, etcdctlOnNode, makeWorkdir, nodeNumbers, nodeOutput, runPgha, waitUntil,
	type EtcdRelease, type PghaResult, type Workdir,
} from '../helpers/e2e.ts';

useLab(test);

const serverAddress = '192.168.0.10';
const serverPort = 8099;
let release: EtcdRelease | undefined;
let server: ChildProcess | undefined;
const workdirs: Workdir[] = [];

test.before(() => {
	// The packages come from the lab's repository; without a lab the tests say why and stop.
	if (labAvailable()) release = buildEtcdRelease();
});

test.after.always(() => {
	server?.kill('SIGKILL');
	for (const work of workdirs) work.remove();
	release?.remove();
});

function tail(result: PghaResult): string {
	return `${result.stdout.split('\n').slice(-30).join('\n')}\n--- stderr\n${result.stderr.split('\n').slice(-30).join('\n')}`;
}

/** A healthy cluster whose etcd is the tarball's binary in /usr/local/bin (no etcd package). */
async function assertTarballEtcd(t: ExecutionContext, work: Workdir): Promise<void> {
	const status = await runPgha({cwd: work.dir, home: work.home, args: ['status']});
	t.is(status.code, 0, tail(status));
	t.regex(status.stdout, /^Healthy\.$/m);
	const digest = createHash('sha256').update(readFileSync(release!.etcdBinary)).digest('hex');
	for (const node of nodeNumbers()) {
		t.regex(await nodeOutput(node, '/usr/local/bin/etcd --version'), new RegExp(`^etcd Version: ${release!.version.replaceAll('.', '\\.')}$`, 'm'));
		t.is((await nodeOutput(node, 'sha256sum /usr/local/bin/etcd')).split(' ')[0], digest, `pg-node-${node} runs the tarball's etcd`);
		t.is(await nodeOutput(node, 'systemctl show -p ExecStart --value etcd | grep -o "path=[^ ;]*"'), 'path=/usr/local/bin/etcd');
		t.is(await nodeOutput(node, "dpkg-query -W -f='${Status}' etcd-server 2>/dev/null | grep -c 'install ok installed' || true"), '0', 'the etcd-server package is not installed');
		t.is(await nodeOutput(node, 'test -e /var/tmp/pgha-etcd && echo left || echo clean'), 'clean', 'the scratch folder is removed');
	}

	const health = await etcdctlOnNode(1, 'endpoint health --cluster');
	t.is(health.code, 0, health.stderr);
	t.is((health.stdout + health.stderr).match(/is healthy/g)?.length, 3);
}

test.serial('etcd source upload: the tarball goes from this computer to every node', async t => {
	if (!requireLab(t)) return;
	t.timeout(15 * 60_000);
	const work = makeWorkdir('etcd-upload', doc => {
		doc.etcd = {source: 'upload', version: release!.version, tarball: release!.tarball};
	});
	workdirs.push(work);
	const result = await runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes']});
	t.log(`fresh install with etcd upload: ${(result.ms / 1000).toFixed(1)} s`);
	t.is(result.code, 0, tail(result));
	t.regex(result.stdout, /^✔ pg-node-1: Install etcd$/m);
	await assertTarballEtcd(t, work);
});

test.serial('etcd source download: the nodes fetch it from download_base and check SHA256SUMS', async t => {
	if (!requireLab(t)) return;
	t.timeout(15 * 60_000);
	await labResetNodes();
	server = spawn('ip', ['netns', 'exec', 'lab-sw', '/usr/bin/python3', '-m', 'http.server', String(serverPort), '--bind', serverAddress, '--directory', release!.root], {stdio: 'ignore'});
	const base = `http://${serverAddress}:${serverPort}`;
	const serving = await waitUntil(async () => {
		const probe = await inSwitch('curl', ['-fsS', '--max-time', '2', '-o', '/dev/null', `${base}/v${release!.version}/SHA256SUMS`]);
		return probe.code === 0 ? true : undefined;
	}, {attempts: 50, intervalMs: 200});
	t.true(serving, 'the release server answers');

	const work = makeWorkdir('etcd-download', doc => {
		doc.etcd = {source: 'download', version: release!.version, download_base: base};
	});
	workdirs.push(work);
	const result = await runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes']});
	t.log(`fresh install with etcd download: ${(result.ms / 1000).toFixed(1)} s`);
	t.is(result.code, 0, tail(result));
	t.regex(result.stdout, new RegExp(`^› pg-node-1: \\$ .*curl .*${base.replaceAll('.', '\\.')}/v${release!.version.replaceAll('.', '\\.')}/etcd-v${release!.version.replaceAll('.', '\\.')}-linux-amd64\\.tar\\.gz`, 'm'));
	t.regex(result.stdout, /^› pg-node-1: \$ .*sha256sum -c --strict/m);
	await assertTarballEtcd(t, work);
});
