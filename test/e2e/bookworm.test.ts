/**
 * The other lab release (issue 13): Debian 12 "bookworm" nodes with the distribution's packages
 * (Patroni 3.0.2, PostgreSQL 15, etcd 3.4), the path pgha proved before trixie became the default.
 * The file takes the lab down, brings it up on bookworm, builds and checks a cluster, and puts the
 * default lab back for the files after it (useLab holds the lab for this file the whole time).
 */
import test, {type ExecutionContext} from 'ava';
import {planBuild} from '../../source/lab/build.ts';
import {defaultRelease} from '../../source/lab/settings.ts';
import {labCli, labClusterFile, labState, requireLab, useLab} from '../helpers/lab.ts';
import {clusterMembers, makeWorkdir, nodeNumbers, nodeOutput, psqlValue, readSecrets, runPgha, type PghaResult, type Workdir} from '../helpers/e2e.ts';

let work: Workdir | undefined;
let restoreFile: string | undefined;

function tail(result: PghaResult): string {
	return `${result.stdout.split('\n').slice(-25).join('\n')}\n--- stderr\n${result.stderr.split('\n').slice(-25).join('\n')}`;
}

async function switchLab(t: ExecutionContext, release: string, output: string): Promise<boolean> {
	const down = await labCli(['down']);
	t.is(down.code, 0, down.stderr);
	const up = await labCli(['up', '--release', release, '-o', output], {timeoutMs: 600_000});
	t.is(up.code, 0, `${up.stdout}\n${up.stderr}`);
	return up.code === 0;
}

/** Whatever happened, the files after this one find the default lab where they left it. */
async function restoreDefaultLab(): Promise<void> {
	if (restoreFile && labState()?.release !== defaultRelease) {
		await labCli(['down']);
		await labCli(['up', '-o', restoreFile], {timeoutMs: 600_000});
	}
}

// Registered before useLab's hooks (hooks run in the order they are declared), so a restore the test
// could not finish still runs while this file holds the lab: no other file may take it half-way.
test.after.always(async () => {
	work?.remove();
	await restoreDefaultLab();
});

useLab(test);

test.serial('bookworm nodes: the package path builds a healthy cluster (Patroni 3.0.2, PostgreSQL 15) and a second apply changes nothing', async t => {
	if (!requireLab(t)) return;
	t.timeout(20 * 60_000);
	const plan = await planBuild('bookworm', false);
	if (plan.repo || plan.rootfs || plan.etcd) {
		t.fail('the bookworm lab is not built (run: pgha lab build --release bookworm)');
		return;
	}

	restoreFile = labClusterFile();
	try {
		await onBookworm(t);
	} finally {
		await restoreDefaultLab();
	}

	t.is(labState()?.release, defaultRelease, 'the default lab is back for the next files');
});

async function onBookworm(t: ExecutionContext): Promise<void> {
	if (!(await switchLab(t, 'bookworm', '/tmp/pgha-bookworm-lab.yaml'))) return;
	t.is(labState()?.release, 'bookworm');
	work = makeWorkdir('bookworm');
	const apply = await runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes']});
	t.log(`apply on fresh bookworm nodes: ${(apply.ms / 1000).toFixed(1)} s`);
	t.is(apply.code, 0, tail(apply));
	t.regex(apply.stdout, /^The cluster is healthy\.$/m);

	for (const node of nodeNumbers()) {
		t.regex(await nodeOutput(node, 'grep VERSION_CODENAME /etc/os-release'), /bookworm/);
		t.regex(await nodeOutput(node, 'patroni --version'), /^patroni 3\.0\.2$/m);
		t.is(await nodeOutput(node, "dpkg-query -W -f='${Status}' patroni"), 'install ok installed');
	}

	const members = await clusterMembers(1);
	t.is(members.filter(member => member.role === 'Leader').length, 1);
	t.is(members.filter(member => member.state === 'streaming' || member.state === 'running').length, 3);
	const version = await psqlValue({host: '192.168.0.30', port: 5000, password: readSecrets(work)['superuser_password']!}, 'show server_version_num');
	t.regex(version, /^15\d{4}$/);

	const again = await runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes']});
	t.is(again.code, 0, tail(again));
	t.regex(again.stdout, /^The cluster is healthy\.$/m);
	t.deepEqual(again.stdout.split('\n').filter(line => /^✔ (pg-node-\d+|host): /.test(line)), [], 'no step did any work');
}
