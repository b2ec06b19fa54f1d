import test from 'ava';
import {softwareLine} from '../../source/wizard/summary.ts';
import {sampleCluster} from '../helpers/install-fixtures.ts';

test('the summary names the pinned Patroni and the etcd release a student can reinstall exactly', t => {
	const line = softwareLine(sampleCluster('etcd: {source: download, version: 3.5.16}'));
	t.is(line.en, 'Patroni 4.0.7 (pip, pinned by patroni.version) · etcd 3.5.16 (release tarball)');
	t.is(line.ru, 'Patroni 4.0.7 (pip, закреплён patroni.version) · etcd 3.5.16 (архив релиза)');
});

test('without a pin, or from packages, the summary says so', t => {
	t.regex(softwareLine(sampleCluster('patroni: {version: latest}')).en, /^Patroni: the newest from pip \(not pinned\)/);
	t.is(softwareLine(sampleCluster('patroni: {source: package}\netcd: {source: package}')).en, 'Patroni from the distribution package · etcd from the distribution package');
});
