/** The repository download measured: apt's list of what it fetches against the files in the pool. */
import test from 'ava';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {parsePrintUris, poolFigures} from '../../source/lab/download-progress.ts';

// Real `apt-get --print-uris install curl libpq5` output (bookworm, a throwaway chroot).
const printUris = readFileSync(new URL('../fixtures/progress/apt-print-uris-bookworm.txt', import.meta.url), 'utf8');

test('apt\'s --print-uris answer gives every file it will fetch with its size, and nothing from its chatter', t => {
	const wanted = parsePrintUris(printUris);
	t.is(wanted.length, 17);
	t.deepEqual(wanted[0], {file: 'libbrotli1_1.0.9-2+b6_amd64.deb', size: 275_248});
	t.is(wanted.reduce((sum, item) => sum + item.size, 0), 2_423_240);
});

test('the pool counts whole files, and the bytes of the one still in partial/', t => {
	const pool = mkdtempSync(path.join(tmpdir(), 'pgha-pool-'));
	t.teardown(() => rmSync(pool, {recursive: true, force: true}));
	mkdirSync(path.join(pool, 'partial'));
	writeFileSync(path.join(pool, 'a.deb'), Buffer.alloc(100));
	writeFileSync(path.join(pool, 'partial', 'b.deb'), Buffer.alloc(30));
	const wanted = [{file: 'a.deb', size: 100}, {file: 'b.deb', size: 200}, {file: 'c.deb', size: 50}];
	t.deepEqual(poolFigures(pool, wanted), {files: 1, bytes: 130});
});
