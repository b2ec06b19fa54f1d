import test from 'ava';
import YAML from 'yaml';
import {ConfigError, parseClusterFile} from '../../source/config/load.ts';

const file = '/work/course/pgha.yaml';

/** The cluster file from the readme, as data a test can change. */
function base(): Record<string, any> {
	return {
		name: 'pg-cluster',
		nodes: [
			{name: 'pg-node-1', ip: '192.168.0.30', ssh: {port: 22, user: 'patroni', auth: 'password'}},
			{name: 'pg-node-2', ip: '192.168.0.31', ssh: {port: 22, user: 'patroni', auth: 'password'}},
			{name: 'pg-node-3', ip: '192.168.0.32'},
		],
		postgres: {version: 'auto'},
		patroni: {source: 'venv', user: 'patroni', version: '4.0.7'},
		etcd: {source: 'download', version: '3.5.11'},
		ports: {postgres: 5432, patroni_api: 8008, etcd_client: 2379, etcd_peer: 2380, haproxy_write: 5000, haproxy_read: 5001, haproxy_stats: 8404},
		timing: {ttl: 30, loop_wait: 10, retry_timeout: 10},
		haproxy: {node: 'pg-node-1', inter: '3s', fall: 3, rise: 2},
		synchronous_mode: false,
		apt_upgrade: false,
		subnet: '192.168.0.0/24',
		disk: {fail_below_mb: 1024, warn_below_mb: 2048},
	};
}

function load(data: unknown, checkFiles = true) {
	return parseClusterFile(YAML.stringify(data), file, {checkFiles});
}

/** The English lines of the ConfigError thrown for `data`. */
function errors(data: unknown): string[] {
	try {
		load(data);
	} catch (error) {
		if (error instanceof ConfigError) return error.issues.map(issue => issue.message);
		throw error;
	}

	return [];
}

function changed(change: (data: Record<string, any>) => void): Record<string, any> {
	const data = base();
	change(data);
	return data;
}

test('the readme example loads with its values', t => {
	const {config, warnings} = load(base());
	t.deepEqual(warnings, []);
	t.is(config.name, 'pg-cluster');
	t.deepEqual(config.nodes.map(node => [node.name, node.ip, node.sshPort, node.sshUser, node.auth.kind]), [
		['pg-node-1', '192.168.0.30', 22, 'patroni', 'password'],
		['pg-node-2', '192.168.0.31', 22, 'patroni', 'password'],
		['pg-node-3', '192.168.0.32', 22, 'patroni', 'password'],
	]);
	t.deepEqual(config.timing, {ttl: 30, loopWait: 10, retryTimeout: 10});
	t.deepEqual(config.haproxy, {nodes: ['pg-node-1'], timing: {inter: '3s', fall: 3, rise: 2}});
	t.true(config.failsafeMode);
	t.is(config.ports.haproxyStats, 8404);
	t.is(config.file, file);
});

test('a file with only the nodes gets the documented defaults', t => {
	const {config} = load({nodes: base().nodes});
	t.is(config.name, 'pg-cluster');
	t.is(config.postgresVersion, 'auto');
	t.deepEqual(config.patroni, {source: 'venv', user: 'patroni', version: '4.0.7'});
	t.deepEqual(config.etcd, {source: 'download', version: '3.5.11', downloadBase: 'https://github.com/etcd-io/etcd/releases/download'});
	t.deepEqual(config.ports, {postgres: 5432, patroniApi: 8008, etcdClient: 2379, etcdPeer: 2380, haproxyWrite: 5000, haproxyRead: 5001, haproxyStats: 8404});
	t.deepEqual(config.timing, {ttl: 30, loopWait: 10, retryTimeout: 10});
	t.deepEqual(config.haproxy.nodes, ['pg-node-1']);
	t.is(config.subnet, '192.168.0.0/24');
	t.deepEqual(config.disk, {failBelowMb: 1024, warnBelowMb: 2048});
	t.false(config.synchronousMode);
	t.false(config.aptUpgrade);
	t.is(config.lab, undefined);
});

test('timing preset fast gives 20/5/5', t => {
	const {config} = load(changed(data => {
		data.timing = {preset: 'fast'};
	}));
	t.deepEqual(config.timing, {ttl: 20, loopWait: 5, retryTimeout: 5});
});

test('a key file path is resolved from the home folder', t => {
	const {config} = load(changed(data => {
		data.nodes[0].ssh.auth = {key: '~/.ssh/id_ed25519'};
	}), false);
	t.is(config.nodes[0]!.auth.kind, 'key');
	t.regex((config.nodes[0]!.auth as {keyFile: string}).keyFile, /\/\.ssh\/id_ed25519$/);
	t.false((config.nodes[0]!.auth as {keyFile: string}).keyFile.startsWith('~'));
});

test('a bad IP names the field and the value', t => {
	t.deepEqual(errors(changed(data => {
		data.nodes[1].ip = '192.168.0.300';
	})), ['nodes[1].ip: "192.168.0.300" is not an IPv4 address']);
});

test('the Russian text of a bad IP names the field and the value too', t => {
	const error = t.throws(() => load(changed(data => {
		data.nodes[1].ip = '192.168.0.300';
	})), {instanceOf: ConfigError});
	t.is(error.issues[0]!.text.ru, 'nodes[1].ip: "192.168.0.300" — не IPv4-адрес');
	t.is(error.say('ru'), `${file}:\n  nodes[1].ip: "192.168.0.300" — не IPv4-адрес`);
});

test('an unknown key is an error with the likely meant key', t => {
	t.deepEqual(errors(changed(data => {
		data.nodes[0].sssh = data.nodes[0].ssh;
		delete data.nodes[0].ssh;
	})), ['nodes[0].sssh: unknown key (did you mean "ssh"?)']);
});

test('an unknown top-level key far from any known one has no suggestion', t => {
	t.deepEqual(errors(changed(data => {
		data.colour = 'blue';
	})), ['colour: unknown key']);
});

test('a port given as text is a type error', t => {
	t.deepEqual(errors(changed(data => {
		data.ports.postgres = '5432x';
	})), ['ports.postgres: "5432x" must be a whole number']);
});

test('a port out of range is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.ports.patroni_api = 70_000;
	})), ['ports.patroni_api: 70000 is not a port number (1-65535)']);
});

test('an SSH port of 0 is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.nodes[0].ssh.port = 0;
	})), ['nodes[0].ssh.port: 0 is not a port number (1-65535)']);
});

test('two services on one port are an error', t => {
	t.deepEqual(errors(changed(data => {
		data.ports.haproxy_read = 5000;
	})), ['ports.haproxy_read: 5000 is already used by ports.haproxy_write']);
});

test('a duplicate IP is an error naming the first node', t => {
	t.deepEqual(errors(changed(data => {
		data.nodes[2].ip = '192.168.0.30';
	})), ['nodes[2].ip: "192.168.0.30" is already used by nodes[0]']);
});

test('a duplicate name is an error naming the first node', t => {
	t.deepEqual(errors(changed(data => {
		data.nodes[1].name = 'pg-node-1';
	})), ['nodes[1].name: "pg-node-1" is already used by nodes[0]']);
});

test('fewer than 3 nodes is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.nodes.pop();
	})), ['nodes: only 2 given; a highly available cluster needs at least 3 nodes']);
});

test('an even node count is a warning, not an error', t => {
	const {warnings} = load(changed(data => {
		data.nodes.push({name: 'pg-node-4', ip: '192.168.0.33'});
	}));
	t.deepEqual(warnings.map(warning => warning.message), ['nodes: 4 nodes is an even number; etcd needs a majority, so 4 nodes survive no more failures than 3']);
});

test('haproxy.node must be one of the nodes', t => {
	t.deepEqual(errors(changed(data => {
		data.haproxy.node = 'pg-node-9';
	})), ['haproxy.node: "pg-node-9" is not one of the nodes (pg-node-1, pg-node-2, pg-node-3)']);
});

test('loop_wait + 2 * retry_timeout above ttl is an error naming the three values', t => {
	t.deepEqual(errors(changed(data => {
		data.timing = {ttl: 30, loop_wait: 10, retry_timeout: 15};
	})), ['timing: loop_wait + 2 * retry_timeout must not exceed ttl, but 10 + 2 * 15 = 40 > 30']);
});

test('a ttl below Patroni\'s minimum is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.timing = {ttl: 15, loop_wait: 3, retry_timeout: 3};
	})), ['timing.ttl: 15 is below Patroni\'s minimum of 20']);
});

test('an unknown timing preset is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.timing = {preset: 'slow'};
	})), ['timing.preset: "slow" must be one of default, fast']);
});

test('etcd upload without a tarball is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.etcd = {source: 'upload'};
	})), ['etcd.tarball: is missing; etcd.source "upload" needs the path of an etcd release tarball on this computer']);
});

test('an etcd tarball that does not exist is an error when loading', t => {
	t.deepEqual(errors(changed(data => {
		data.etcd = {source: 'upload', tarball: './no-such-etcd.tar.gz'};
	})), ['etcd.tarball: "./no-such-etcd.tar.gz" does not exist']);
});

test('an SSH key file that does not exist is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.nodes[2].ssh = {auth: {key: './missing-key'}};
	})), ['nodes[2].ssh.auth.key: "./missing-key" does not exist']);
});

test('an unknown patroni source is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.patroni.source = 'pip';
	})), ['patroni.source: "pip" must be one of venv, package']);
});

test('an unknown etcd source is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.etcd.source = 'docker';
	})), ['etcd.source: "docker" must be one of download, upload, package']);
});

test('a PostgreSQL version that is not a major number is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.postgres.version = '16.2';
	})), ['postgres.version: "16.2" must be "auto" or a PostgreSQL major version such as 16']);
});

test('postgres.version 16 is kept as a number', t => {
	t.is(load(changed(data => {
		data.postgres.version = 16;
	})).config.postgresVersion, 16);
});

test('an etcd version written as a short number is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.etcd.version = 3.5;
	})), ['etcd.version: 3.5 is not a version such as 3.5.11']);
});

test('an ssh auth that is neither password nor a key is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.nodes[0].ssh.auth = 'pasword';
	})), ['nodes[0].ssh.auth: "pasword" must be "password" or {key: FILE}']);
});

test('yes is not a boolean (YAML 1.2), and the message says what is', t => {
	t.deepEqual(errors(changed(data => {
		data.synchronous_mode = 'yes';
	})), ['synchronous_mode: "yes" must be true or false']);
});

test('nodes written as a mapping is a type error', t => {
	t.deepEqual(errors(changed(data => {
		data.nodes = {a: 1};
	})), ['nodes: a mapping must be a list']);
});

test('a node name that is not a host name is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.nodes[0].name = 'pg_node_1';
	})), ['nodes[0].name: "pg_node_1" is not a valid host name (letters, digits and "-", at most 63)']);
});

test('the name "host" is reserved', t => {
	t.deepEqual(errors(changed(data => {
		data.nodes[0].name = 'host';
		data.haproxy.node = 'host';
	})), ['nodes[0].name: "host" is reserved by pgha for the computer it runs on']);
});

test('a missing node IP is an error', t => {
	t.deepEqual(errors(changed(data => {
		delete data.nodes[2].ip;
	})), ['nodes[2].ip: is missing']);
});

test('a bad SSH user name is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.nodes[1].ssh.user = 'Pat Roni';
	})), ['nodes[1].ssh.user: "Pat Roni" is not a valid Linux user name']);
});

test('a bad HAProxy interval is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.haproxy.inter = '3 sec';
	})), ['haproxy.inter: "3 sec" is not an HAProxy time such as 3s or 500ms']);
});

test('haproxy.fall of 0 is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.haproxy.fall = 0;
	})), ['haproxy.fall: 0 must be at least 1']);
});

test('a subnet that is not CIDR is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.subnet = '192.168.0.0/33';
	})), ['subnet: "192.168.0.0/33" is not an IPv4 subnet such as 192.168.0.0/24']);
});

test('a subnet with host bits set is an error with the fix', t => {
	t.deepEqual(errors(changed(data => {
		data.subnet = '192.168.0.5/24';
	})), ['subnet: "192.168.0.5/24" has host bits set; use 192.168.0.0/24']);
});

test('a subnet that misses a node is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.subnet = '192.168.0.0/28';
	})), ['subnet: 192.168.0.0/28 does not contain nodes[0].ip 192.168.0.30', 'subnet: 192.168.0.0/28 does not contain nodes[1].ip 192.168.0.31', 'subnet: 192.168.0.0/28 does not contain nodes[2].ip 192.168.0.32']);
});

test('without subnet, nodes in two /24s get the smallest subnet holding both', t => {
	const {config} = load(changed(data => {
		delete data.subnet;
		data.nodes[2].ip = '192.168.1.32';
	}));
	t.is(config.subnet, '192.168.0.0/23');
});

test('disk thresholds in the wrong order are an error', t => {
	t.deepEqual(errors(changed(data => {
		data.disk = {fail_below_mb: 4096, warn_below_mb: 2048};
	})), ['disk.fail_below_mb: 4096 must not exceed disk.warn_below_mb (2048)']);
});

test('a bad download_base is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.etcd.download_base = 'ftp://mirror/etcd';
	})), ['etcd.download_base: "ftp://mirror/etcd" must be an http:// or https:// address']);
});

test('a bad cluster name is an error', t => {
	t.deepEqual(errors(changed(data => {
		data.name = 'my cluster';
	})), ['name: "my cluster" may contain only letters, digits, "-", "_" and "."']);
});

test('every error is reported at once, in file order', t => {
	t.deepEqual(errors(changed(data => {
		data.nodes[1].ip = '10.0.0';
		data.ports.postgres = 0;
		data.haproxy.node = 'nowhere';
	})), [
		'nodes[1].ip: "10.0.0" is not an IPv4 address',
		'ports.postgres: 0 is not a port number (1-65535)',
		'haproxy.node: "nowhere" is not one of the nodes (pg-node-1, pg-node-2, pg-node-3)',
	]);
});

test('a YAML syntax error names the line and column', t => {
	const error = t.throws(() => parseClusterFile('name: a\nnodes: [\n', file), {instanceOf: ConfigError});
	t.regex(error.issues[0]!.message, /^line 3, column 1: not valid YAML: /);
});

test('a duplicated key in the YAML is reported', t => {
	const error = t.throws(() => parseClusterFile('name: a\nname: b\n', file), {instanceOf: ConfigError});
	t.is(error.issues[0]!.message, 'line 2, column 1: not valid YAML: Map keys must be unique');
});

test('an empty file is an error', t => {
	const error = t.throws(() => parseClusterFile('# nothing\n', file), {instanceOf: ConfigError});
	t.deepEqual(error.issues.map(issue => issue.message), ['pgha.yaml is empty']);
});

test('a file that is a list is an error', t => {
	const error = t.throws(() => parseClusterFile('- a\n- b\n', file), {instanceOf: ConfigError});
	t.deepEqual(error.issues.map(issue => issue.message), ['(file): a list must be a mapping (key: value lines)']);
});

test('the lab section written by pgha lab up is accepted', t => {
	t.deepEqual(load(changed(data => {
		data.lab = {netns: 'lab-sw'};
	})).config.lab, {netns: 'lab-sw'});
});
