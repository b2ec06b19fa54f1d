import test from 'ava';
import {findBlock, findOtherEntries, hostLinePatterns, hostPatternsMatch, ManagedBlockError, upsertBlock} from '../../source/host/managed-block.ts';
import {blockEndMarker, blockStartMarker} from '../../templates/ssh-config.ts';

const block = [blockStartMarker('c'), 'Host pg-node-1', '    HostName 10.0.0.1', blockEndMarker('c')];

test('Host lines: keyword in any case, `=` form, quotes, trailing comment', t => {
	t.deepEqual(hostLinePatterns('Host pg-node-1 pg-node-2'), ['pg-node-1', 'pg-node-2']);
	t.deepEqual(hostLinePatterns('  host=pg-*'), ['pg-*']);
	t.deepEqual(hostLinePatterns('HOST "pg node" # the lab'), ['pg node']);
	t.is(hostLinePatterns('HostName 10.0.0.1'), undefined);
	t.is(hostLinePatterns('# Host pg-node-1'), undefined);
});

test('OpenSSH pattern rules: wildcards, case, negation', t => {
	t.true(hostPatternsMatch(['*'], 'pg-node-1'));
	t.true(hostPatternsMatch(['pg-node-?'], 'PG-NODE-1'));
	t.false(hostPatternsMatch(['pg-node-??'], 'pg-node-1'));
	t.false(hostPatternsMatch(['*', '!pg-node-1'], 'pg-node-1'));
	t.true(hostPatternsMatch(['*', '!pg-node-1'], 'pg-node-2'));
	t.false(hostPatternsMatch(['!pg-node-1'], 'pg-node-2'), 'a negation alone matches nothing');
	t.false(hostPatternsMatch(['pg.node.1'], 'pgxnodex1'), 'dots are literal');
});

test('the block goes before the first matching section, with that section\'s comments kept above it', t => {
	const text = 'Host work\n  User me\n\n# defaults for everything\n# (keep last)\nHost *\n  User other\n';
	const merged = upsertBlock(text, 'c', block, ['pg-node-1'], '\n');
	t.is(merged, `Host work\n  User me\n\n${block.join('\n')}\n\n# defaults for everything\n# (keep last)\nHost *\n  User other\n`);
	t.deepEqual(findBlock(merged, 'c'), {start: 3, end: 6});
	t.is(upsertBlock(merged, 'c', block, ['pg-node-1'], '\n'), merged, 'idempotent');
});

test('an existing block is replaced in place, CRLF kept around it', t => {
	const text = `Host a\r\n${blockStartMarker('c')}\r\nHost old\r\n${blockEndMarker('c')}\r\nHost z\r\n`;
	t.is(upsertBlock(text, 'c', block, ['pg-node-1'], '\r\n'), `Host a\r\n${block.join('\r\n')}\r\nHost z\r\n`);
});

test('a damaged block is an error; other clusters\' blocks are not ours', t => {
	t.throws(() => findBlock(`${blockStartMarker('c')}\nHost x\n`, 'c'), {instanceOf: ManagedBlockError});
	t.throws(() => findBlock(`${blockEndMarker('c')}\n${blockStartMarker('c')}\n`, 'c'), {instanceOf: ManagedBlockError});
	t.is(findBlock(`${blockStartMarker('other')}\n${blockEndMarker('other')}\n`, 'c'), undefined);
});

test('entries for the same aliases outside the block are listed with their line', t => {
	const merged = upsertBlock('Host pg-node-1\n  User x\n', 'c', block, ['pg-node-1'], '\n');
	t.deepEqual(findOtherEntries(merged, 'c', ['pg-node-1', 'pg-node-2']), [{line: 6, alias: 'pg-node-1'}]);
});
