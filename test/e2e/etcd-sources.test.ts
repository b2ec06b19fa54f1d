/**
 * etcd from a release tarball sent from this computer over SFTP (`source: upload`), end to end on
 * fresh nodes (issue 4, "Sources"). The other tarball source, `download`, is the lab's default
 * (the course's path): test/e2e/install.test.ts proves it with the same checks.
 */
import test from 'ava';
import {requireLab, useLab} from '../helpers/lab.ts';
import {assertTarballEtcd, outputTail, runPgha, useEtcdRelease} from '../helpers/e2e.ts';

useLab(test);
const etcd = useEtcdRelease(test);

test.serial('etcd source upload: the tarball goes from this computer to every node', async t => {
	if (!requireLab(t)) return;
	t.timeout(15 * 60_000);
	const release = etcd.release();
	const work = etcd.workdir('etcd-upload', doc => {
		doc.etcd = {source: 'upload', version: release.version, tarball: release.tarball};
	});
	const result = await runPgha({cwd: work.dir, home: work.home, args: ['apply', '--yes']});
	t.log(`fresh install with etcd upload: ${(result.ms / 1000).toFixed(1)} s`);
	t.is(result.code, 0, outputTail(result));
	t.regex(result.stdout, /^✔ pg-node-1: Install etcd$/m);
	await assertTarballEtcd(t, work, release);
});
