/**
 * The doctor's batch output of a healthy three-node cluster as the nodes print it (etcdctl 3.5
 * JSON, Patroni 4.0.7 REST answers, HAProxy 2.8 stats CSV, ss, df, pgha's own Patroni and HAProxy
 * files), section by section, so a test changes one section the way a fault would and parses the
 * whole through the doctor's own parser.
 */
import {readFileSync} from 'node:fs';
import type {ClusterConfig} from '../../source/core/cluster.ts';
import {parseNodeFacts, type ClusterFacts, type NodeReport, type Unreached} from '../../source/doctor/facts.ts';
import {renderPatroniYml, patroniDataDir} from '../../templates/patroni-yml.ts';
import {renderHaproxyCfg} from '../../templates/haproxy-cfg.ts';
import {sampleCluster} from './install-fixtures.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/patroni-4.0.7/${name}`, import.meta.url), 'utf8');

export const clusterId = '17237436991929493444';
export const memberIds = ['9372538179322589801', '10501334649042878790', '18249187646912138824'];
export const dataDir = patroniDataDir(16, 'pg-cluster');

export function doctorCluster(overrides = ''): ClusterConfig {
	return sampleCluster(overrides);
}

function memberList(cluster: ClusterConfig, self: number): string {
	const members = cluster.nodes.map((node, index) => `{"ID":${memberIds[index]},"name":"${node.name}","peerURLs":["http://${node.ip}:2380"],"clientURLs":["http://${node.ip}:2379"]}`);
	return `{"header":{"cluster_id":${clusterId},"member_id":${memberIds[self]},"raft_term":2},"members":[${members.join(',')}]}`;
}

export function etcdStatusJson(self: number, leader = memberIds[0]!, id = clusterId): string {
	return `[{"Endpoint":"http://127.0.0.1:2379","Status":{"header":{"cluster_id":${id},"member_id":${memberIds[self]},"revision":41,"raft_term":2},"version":"3.5.11","dbSize":24576,"leader":${leader},"raftIndex":57,"raftTerm":2,"raftAppliedIndex":57,"dbSizeInUse":24576}}]`;
}

/** HAProxy 2.8's CSV header (the first 40 of its columns) and one row per server. */
const statsHeader = '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,';

export function statsRow(proxy: string, server: string, status: string, check = status === 'UP' ? 'L7OK' : 'L7STS'): string {
	const fields = Array.from({length: 40}, () => '');
	fields[0] = proxy;
	fields[1] = server;
	fields[17] = status;
	fields[32] = '2';
	fields[36] = check;
	fields[37] = status === 'UP' ? '200' : '503';
	return `${fields.join(',')},`;
}

export function statsCsv(rows: readonly string[]): string {
	return [statsHeader, 'primary,FRONTEND,,,0,1,262,2,,,,,,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,1,,,,,', ...rows, 'stats,FRONTEND,,,1,1,262,3,,,,,,,,,,OPEN,,,,,,,,,1,4,0,,,,0,1,0,1,,,,,'].join('\n');
}

export function healthyStats(cluster: ClusterConfig): string {
	return statsCsv([
		...cluster.nodes.map((node, index) => statsRow('primary', node.name, index === 0 ? 'UP' : 'DOWN')),
		...cluster.nodes.map((node, index) => statsRow('replicas', node.name, index === 0 ? 'DOWN' : 'UP')),
	]);
}

export function patroniFile(cluster: ClusterConfig, index: number): string {
	const node = cluster.nodes[index]!;
	return renderPatroniYml({
		scope: cluster.name, name: node.name, ip: node.ip, restApiPort: 8008, restApiPassword: 'rest-secret',
		etcdHosts: cluster.nodes.map(item => `${item.ip}:2379`), ttl: 30, loopWait: 10, retryTimeout: 10,
		maximumLagOnFailover: 1_048_576, synchronousMode: false, failsafeMode: true, postgresPort: 5432,
		dataDir, binDir: '/usr/lib/postgresql/16/bin', subnet: '192.168.0.0/24',
		superuserPassword: 'su-secret', replicationPassword: 'repl-secret', rewindPassword: 'rewind-secret',
	});
}

export function haproxyFile(cluster: ClusterConfig): string {
	return renderHaproxyCfg({
		clusterName: cluster.name, servers: cluster.nodes.map(node => ({name: node.name, ip: node.ip})), postgresPort: 5432,
		patroniApiPort: 8008, writePort: 5000, readPort: 5001, statsPort: 8404, statsPassword: 'stats-secret', inter: '3s', fall: 3, rise: 2,
	});
}

export const hbaLines = [
	'local all all peer',
	'host replication replicator 127.0.0.1/32 scram-sha-256',
	'host replication replicator 192.168.0.0/24 scram-sha-256',
	'host all all 127.0.0.1/32 scram-sha-256',
	'host all all 192.168.0.0/24 scram-sha-256',
];

export function df(path: string, availMb: number, usePercent: number, mount = '/'): string {
	return `Filesystem     1048576-blocks  Used Available Capacity Mounted on\n/dev/sda2               40000  9000     ${availMb}      ${usePercent}% ${mount}`;
}

export type Sections = Record<string, string>;

/** The sections node `index` prints on a healthy cluster (node 1 leads and runs HAProxy). */
export function healthySections(cluster: ClusterConfig, index: number): Sections {
	const node = cluster.nodes[index]!;
	const leader = index === 0;
	const self = fixture(leader ? 'leader-patroni.json' : 'replica-patroni.json').replace('"pg-node-2"', `"${node.name}"`);
	const pids = {etcd: 812 + index, patroni: 1100 + index, postgres: 1201 + index, haproxy: 900};
	const ss = [
		`LISTEN 0      4096   ${node.ip}:2379       0.0.0.0:*    users:(("etcd",pid=${pids.etcd},fd=8))`,
		`LISTEN 0      4096   127.0.0.1:2379       0.0.0.0:*    users:(("etcd",pid=${pids.etcd},fd=7))`,
		`LISTEN 0      4096   ${node.ip}:2380       0.0.0.0:*    users:(("etcd",pid=${pids.etcd},fd=6))`,
		`LISTEN 0      5      ${node.ip}:8008       0.0.0.0:*    users:(("patroni",pid=${pids.patroni},fd=5))`,
		`LISTEN 0      200    ${node.ip}:5432       0.0.0.0:*    users:(("postgres",pid=${pids.postgres},fd=6))`,
		`LISTEN 0      200    127.0.0.1:5432       0.0.0.0:*    users:(("postgres",pid=${pids.postgres},fd=7))`,
		`LISTEN 0      128    0.0.0.0:22       0.0.0.0:*    users:(("sshd",pid=601,fd=3))`,
		...(leader ? [5000, 5001, 8404].map(port => `LISTEN 0      4096   0.0.0.0:${port}       0.0.0.0:*    users:(("haproxy",pid=${pids.haproxy},fd=${port - 4990}))`) : []),
	];
	const holders = [
		`${pids.etcd}\tetcd\t/system.slice/etcd.service\t/\t/var/lib/etcd/pg-cluster\t/usr/local/bin/etcd --config-file /etc/etcd/etcd.conf.yml`,
		`${pids.patroni}\tpostgres\t/system.slice/patroni.service\t/\t\t/opt/patroni-venv/bin/python3 /opt/patroni-venv/bin/patroni /etc/patroni/config.yml`,
		`${pids.postgres}\tpostgres\t/system.slice/patroni.service\t${dataDir}\t\tpostgres -D ${dataDir} --config-file=${dataDir}/postgresql.conf --listen_addresses=${node.ip},127.0.0.1 --port=5432`,
		'601\troot\t/system.slice/ssh.service\t/\t\tsshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups',
		...(leader ? [`${pids.haproxy}\thaproxy\t/system.slice/haproxy.service\t/\t\t/usr/sbin/haproxy -Ws -f /etc/haproxy/haproxy.cfg -p /run/haproxy.pid -S /run/haproxy-master.sock`] : []),
	];
	return {
		clock: '1796216891.123456789',
		hostname: node.name,
		'machine-id': `${index + 1}f0c6e0d2a5b4c3d8e9f00112233445${index}`,
		'etcd-unit': 'active',
		'etcd-processes': `${pids.etcd} /usr/local/bin/etcd --config-file /etc/etcd/etcd.conf.yml`,
		'etcd-status': etcdStatusJson(index),
		'etcd-status-error': '',
		'etcd-health': '[{"endpoint":"http://127.0.0.1:2379","health":true,"took":"1.860231ms"}]',
		'etcd-health-error': '',
		'etcd-members': memberList(cluster, index),
		'etcd-members-error': '',
		'etcd-log': '',
		'patroni-unit': 'active',
		'patroni-processes': `${pids.patroni} /opt/patroni-venv/bin/python3 /opt/patroni-venv/bin/patroni /etc/patroni/config.yml`,
		'patroni-file /etc/patroni/config.yml': patroniFile(cluster, index),
		'patroni-cluster': fixture('cluster.json'),
		'patroni-self': self,
		'patroni-config': '{"ttl": 30, "loop_wait": 10, "retry_timeout": 10, "maximum_lag_on_failover": 1048576, "postgresql": {"use_pg_rewind": true, "use_slots": true}, "synchronous_mode": false, "failsafe_mode": true}',
		[`hba ${dataDir}`]: hbaLines.join('\n'),
		[`df ${dataDir}`]: df(dataDir, 29000, 24),
		'df /var/lib/etcd': df('/var/lib/etcd', 29000, 24),
		'pg-log': '',
		...(leader ? {'haproxy-unit': 'active', 'haproxy-file': haproxyFile(cluster), 'haproxy-stats': healthyStats(cluster)} : {}),
		ss: ss.join('\n'),
		holders: holders.join('\n'),
		end: '',
	};
}

export function batchOutput(sections: Sections): string {
	return Object.entries(sections).map(([name, body]) => `@@ ${name}\n${body}`).join('\n') + '\n';
}

export interface FactsOptions {
	/** Per node index: sections to replace (undefined removes one). */
	readonly change?: Record<number, Record<string, string | undefined>>;
	readonly unreachable?: Record<number, {how: Unreached; en: string}>;
	/** Per node index: its clock offset against this computer in ms. */
	readonly clockMs?: Record<number, number>;
}

export function clusterFacts(cluster: ClusterConfig = doctorCluster(), options: FactsOptions = {}): ClusterFacts {
	const nodes = cluster.nodes.map((node, index): NodeReport => {
		const down = options.unreachable?.[index];
		if (down) return {node: node.name, reached: false, how: down.how, error: {ru: down.en, en: down.en}};
		const sections: Record<string, string | undefined> = {...healthySections(cluster, index), ...options.change?.[index]};
		const kept = Object.fromEntries(Object.entries(sections).filter((entry): entry is [string, string] => entry[1] !== undefined));
		return {node: node.name, reached: true, facts: parseNodeFacts(batchOutput(kept), {offsetMs: options.clockMs?.[index] ?? 40, uncertaintyMs: 30})};
	});
	return {cluster, nodes};
}
