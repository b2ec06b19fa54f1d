import test from 'ava';
import YAML from 'yaml';
import {ConfigError, parseClusterFile} from '../../source/config/load.ts';
import {validateClusterData} from '../../source/config/validate.ts';
import type {SectionReader} from '../../source/core/section.ts';
import {etcdStage, sectionReaders, stageList, type ListedStage} from '../../steps/index.ts';
import {pgbouncerSection, pgbouncerStage} from '../fixtures/pgbouncer-stage.ts';

const file = '/work/course/pgha.yaml';

/** A small valid cluster file a test can change. */
function base(): Record<string, any> {
	return {
		nodes: [
			{name: 'pg-node-1', ip: '192.168.0.30'},
			{name: 'pg-node-2', ip: '192.168.0.31'},
			{name: 'pg-node-3', ip: '192.168.0.32'},
		],
		subnet: '192.168.0.0/24',
	};
}

/** The English lines of the ConfigError for `data` (none when it loads). */
function errors(data: unknown): string[] {
	try {
		parseClusterFile(YAML.stringify(data), file, {checkFiles: false});
	} catch (error) {
		if (error instanceof ConfigError) return error.issues.map(issue => issue.message);
		throw error;
	}

	return [];
}

test('the section readers are the ones the stages declare, in the stage list\'s order', t => {
	const declared = stageList.flatMap(({stage}) => (stage.needs?.section?.read ? [[stage.id, stage.needs.section.read.field]] : []));
	t.deepEqual(declared, [['patroni-install', 'patroni'], ['etcd', 'etcd'], ['patroni', 'timing'], ['haproxy', 'haproxy']]);
	t.deepEqual(sectionReaders().map(reader => reader.field), declared.map(([, field]) => field));
});

test('every stage with a reader lists the keys it reads among its section keys (the runbook prints them)', t => {
	for (const {stage} of stageList) {
		const section = stage.needs?.section;
		if (!section?.read) continue;
		const {field} = section.read;
		t.true(section.keys.some(key => key === field || key.startsWith(`${field}.`)), stage.id);
	}
});

test('validation calls the reader the etcd stage declares', t => {
	// Swap the declared reader for a spy: validate.ts must reach it through the stage list, not its own copy.
	const section = etcdStage.needs!.section! as {read?: SectionReader};
	const original = section.read!;
	let calls = 0;
	section.read = {field: 'etcd', read: (r, context) => (calls++, original.read(r, context))} as SectionReader;
	try {
		t.deepEqual(errors(base()), []);
	} finally {
		section.read = original;
	}

	t.is(calls, 1);
});

test('a bad etcd section still reads as before the reader moved to the etcd stage', t => {
	t.deepEqual(errors({...base(), etcd: {source: 'upload'}}),
		['etcd.tarball: is missing; etcd.source "upload" needs the path of an etcd release tarball on this computer']);
});

test('a bad floating address still reads as before the reader moved beside the haproxy and keepalived stages', t => {
	t.deepEqual(errors({...base(), haproxy: {nodes: 'all', vip: '192.168.1.40'}}), [
		'haproxy.vip: 192.168.1.40 is outside the nodes\' subnet 192.168.0.0/24; keepalived can only move an address within the nodes\' own network',
	]);
});

/** The real stage list with the test-only PgBouncer stage right after HAProxy: one line, as for a real stage. */
const afterHaproxy = stageList.findIndex(({stage}) => stage.id === 'haproxy') + 1;
const withPgbouncer: readonly ListedStage[] = [...stageList.slice(0, afterHaproxy), {stage: pgbouncerStage, part: 'install'}, ...stageList.slice(afterHaproxy)];

/** The English lines for `data` validated with these stages' readers (none when it validates). */
function errorsWith(list: readonly ListedStage[], data: unknown): string[] {
	return validateClusterData(data, file, sectionReaders(list)).errors.map(issue => issue.message);
}

test('a new stage\'s section loads into its own field of the config', t => {
	const {config, errors} = validateClusterData({...base(), pgbouncer: {pool_mode: 'transaction'}}, file, sectionReaders(withPgbouncer));
	t.deepEqual(errors, []);
	// Typed through the fixture's declaration merging: no cast.
	t.is(config?.pgbouncer?.poolMode, 'transaction');
	t.is(config?.pgbouncer?.port, 6432);
});

test('a new stage\'s section left out gets its reader\'s defaults', t => {
	t.deepEqual(validateClusterData(base(), file, sectionReaders(withPgbouncer)).config?.pgbouncer, {poolMode: 'session', port: 6432});
});

test('a typo inside a new stage\'s section names the key with its section', t => {
	t.deepEqual(errorsWith(withPgbouncer, {...base(), pgbouncer: {pool_mod: 'transaction'}}),
		['pgbouncer.pool_mod: unknown key (did you mean "pool_mode"?)']);
});

test('without the stage in the list, its section is an unknown top-level key', t => {
	t.deepEqual(errorsWith(stageList, {...base(), pgbouncer: {pool_mode: 'transaction'}}), ['pgbouncer: unknown key']);
});

test('a top-level typo is matched against the stages\' keys too', t => {
	t.deepEqual(errorsWith(withPgbouncer, {...base(), pgbouncr: {}}), ['pgbouncr: unknown key (did you mean "pgbouncer"?)']);
	t.deepEqual(errorsWith(stageList, {...base(), hapoxy: {}}), ['hapoxy: unknown key (did you mean "haproxy"?)']);
});

test('a stage\'s section sees the ports the core read', t => {
	t.deepEqual(errorsWith(withPgbouncer, {...base(), pgbouncer: {port: 5432}}), ['pgbouncer.port: 5432 is already used by ports.postgres']);
});

test('stage sections are read after the core\'s keys up to subnet, in the list\'s order, before disk and lab', t => {
	t.deepEqual(errorsWith(withPgbouncer, {
		...base(),
		lab: {netns: 'a b'},
		disk: {fail_below_mb: -1},
		pgbouncer: {pool_mode: 'none'},
		haproxy: {fall: 0},
		etcd: {source: 'cdrom'},
		subnet: '10.0.0.0/33',
		ports: {postgres: 0},
	}).map(line => line.slice(0, line.indexOf(':'))), ['ports.postgres', 'subnet', 'etcd.source', 'haproxy.fall', 'pgbouncer.pool_mode', 'disk.fail_below_mb', 'lab.netns']);
});

test('a reader that returns nothing without reporting why is a programming error', t => {
	const silent = {field: 'pgbouncer', read: () => undefined} as SectionReader;
	t.throws(() => validateClusterData(base(), file, [...sectionReaders(), silent]), {message: /pgbouncer section was not read/});
});

test('two readers of one top-level key are a programming error', t => {
	t.throws(() => validateClusterData(base(), file, [...sectionReaders(withPgbouncer), pgbouncerSection]), {message: /pgbouncer key is read twice/});
});

test('a stage reading one of the core\'s keys is a programming error', t => {
	t.throws(() => validateClusterData(base(), file, [...sectionReaders(), {...pgbouncerSection, key: 'subnet'}]), {message: /subnet key is read twice/});
});

test('two readers filling one field of the config are a programming error', t => {
	const twin = {...etcdStage.needs!.section!.read!, key: 'etcd2'} as SectionReader;
	t.throws(() => validateClusterData(base(), file, [...sectionReaders(), twin]), {message: /config's etcd field/});
});

test('a reader\'s field is a stage section and its value has that section\'s type (checked by tsc)', t => {
	// @ts-expect-error: `name` is the core's, not a stage section.
	const core: SectionReader = {field: 'name', read: () => 'x'};
	// @ts-expect-error: the etcd field holds an EtcdInstall.
	const mistyped: SectionReader = {field: 'etcd', read: () => ({poolMode: 'session', port: 6432})};
	t.truthy(core && mistyped);
});
