import test from 'ava';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {tryLock, unlock} from '../../source/lab/lock.ts';

function lockFile(t: {teardown(fn: () => void): void}): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-lock-'));
	t.teardown(() => rmSync(dir, {recursive: true, force: true}));
	return path.join(dir, 'lab.lock');
}

test('a lock held by a live process of this boot is respected', t => {
	const file = lockFile(t);
	// PID 1 is alive for sure and is not this process.
	writeFileSync(file, `1 ${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}`);
	t.false(tryLock(file));
});

test('a lock written before this boot is stale even when its PID is alive now', t => {
	const file = lockFile(t);
	writeFileSync(file, '1 00000000-0000-0000-0000-000000000000');
	t.true(tryLock(file));
	t.regex(readFileSync(file, 'utf8'), new RegExp(`^${process.pid} `));
	unlock(file);
});

test('a lock whose owner is gone is taken over, and unlock removes only its own', t => {
	const file = lockFile(t);
	writeFileSync(file, '999999999');
	t.true(tryLock(file));
	unlock(file);
	t.true(tryLock(file));
	writeFileSync(file, '1');
	unlock(file);
	t.is(readFileSync(file, 'utf8'), '1');
});
