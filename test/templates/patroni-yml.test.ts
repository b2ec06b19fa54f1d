import test from 'ava';
import {parse} from 'yaml';
import {patroniInput} from '../../steps/render.ts';
import {patroniDataDir, renderPatroniYml} from '../../templates/patroni-yml.ts';
import {awkwardSecrets, runLocally, sampleCluster, sampleSecrets} from '../helpers/install-fixtures.ts';

const cluster = sampleCluster();
const secrets = sampleSecrets();
const node = cluster.nodes[1]!;
const rendered = renderPatroniYml(patroniInput(cluster, secrets, node, '16'));
const config = parse(rendered, {version: '1.1'}) as Record<string, any>;

/** Patroni reads its file with PyYAML (YAML 1.1); parse the text exactly as it will. */
async function pyyaml(text: string): Promise<unknown> {
	const result = await runLocally(`/usr/bin/python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'`, {input: text});
	if (result.code !== 0) throw new Error(`python3-yaml failed: ${result.stderr}`);
	return JSON.parse(result.stdout);
}

test('etcd3 is a mapping whose hosts list names every member (the guide puts the list under etcd3)', t => {
	t.false(Array.isArray(config['etcd3']));
	t.deepEqual(config['etcd3'], {hosts: ['192.168.0.30:2379', '192.168.0.31:2379', '192.168.0.32:2379']});
	t.false('etcd' in config);
});

test('node identity, REST API with authentication and addresses of this node', t => {
	t.is(config['scope'], 'pg-cluster');
	t.is(config['namespace'], '/service/');
	t.is(config['name'], 'pg-node-2');
	t.deepEqual(config['restapi'], {
		listen: '192.168.0.31:8008',
		connect_address: '192.168.0.31:8008',
		authentication: {username: 'patroni', password: secrets.restApiPassword},
	});
	t.is(config['postgresql'].listen, '192.168.0.31,127.0.0.1:5432');
	t.is(config['postgresql'].connect_address, '192.168.0.31:5432');
});

test('bootstrap.dcs takes the timing from the cluster file and the replication settings', t => {
	const dcs = config['bootstrap'].dcs;
	t.is(dcs.ttl, cluster.timing.ttl);
	t.is(dcs.loop_wait, cluster.timing.loopWait);
	t.is(dcs.retry_timeout, cluster.timing.retryTimeout);
	t.is(dcs.maximum_lag_on_failover, 1_048_576);
	t.is(dcs.synchronous_mode, false);
	t.true(dcs.postgresql.use_pg_rewind);
	t.true(dcs.postgresql.use_slots);
	t.like(dcs.postgresql.parameters, {
		wal_level: 'replica', hot_standby: 'on', wal_keep_size: '128MB', max_wal_senders: 10, max_replication_slots: 10,
		max_connections: 100, shared_buffers: '128MB', wal_log_hints: 'on', password_encryption: 'scram-sha-256',
	});
	t.deepEqual(config['bootstrap'].initdb, [{encoding: 'UTF8'}, 'data-checksums']);
});

test('synchronous_mode follows the cluster file', t => {
	const sync = sampleCluster('synchronous_mode: true');
	const parsed = parse(renderPatroniYml(patroniInput(sync, secrets, sync.nodes[0]!, '16')), {version: '1.1'}) as Record<string, any>;
	t.is(parsed['bootstrap'].dcs.synchronous_mode, true);
});

test('pg_hba: peer locally, scram-sha-256 for the cluster subnet and loopback, replication allowed, never 0.0.0.0/0', t => {
	const hba = config['postgresql'].pg_hba as string[];
	t.deepEqual(hba, [
		'local all all peer',
		'host replication replicator 127.0.0.1/32 scram-sha-256',
		'host replication replicator 192.168.0.0/24 scram-sha-256',
		'host all all 127.0.0.1/32 scram-sha-256',
		'host all all 192.168.0.0/24 scram-sha-256',
	]);
	t.false(rendered.includes('0.0.0.0/0'));
	t.false(/\bmd5\b/.test(rendered));
	// Patroni 3.0.2's validator insists on bootstrap.pg_hba; it carries the same rules.
	t.deepEqual(config['bootstrap'].pg_hba, hba);
});

test('data directory, bin_dir, pgpass and the three roles with generated passwords', t => {
	const pg = config['postgresql'];
	t.is(pg.data_dir, '/var/lib/postgresql/16/pg-cluster');
	t.is(pg.data_dir, patroniDataDir(16, 'pg-cluster'));
	t.is(pg.bin_dir, '/usr/lib/postgresql/16/bin');
	t.is(pg.pgpass, '/var/lib/postgresql/.pgpass_patroni');
	t.false(pg.pgpass.startsWith('/tmp'));
	t.deepEqual(pg.authentication, {
		superuser: {username: 'postgres', password: secrets.superuserPassword},
		replication: {username: 'replicator', password: secrets.replicationPassword},
		rewind: {username: 'rewind_user', password: secrets.rewindPassword},
	});
	t.deepEqual(config['tags'], {nofailover: false, noloadbalance: false, clonefrom: false, nosync: false});
});

test('none of the guide\'s sample passwords or paths appear', t => {
	for (const sample of ['admin123', 'rep_password', 'api_password', 'api_user', '/home/patroni', '/tmp/pgpass']) {
		t.false(rendered.includes(sample), sample);
	}
});

test('PyYAML (what Patroni uses) reads the file exactly as intended, awkward passwords and "on"/"off" included', async t => {
	const tricky = renderPatroniYml(patroniInput(cluster, awkwardSecrets, node, '16'));
	const expected = parse(tricky, {version: '1.1'}) as Record<string, any>;
	const actual = await pyyaml(tricky) as Record<string, any>;
	t.deepEqual(actual, expected);
	t.is(actual['postgresql'].authentication.superuser.password, 'on');
	t.is(actual['postgresql'].authentication.replication.password, '123456');
	t.is(actual['postgresql'].authentication.rewind.password, 'a: b # c');
	t.is(actual['restapi'].authentication.password, 'yes');
	t.is(actual['bootstrap'].dcs.postgresql.parameters.hot_standby, 'on');
	t.is(actual['watchdog'].mode, 'off');
});
