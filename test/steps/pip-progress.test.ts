/** pip's progress read from its real output: Patroni 4.0.7 with etcd3 and psycopg2-binary from the lab's index, by bookworm's pip 23 and trixie's pip 25. */
import test from 'ava';
import {readFileSync} from 'node:fs';
import {PipProgress} from '../../steps/pip-progress.ts';
import type {Progress} from '../../source/core/progress.ts';

const lines = readFileSync(new URL('../fixtures/progress/pip-install-patroni-bookworm.txt', import.meta.url), 'utf8').split('\n');

function readAll(input: readonly string[]): Progress[] {
	const reader = new PipProgress();
	return input.map(line => reader.read(line)).filter((figures): figures is Progress => figures !== undefined);
}

test('collecting counts each requirement and adds the size of each wheel downloaded, with no total yet', t => {
	const collecting = readAll(lines).filter(figures => figures.phase.en === 'pip: collecting');
	t.is(collecting[0]!.done, 1);
	t.is(collecting[0]!.total, undefined);
	t.is(collecting.at(-1)!.done, 12);
	// 364 + 160 + 128 + 151 + 97 + 32 + 76 + 228 + 15 + 38 + 30 + 312 kB
	t.is(collecting.at(-1)!.bytes!.done, 1_631_000);
});

test('"Installing collected packages" gives the total and "Successfully installed" completes it', t => {
	const installing = readAll(lines).filter(figures => figures.phase.en === 'pip: installing');
	t.deepEqual(installing.map(figures => [figures.done, figures.total]), [[0, 12], [12, 12]]);
});

test('a requirement already in the venv counts as collected', t => {
	t.is(readAll(['Requirement already satisfied: PyYAML in /opt/patroni-venv/lib/python3.12/site-packages (6.0.2)'])[0]!.done, 1);
});

test('trixie\'s pip 25 (the lab\'s nodes) is read the same way: 12 collected with their MB, then 12 installed', t => {
	const trixie = readFileSync(new URL('../fixtures/progress/pip-install-patroni-trixie.txt', import.meta.url), 'utf8').split('\n');
	const figures = readAll(trixie);
	const collecting = figures.filter(item => item.phase.en === 'pip: collecting');
	t.deepEqual([collecting.at(-1)!.done, collecting.at(-1)!.bytes!.done], [12, 1_631_000]);
	t.deepEqual(figures.at(-1), {phase: {ru: 'pip: установка', en: 'pip: installing'}, unit: 'packages', done: 12, total: 12});
});
