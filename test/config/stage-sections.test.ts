import test from 'ava';
import YAML from 'yaml';
import {ConfigError, parseClusterFile} from '../../source/config/load.ts';
import type {SectionReader} from '../../source/core/section.ts';
import {etcdStage, sectionReaders, stageList} from '../../steps/index.ts';

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
