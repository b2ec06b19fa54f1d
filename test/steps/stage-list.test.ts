import test from 'ava';
import type {Stage} from '../../source/core/stage.ts';
import {allStagePackages, courseStages, packageList, requiredPorts, secretStageIds, stageList, type ListedStage} from '../../steps/index.ts';
import {createPackagesStage} from '../../steps/packages.ts';
import {sampleCluster, sampleSecrets} from '../helpers/install-fixtures.ts';

const cluster = sampleCluster();
const node = cluster.nodes[0]!;

/** A new stage as its author writes it: its own module, with its needs declared beside its steps. */
const pgbouncer: Stage = {
	id: 'pgbouncer',
	title: {ru: 'Пул соединений PgBouncer', en: 'PgBouncer connection pool'},
	explain: {ru: 'PgBouncer на каждом узле.', en: 'PgBouncer on every node.'},
	steps: [],
	needs: {
		packages: () => ['pgbouncer'],
		allPackages: () => ['pgbouncer'],
		ports: () => [{port: 6432, owners: ['pgbouncer'], role: 'PgBouncer'}],
		secrets: ['superuserPassword'],
	},
};

/** The one line a new stage adds to the list. */
const withPgbouncer: readonly ListedStage[] = [...stageList, {stage: pgbouncer, part: 'install'}];

test('a stage added to the list runs with the course\'s stages', t => {
	t.is(courseStages({}, withPgbouncer).at(-1), pgbouncer);
});

test('the packages stage installs what a stage added to the list declares', t => {
	const packages = createPackagesStage(() => withPgbouncer.map(item => item.stage));
	const install = packages.steps.find(step => step.id === 'packages.install')!;
	const commands = install.plan({cluster, secrets: sampleSecrets(), node, facts: new Map([['pg.major', '16']])})
		.map(action => (action.kind === 'run' ? action.command : ''));
	t.true(commands.some(command => command.includes('pgbouncer')));
	t.deepEqual(packageList(cluster, node, '16', withPgbouncer).slice(-1), ['pgbouncer']);
});

test('the VM checks require free the port a stage added to the list claims', t => {
	t.deepEqual(requiredPorts(cluster, node, withPgbouncer).at(-1), {port: 6432, owners: ['pgbouncer'], role: 'PgBouncer'});
	t.false(requiredPorts(cluster, node).some(claim => claim.port === 6432));
});

test('a stage added to the list with a secret is guarded like the others', t => {
	t.true(secretStageIds(withPgbouncer).includes('pgbouncer'));
	t.deepEqual(secretStageIds(), ['user', 'patroni', 'haproxy', 'keepalived']);
});

test('the course\'s ports come from the stages: etcd, PostgreSQL and Patroni on every node', t => {
	t.deepEqual(requiredPorts(cluster, cluster.nodes[1]!).map(claim => claim.port), [2379, 2380, 5432, 8008]);
});

test('every package any stage may install, both Patroni sources and every etcd source, each once', t => {
	const packages = allStagePackages('15');
	for (const name of ['postgresql-15', 'postgresql-client-15', 'python3-venv', 'libpq-dev', 'patroni', 'python3-psycopg2', 'python3-etcd', 'etcd-server', 'etcd-client', 'ca-certificates', 'haproxy', 'keepalived']) {
		t.true(packages.includes(name), name);
	}

	t.is(new Set(packages).size, packages.length);
});
