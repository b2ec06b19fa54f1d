/**
 * etcd from a release tarball sent from this computer over SFTP (`source: upload`), end to end on
 * fresh nodes (issue 4, "Sources"). The other tarball source, `download`, is the lab's default
 * (the course's path): test/e2e/install.test.ts proves it with the same checks.
 */
import test from 'ava';
import {labAvailable, requireLab, useLab} from '../helpers/lab.ts';
import {assertTarballEtcd, buildEtcdRelease, makeWorkdir, runPgha, type EtcdRelease, type PghaResult, type Workdir} from '../helpers/e2e.ts';

useLab(test);

let release: EtcdRelease | undefined;
const workdirs: Workdir[] = [];

test.before(() => {
	// The packages come from the lab's repository; without a lab the tests say why and stop.
	if (labAvailable()) release = buildEtcdRelease();
});

test.after.always(() => {
	for (const work of workdirs) work.remove();
	release?.remove();
});

function tail(result: PghaResult): string {
	return `${result.stdout.split('\n').slice(-30).join('\n')}\n--- stderr\n${result.stderr.split('\n').slice(-30).join('\n')}`;
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
	await assertTarballEtcd(t, work, release!);
});
