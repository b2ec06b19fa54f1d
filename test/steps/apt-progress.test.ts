/** apt's progress read from its real output (test/fixtures/progress: bookworm's apt 2.6 and trixie's apt 3.0, captured in throwaway chroots). */
import test from 'ava';
import {readFileSync} from 'node:fs';
import {AptProgress, aptSize} from '../../steps/apt-progress.ts';
import type {Progress} from '../../source/core/progress.ts';

const lines = readFileSync(new URL('../fixtures/progress/apt-install-bookworm.txt', import.meta.url), 'utf8').split('\n');

function readAll(input: readonly string[]): Progress[] {
	const reader = new AptProgress();
	return input.map(line => reader.read(line)).filter((figures): figures is Progress => figures !== undefined);
}

const phase = (figures: Progress) => figures.phase.en;

test('apt sizes are read in its SI units', t => {
	t.is(aptSize('80.2', 'MB'), 80_200_000);
	t.is(aptSize('2423', 'kB'), 2_423_000);
	t.is(aptSize('0', 'B'), 0);
});

test('the download counts packages against the announced 66 and bytes against "Need to get 80.2 MB"', t => {
	const download = readAll(lines).filter(figures => phase(figures) === 'apt: downloading');
	t.is(download[0]!.total, 66);
	t.is(download[0]!.done, 1);
	t.is(download[0]!.bytes!.total, 80_200_000);
	t.is(download[0]!.bytes!.done, 123_000);
	const last = download.at(-1)!;
	t.is(last.done, 66);
	t.is(last.bytes!.done, 80_200_000);
});

test('installing is one phase: each package counts half when unpacked and half when set up, up to 66', t => {
	const figures = readAll(lines);
	const install = figures.filter(item => phase(item) === 'apt: installing').map(item => item.done);
	t.is(install.length, 132);
	t.is(install[1], 1);
	t.is(install.at(-1), 66);
	t.deepEqual(install, [...install].sort((a, b) => a - b), 'never goes back');
	t.true(figures.every(item => item.total === 66));
});

test('interleaved unpacking and setting up (dpkg, mmdebstrap) stay in one phase', t => {
	const figures = readAll(['0 upgraded, 2 newly installed, 0 to remove and 0 not upgraded.', 'Unpacking a (1) ...', 'Setting up a (1) ...', 'Unpacking b (1) ...', 'Setting up b (1) ...']);
	t.deepEqual(figures.map(item => [phase(item), item.done]), [['apt: installing', 0], ['apt: installing', 1], ['apt: installing', 1], ['apt: installing', 2]]);
});

test('nothing is reported before apt announces its count (apt-get update, a check)', t => {
	t.deepEqual(readAll(['Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]', 'Unpacking x (1) ...']), []);
});

test('a second apt-get run (after waiting for the lock) starts its own count', t => {
	const figures = readAll(['0 upgraded, 2 newly installed, 0 to remove and 0 not upgraded.', 'Unpacking a (1) ...', 'Setting up a (1) ...', '1 upgraded, 4 newly installed, 0 to remove and 3 not upgraded.', 'Unpacking a (1) ...', 'Setting up a (1) ...']);
	t.deepEqual(figures.map(item => [item.done, item.total]), [[0, 2], [1, 2], [0, 5], [1, 5]]);
});

test('with part of the archives cached, the bytes to get are the first figure of "Need to get"', t => {
	const figures = readAll(['0 upgraded, 2 newly installed, 0 to remove and 0 not upgraded.', 'Need to get 1234 kB/80.2 MB of archives.', 'Get:1 http://deb.debian.org/debian bookworm/main amd64 libpq5 amd64 15.10-0+deb12u1 [190 kB]']);
	t.is(figures[0]!.bytes!.total, 1_234_000);
});

test('trixie\'s apt 3.0 (the lab\'s nodes) is read the same way: 89 packages fetched, unpacked and set up', t => {
	const trixie = readFileSync(new URL('../fixtures/progress/apt-install-trixie.txt', import.meta.url), 'utf8').split('\n');
	const figures = readAll(trixie);
	for (const name of ['apt: downloading', 'apt: installing']) {
		const last = figures.filter(item => phase(item) === name).at(-1)!;
		t.deepEqual([last.done, last.total], [89, 89], name);
	}

	t.is(figures.filter(item => phase(item) === 'apt: downloading').at(-1)!.bytes!.done, 102e6);
});

test('mmdebstrap --verbose (the lab\'s rootfs) reads as apt and dpkg: 69 essential packages, then 105 more', t => {
	const log = readFileSync(new URL('../fixtures/progress/mmdebstrap-verbose-bookworm.txt', import.meta.url), 'utf8').split('\n');
	const reader = new AptProgress('Rootfs');
	const figures = log.map(line => reader.read(line)).filter((item): item is Progress => item !== undefined);
	const installed = figures.filter(item => item.phase.en === 'Rootfs: installing');
	t.deepEqual([...new Set(installed.filter(item => item.done === item.total).map(item => item.total))], [69, 105]);
	t.is(figures[0]!.phase.ru, 'Rootfs: скачивание');
});
