import test from 'ava';
import {parse} from 'yaml';
import {etcdInput} from '../../steps/render.ts';
import {
	etcdClusterToken, etcdDataDir, etcdDataIdentity, etcdIdentityPath, packagedEtcdDataDir, renderEtcdConfig,
} from '../../templates/etcd-config.ts';
import {sampleCluster} from '../helpers/install-fixtures.ts';

const cluster = sampleCluster();

test('one member\'s config: its own URLs, every member in initial-cluster, a new cluster', t => {
	const config = parse(renderEtcdConfig(etcdInput(cluster, cluster.nodes[2]!)), {version: '1.1'}) as Record<string, string>;
	t.like(config, {
		name: 'pg-node-3',
		'data-dir': '/var/lib/etcd/pg-cluster',
		'listen-peer-urls': 'http://192.168.0.32:2380',
		'listen-client-urls': 'http://192.168.0.32:2379,http://127.0.0.1:2379',
		'advertise-client-urls': 'http://192.168.0.32:2379',
		'initial-advertise-peer-urls': 'http://192.168.0.32:2380',
		'initial-cluster': 'pg-node-1=http://192.168.0.30:2380,pg-node-2=http://192.168.0.31:2380,pg-node-3=http://192.168.0.32:2380',
		'initial-cluster-state': 'new',
	});
	// With --config-file the gateway defaults to off, and Patroni's etcd3 client needs it (/v3/...).
	t.is((config as Record<string, unknown>)['enable-grpc-gateway'], true);
	t.regex(config['initial-cluster-token']!, /^pg-cluster-[0-9a-f]{8}$/);
	// Never the guide's 0.0.0.0 listeners or home-directory data.
	t.false(JSON.stringify(config).includes('0.0.0.0'));
	t.false(JSON.stringify(config).includes('/home/'));
});

test('every member gets the same token; another member set gets another token', t => {
	const tokens = cluster.nodes.map(node => (parse(renderEtcdConfig(etcdInput(cluster, node))) as Record<string, string>)['initial-cluster-token']!);
	t.is(new Set(tokens).size, 1);
	const moved = sampleCluster().nodes.map((node, index) => ({name: node.name, ip: index === 2 ? '192.168.0.40' : node.ip}));
	t.not(etcdClusterToken('pg-cluster', moved, 2380), tokens[0]!);
	t.is(etcdClusterToken('pg-cluster', cluster.nodes, 2380), tokens[0]!);
});

test('the identity marker records token and member set, and sits beside the data directory', t => {
	const input = etcdInput(cluster, cluster.nodes[0]!);
	const identity = etcdDataIdentity(input);
	t.true(identity.includes(`initial-cluster-token=${etcdClusterToken('pg-cluster', cluster.nodes, 2380)}`));
	t.true(identity.includes('initial-cluster=pg-node-1=http://192.168.0.30:2380,'));
	t.is(etcdIdentityPath(input.dataDir), '/var/lib/etcd/pg-cluster.pgha-identity');
});

test('the data directory is never the packaged member\'s default, whatever the cluster is called', t => {
	t.not(etcdDataDir('default'), packagedEtcdDataDir);
	t.is(etcdDataDir('pg-cluster'), '/var/lib/etcd/pg-cluster');
	t.is(etcdDataDir('../x y'), '/var/lib/etcd/-x-y');
});
