/**
 * The doctor's rules, fed with what the nodes print (etcdctl JSON, Patroni REST JSON, HAProxy CSV,
 * pg_hba.conf, log lines) for a healthy cluster with one fault put in: each fault must give exactly
 * its own finding on its own node, and the healthy cluster none.
 */
import test from 'ava';
import {diagnose} from '../../source/doctor/rules/index.ts';
import type {Finding} from '../../source/doctor/finding.ts';
import {
	batchOutput, clusterFacts, dataDir, df, doctorCluster, etcdStatusJson, hbaLines, healthySections, memberIds, patroniFile, statsCsv, statsRow,
} from '../helpers/doctor-fixtures.ts';
import {parseNodeFacts} from '../../source/doctor/facts.ts';
import {readFileSync} from 'node:fs';

const cluster = doctorCluster();
const names = (findings: readonly Finding[]): string[] => findings.map(item => `${item.rule}@${item.node ?? 'cluster'}`);
const clusterJson = readFileSync(new URL('../fixtures/patroni-4.0.7/cluster.json', import.meta.url), 'utf8');

/** /cluster as every node's Patroni would answer it, with one member's fields replaced. */
function clusterWith(member: string, fields: string): string {
	const parsed = JSON.parse(clusterJson) as {members: Array<Record<string, unknown>>};
	const replaced = parsed.members.map(item => (item['name'] === member ? {...item, ...JSON.parse(fields) as Record<string, unknown>} : item));
	return JSON.stringify({...parsed, members: replaced});
}

const everyNode = (sections: Record<string, string | undefined>) => ({0: sections, 1: sections, 2: sections});

test('a healthy cluster gives no finding', t => {
	t.deepEqual(names(diagnose(clusterFacts())), []);
});

test('a cluster built by hand the guide\'s way (etcd1..3 members, ~/patroniN.yml, nohup processes) gives no finding', t => {
	const change: Record<number, Record<string, string | undefined>> = {};
	for (const [index, node] of cluster.nodes.entries()) {
		const sections = healthySections(cluster, index);
		const home = `/home/patroni/patroni${index + 1}.yml`;
		change[index] = {
			'etcd-unit': 'inactive',
			'etcd-processes': `${812 + index} etcd --config-file /home/patroni/etcd${index + 1}.conf`,
			'etcd-members': sections['etcd-members']!.replace(/"name":"pg-node-(\d)"/g, '"name":"etcd$1"'),
			'patroni-unit': 'inactive',
			'patroni-processes': `${1100 + index} /home/patroni/venv/bin/python3 /home/patroni/venv/bin/patroni ${home}`,
			'patroni-file /etc/patroni/config.yml': undefined,
			[`patroni-file ${home}`]: patroniFile(cluster, index).replace(/etcd3:\n {2}hosts:\n((?: {4}- .*\n)+)/, (_all, hosts: string) => `etcd3:\n    hosts:\n${hosts.replace(/^ {4}/gm, '        ')}`),
			holders: sections['holders']!
				.replace('/system.slice/etcd.service', '/user.slice/user-1000.slice/session-3.scope')
				.replaceAll('/system.slice/patroni.service', '/user.slice/user-1000.slice/session-4.scope'),
		};
	}

	t.deepEqual(names(diagnose(clusterFacts(cluster, {change}))), []);
});

test('a cloned machine-id is reported on the clone', t => {
	const first = healthySections(cluster, 0)['machine-id']!;
	const findings = diagnose(clusterFacts(cluster, {change: {2: {'machine-id': first}}}));
	t.deepEqual(names(findings), ['duplicate-machine-id@pg-node-3']);
	t.true(findings[0]!.evidence[0]!.includes(first));
});

test('a duplicate hostname is reported on the node whose hostname is not its own name', t => {
	const findings = diagnose(clusterFacts(cluster, {change: {1: {hostname: 'pg-node-1'}}}));
	t.deepEqual(names(findings), ['duplicate-hostname@pg-node-2']);
	t.deepEqual(findings[0]!.fix, ['sudo hostnamectl set-hostname pg-node-2']);
});

test('a clock 5 s ahead of the others is reported on that node only', t => {
	const findings = diagnose(clusterFacts(cluster, {clockMs: {0: 20, 1: 5020, 2: 60}}));
	t.deepEqual(names(findings), ['clock-skew@pg-node-2']);
	t.regex(findings[0]!.cause.en, /5\.0 s ahead/);
});

test('clocks 1.5 s apart are within the allowed 2 s', t => {
	t.deepEqual(names(diagnose(clusterFacts(cluster, {clockMs: {0: 0, 1: 1500, 2: 0}}))), []);
});

const etcdStopped = {
	'etcd-unit': 'inactive',
	'etcd-processes': '',
	'etcd-status': '',
	'etcd-status-error': 'Error: context deadline exceeded',
	'etcd-health': '[{"endpoint":"http://127.0.0.1:2379","health":false,"took":"5.001s","error":"failed to commit proposal: context deadline exceeded"}]',
	'etcd-health-error': 'Error: unhealthy cluster',
	'etcd-members': '',
	'etcd-members-error': 'Error: context deadline exceeded',
};

test('etcd stopped on one node: etcd-down on that node, no quorum finding', t => {
	const findings = diagnose(clusterFacts(cluster, {change: {2: etcdStopped}}));
	t.deepEqual(names(findings), ['etcd-down@pg-node-3']);
	t.regex(findings[0]!.cause.en, /not running/);
	t.true(findings[0]!.evidence.includes('systemctl is-active etcd: inactive'));
	t.true(findings[0]!.fix.includes('sudo systemctl start etcd'));
});

test('etcd started the guide\'s way (no service, ~/etcd3.conf) and now stopped: the advice is the guide\'s start line, not systemctl', t => {
	const byHand = {...etcdStopped, 'etcd-enabled': 'disabled', 'etcd-hand-configs': `${cluster.nodes[2]!.sshUser} /home/${cluster.nodes[2]!.sshUser}/etcd3.conf`};
	const findings = diagnose(clusterFacts(cluster, {change: {2: byHand}}));
	t.deepEqual(names(findings), ['etcd-down@pg-node-3']);
	t.regex(findings[0]!.cause.en, /started by hand with \/home\/\S+\/etcd3\.conf, not as a service/);
	const home = `/home/${cluster.nodes[2]!.sshUser}`;
	t.is(findings[0]!.fix[0], `nohup etcd --config-file ${home}/etcd3.conf >> ${home}/etcd3.log 2>&1 < /dev/null &`);
	t.false(findings[0]!.fix.some(line => line.includes('systemctl')));
});

test('the guide\'s etcd file owned by another user: the start line runs as that user', t => {
	const byHand = {...etcdStopped, 'etcd-enabled': '', 'etcd-hand-configs': 'alice /home/alice/etcd3.conf'};
	const findings = diagnose(clusterFacts(cluster, {change: {2: byHand}}));
	t.is(findings[0]!.fix[0], "sudo -u alice sh -c 'nohup etcd --config-file /home/alice/etcd3.conf >> /home/alice/etcd3.log 2>&1 < /dev/null &'");
});

test('a leftover ~/etcd1.conf beside pgha\'s enabled etcd service: the advice stays systemctl', t => {
	const leftover = {...etcdStopped, 'etcd-enabled': 'enabled', 'etcd-hand-configs': 'student /home/student/etcd3.conf'};
	const findings = diagnose(clusterFacts(cluster, {change: {2: leftover}}));
	t.true(findings[0]!.fix.includes('sudo systemctl start etcd'));
});

test('a hand-started etcd that runs but does not answer: kill that PID, then the guide\'s start line', t => {
	const hung = {...etcdStopped, 'etcd-enabled': 'disabled', 'etcd-processes': '4242 etcd --config-file /home/student/etcd3.conf', 'etcd-hand-configs': 'student /home/student/etcd3.conf'};
	const findings = diagnose(clusterFacts(cluster, {change: {2: hung}}));
	t.deepEqual(names(findings), ['etcd-down@pg-node-3']);
	t.is(findings[0]!.fix[0], 'sudo kill 4242');
	t.regex(findings[0]!.fix[1]!, /nohup etcd --config-file \/home\/student\/etcd3\.conf/);
});

test('two of three etcd members stopped: quorum lost, and the missing leader is not reported separately', t => {
	const noLeader = {
		'etcd-status': etcdStatusJson(0, '0'),
		'etcd-health': '[{"endpoint":"http://127.0.0.1:2379","health":false,"took":"5.0s","error":"etcdserver: no leader"}]',
		'patroni-cluster': clusterWith('pg-node-1', '{"role": "replica", "state": "running"}'),
	};
	const findings = diagnose(clusterFacts(cluster, {change: {0: noLeader, 1: {...etcdStopped, 'patroni-cluster': noLeader['patroni-cluster']}, 2: {...etcdStopped, 'patroni-cluster': noLeader['patroni-cluster']}}}));
	t.deepEqual(names(findings).sort(), ['etcd-down@pg-node-2', 'etcd-down@pg-node-3', 'etcd-quorum@cluster']);
	t.regex(findings.find(item => item.rule === 'etcd-quorum')!.cause.en, /1 of 3 etcd members answer and 0 of them have a leader; 2 are needed/);
});

test('a member of another etcd cluster is named on its node, without a member-list finding', t => {
	const stray = {
		'etcd-status': etcdStatusJson(2, memberIds[2], '5577006791947779410'),
		'etcd-members': `{"header":{"cluster_id":5577006791947779410,"member_id":${memberIds[2]},"raft_term":2},"members":[{"ID":${memberIds[2]},"name":"pg-node-3","peerURLs":["http://192.168.0.32:2380"],"clientURLs":["http://192.168.0.32:2379"]}]}`,
	};
	const findings = diagnose(clusterFacts(cluster, {change: {2: stray}}));
	t.deepEqual(names(findings), ['etcd-cluster-id@pg-node-3']);
	t.true(findings[0]!.evidence.includes('pg-node-3: endpoint status cluster_id 5577006791947779410'));
});

test('a member that cannot join because of a stale data directory is named by its journal', t => {
	const findings = diagnose(clusterFacts(cluster, {change: {1: {...etcdStopped, 'etcd-unit': 'failed', 'etcd-log': '{"level":"fatal","msg":"discovery failed","error":"error validating peerURLs {ClusterID:1f2e3d Members:[...]}: member count is unequal"}'}}}));
	t.deepEqual(names(findings), ['etcd-cluster-id@pg-node-2']);
	t.true(findings[0]!.fix.some(line => line.includes('rm -rf /var/lib/etcd/pg-cluster')));
});

test('a member list with an extra member, the same on every node, is one cluster-wide finding', t => {
	const extra = (index: number) => healthySections(cluster, index)['etcd-members']!.replace(/\]\}$/, ',{"ID":12345678901234567890,"name":"old-node","peerURLs":["http://192.168.0.40:2380"],"clientURLs":["http://192.168.0.40:2379"]}]}');
	const findings = diagnose(clusterFacts(cluster, {change: {0: {'etcd-members': extra(0)}, 1: {'etcd-members': extra(1)}, 2: {'etcd-members': extra(2)}}}));
	t.deepEqual(names(findings), ['etcd-members@cluster']);
	t.true(findings[0]!.fix.some(line => line.endsWith(`member remove ${12345678901234567890n.toString(16)}`)));
});

test('etcd: instead of etcd3: in the Patroni file is reported on that node, quoting the line', t => {
	const file = patroniFile(cluster, 1).replace(/^etcd3:/m, 'etcd:');
	const findings = diagnose(clusterFacts(cluster, {change: {1: {'patroni-file /etc/patroni/config.yml': file}}}));
	t.deepEqual(names(findings), ['patroni-etcd-v2@pg-node-2']);
	t.regex(findings[0]!.evidence[0]!, /^\/etc\/patroni\/config\.yml:\d+: etcd:$/);
	t.true(findings[0]!.fix.some(line => line.includes('systemctl reset-failed patroni') && line.endsWith('sudo systemctl restart patroni')));
});

test('a v2 Patroni file also explains its Patroni being down: only the cause is reported', t => {
	const file = patroniFile(cluster, 1).replace(/^etcd3:/m, 'etcd:');
	const findings = diagnose(clusterFacts(cluster, {change: {1: {'patroni-file /etc/patroni/config.yml': file, 'patroni-unit': 'failed', 'patroni-processes': '', 'patroni-self': '', 'patroni-cluster': ''}}}));
	t.deepEqual(names(findings), ['patroni-etcd-v2@pg-node-2']);
});

test('Patroni pointing at an etcd host that is not a member is reported on that node', t => {
	const file = patroniFile(cluster, 2).replace('192.168.0.31:2379', '192.168.0.99:2379');
	const findings = diagnose(clusterFacts(cluster, {change: {2: {'patroni-file /etc/patroni/config.yml': file}}}));
	t.deepEqual(names(findings), ['patroni-etcd-hosts@pg-node-3']);
	t.regex(findings[0]!.cause.en, /not members: 192\.168\.0\.99:2379; missing: 192\.168\.0\.31:2379/);
});

test('the guide\'s etcd3 written as a bare list is reported: Patroni cannot read hosts from it', t => {
	const file = patroniFile(cluster, 0).replace(/etcd3:\n {2}hosts:\n/, 'etcd3:\n');
	const findings = diagnose(clusterFacts(cluster, {change: {0: {'patroni-file /etc/patroni/config.yml': file}}}));
	t.deepEqual(names(findings), ['patroni-etcd-hosts@pg-node-1']);
	t.regex(findings[0]!.cause.en, /not a mapping with hosts:/);
});

test('an old ~/patroni1.yml with etcd: beside the file Patroni runs with is not reported', t => {
	const old = patroniFile(cluster, 0).replace(/^etcd3:/m, 'etcd:');
	t.deepEqual(names(diagnose(clusterFacts(cluster, {change: {0: {'patroni-file /home/patroni/patroni1.yml': old}}}))), []);
});

test('a paused cluster is one cluster-wide finding with patronictl resume', t => {
	const paused = JSON.stringify({...JSON.parse(clusterJson) as object, pause: true});
	const findings = diagnose(clusterFacts(cluster, {change: everyNode({'patroni-cluster': paused})}));
	t.deepEqual(names(findings), ['patroni-paused@cluster']);
	t.deepEqual(findings[0]!.fix, ['sudo -u postgres /opt/patroni-venv/bin/patronictl -c /etc/patroni/config.yml resume']);
});

const notStreaming = clusterWith('pg-node-2', '{"state": "starting", "lag": "unknown"}');
/** The leader's /patroni without pg-node-2 among the replicas streaming from it. */
const leaderAlone = (() => {
	const parsed = JSON.parse(readFileSync(new URL('../fixtures/patroni-4.0.7/leader-patroni.json', import.meta.url), 'utf8')) as {replication: Array<{application_name: string}>};
	return JSON.stringify({...parsed, replication: parsed.replication.filter(row => row.application_name !== 'pg-node-2')});
})();
const replicaSelf = (state: string) => readFileSync(new URL('../fixtures/patroni-4.0.7/replica-patroni.json', import.meta.url), 'utf8').replace('"replication_state": "streaming"', `"replication_state": "${state}"`).replace('"state": "running"', '"state": "starting"');

test('a replica refused by the leader\'s pg_hba: the finding is on the leader, naming the replica and the log line', t => {
	const line = '2026-12-03 12:01:02.345 UTC [2211] FATAL:  could not connect to the primary server: connection to server at "192.168.0.30", port 5432 failed: FATAL:  no pg_hba.conf entry for replication connection from host "192.168.0.31", user "replicator", no encryption';
	const findings = diagnose(clusterFacts(cluster, {change: {
		0: {'patroni-cluster': notStreaming, 'patroni-self': leaderAlone, [`hba ${dataDir}`]: hbaLines.filter(entry => !entry.includes('192.168.0.0/24 scram-sha-256') || !entry.includes('replication')).join('\n')},
		1: {'patroni-cluster': notStreaming, 'patroni-self': replicaSelf('stopped'), 'pg-log': line},
		2: {'patroni-cluster': notStreaming},
	}}));
	t.deepEqual(names(findings), ['replica-pg-hba@pg-node-1']);
	t.regex(findings[0]!.cause.en, /pg-node-1's pg_hba\.conf lets no replication in from pg-node-2/);
	t.true(findings[0]!.evidence.includes(line));
	t.true(findings[0]!.evidence.some(entry => entry.includes('host replication replicator 127.0.0.1/32')));
});

test('a replica with the wrong replication password is reported on the replica', t => {
	const line = 'FATAL:  could not connect to the primary server: connection to server at "192.168.0.30", port 5432 failed: FATAL:  password authentication failed for user "replicator"';
	const findings = diagnose(clusterFacts(cluster, {change: {
		0: {'patroni-cluster': notStreaming, 'patroni-self': leaderAlone}, 1: {'patroni-cluster': notStreaming, 'patroni-self': replicaSelf('stopped'), 'pg-log': line}, 2: {'patroni-cluster': notStreaming},
	}}));
	t.deepEqual(names(findings), ['replica-password@pg-node-2']);
	t.is(findings[0]!.evidence.at(-1), line);
});

test('a replica whose timeline forked off is told to reinit', t => {
	const line = 'FATAL:  could not start WAL streaming: ERROR:  requested timeline 3 is not a child of this server\'s history';
	const findings = diagnose(clusterFacts(cluster, {change: {
		0: {'patroni-cluster': notStreaming, 'patroni-self': leaderAlone}, 1: {'patroni-cluster': notStreaming, 'pg-log': line}, 2: {'patroni-cluster': notStreaming},
	}}));
	t.deepEqual(names(findings), ['replica-diverged@pg-node-2']);
	t.deepEqual(findings[0]!.fix, ['sudo -u postgres /opt/patroni-venv/bin/patronictl -c /etc/patroni/config.yml reinit pg-cluster pg-node-2 --force']);
});

test('a replica that does not stream for no known reason is still reported, with its state', t => {
	const findings = diagnose(clusterFacts(cluster, {change: {0: {'patroni-cluster': notStreaming, 'patroni-self': leaderAlone}, 1: {'patroni-cluster': notStreaming}, 2: {'patroni-cluster': notStreaming}}}));
	t.deepEqual(names(findings), ['replica-not-streaming@pg-node-2']);
	t.true(findings[0]!.evidence.includes('GET /cluster: pg-node-2 replica starting'));
});

test('a replica lagging beyond maximum_lag_on_failover is a warning on that replica', t => {
	const lagging = clusterWith('pg-node-3', '{"lag": 5242880}');
	const findings = diagnose(clusterFacts(cluster, {change: everyNode({'patroni-cluster': lagging})}));
	t.deepEqual(names(findings), ['replica-lag@pg-node-3']);
	t.is(findings[0]!.severity, 'warning');
	t.true(findings[0]!.evidence.includes('GET /config: maximum_lag_on_failover 1048576'));
});

test('lag within maximum_lag_on_failover is fine', t => {
	t.deepEqual(names(diagnose(clusterFacts(cluster, {change: everyNode({'patroni-cluster': clusterWith('pg-node-3', '{"lag": 1048576}')})}))), []);
});

test('Patroni stopped on a node is reported there', t => {
	const without = clusterJson.replace(/, \{"name": "pg-node-3"[^}]*\}/, '');
	const findings = diagnose(clusterFacts(cluster, {change: {0: {'patroni-cluster': without}, 1: {'patroni-cluster': without}, 2: {'patroni-unit': 'inactive', 'patroni-processes': '', 'patroni-cluster': '', 'patroni-self': '', 'patroni-config': ''}}}));
	t.deepEqual(names(findings), ['patroni-down@pg-node-3']);
	t.regex(findings[0]!.cause.en, /is not running/);
});

/** The guide's haproxy.cfg: option httpchk in the frontends (ignored) and in the backends. */
function guideHaproxy(backendChecks: boolean): string {
	const servers = cluster.nodes.map(node => `    server ${node.name} ${node.ip}:5432 maxconn 100 check port 8008`).join('\n');
	const check = (uri: string) => (backendChecks ? `    option httpchk OPTIONS ${uri}\n` : '');
	return `global\n    daemon\n\ndefaults\n    mode tcp\n\nfrontend pg_write\n    bind *:5000\n    mode tcp\n    option httpchk OPTIONS /master\n    default_backend pg_master\n\nfrontend pg_read\n    bind *:5001\n    mode tcp\n    option httpchk OPTIONS /replica\n    default_backend pg_replicas\n\nbackend pg_master\n    mode tcp\n${check('/master')}${servers}\n\nbackend pg_replicas\n    mode tcp\n${check('/replica')}${servers}\n\nlisten stats\n    bind *:8404\n    mode http\n    stats enable\n`;
}

test('the guide\'s frontend checks, with checks also in the backends, are a warning naming the frontend lines', t => {
	const stats = statsCsv([...cluster.nodes.map((node, index) => statsRow('pg_master', node.name, index === 0 ? 'UP' : 'DOWN')), ...cluster.nodes.map((node, index) => statsRow('pg_replicas', node.name, index === 0 ? 'DOWN' : 'UP'))]);
	const findings = diagnose(clusterFacts(cluster, {change: {0: {'haproxy-file': guideHaproxy(true), 'haproxy-stats': stats}}}));
	t.deepEqual(names(findings), ['haproxy-check-ignored@pg-node-1', 'haproxy-check-ignored@pg-node-1']);
	t.is(findings[0]!.severity, 'warning');
	t.deepEqual(findings[0]!.evidence, ['/etc/haproxy/haproxy.cfg:10: frontend pg_write: option httpchk OPTIONS /master']);
});

test('checks only in the frontend let every server take writes: one cause, an error, with the config lines and the servers taking writes', t => {
	const stats = statsCsv([...cluster.nodes.map(node => statsRow('pg_master', node.name, 'UP', 'L4OK')), ...cluster.nodes.map(node => statsRow('pg_replicas', node.name, 'UP', 'L4OK'))]);
	const findings = diagnose(clusterFacts(cluster, {change: {0: {'haproxy-file': guideHaproxy(false), 'haproxy-stats': stats}}}));
	// One finding per frontend (write and read); the writers are this cause's consequence, not a second finding.
	t.deepEqual(names(findings), ['haproxy-check-ignored@pg-node-1', 'haproxy-check-ignored@pg-node-1']);
	const write = findings.find(item => item.cause.en.includes('frontend pg_master') || item.evidence.some(line => line.includes('pg_master/')))!;
	t.is(write.severity, 'error');
	t.is(write.evidence.filter(line => /^stats: pg_master\/pg-node-\d UP \(L4OK\): 3 servers take writes$/.test(line)).length, 3);
	t.true(findings.some(item => item !== write && item.severity === 'warning'), 'the read side\'s ignored checks stay a warning');
});

test('checks in a frontend beside working checks in the backend are a warning, and two writers there are still their own finding', t => {
	const stats = statsCsv([...cluster.nodes.map((node, index) => statsRow('pg_master', node.name, index < 2 ? 'UP' : 'DOWN', 'L7OK')), ...cluster.nodes.map(node => statsRow('pg_replicas', node.name, 'UP', 'L7OK'))]);
	const findings = diagnose(clusterFacts(cluster, {change: {0: {'haproxy-file': guideHaproxy(true), 'haproxy-stats': stats}}}));
	t.true(names(findings).includes('haproxy-two-writers@pg-node-1'), names(findings).join(', '));
	t.true(findings.filter(item => item.rule === 'haproxy-check-ignored').every(item => item.severity === 'warning'));
});

test('a write backend with every server DOWN is reported with the stats rows', t => {
	const stats = statsCsv([...cluster.nodes.map(node => statsRow('primary', node.name, 'DOWN')), ...cluster.nodes.map((node, index) => statsRow('replicas', node.name, index === 0 ? 'DOWN' : 'UP'))]);
	const findings = diagnose(clusterFacts(cluster, {change: {0: {'haproxy-stats': stats}}}));
	t.deepEqual(names(findings), ['haproxy-all-down@pg-node-1']);
	t.true(findings[0]!.evidence.includes('stats: primary/pg-node-1 DOWN (L7STS)'));
});

test('HAProxy stopped on its node is reported there', t => {
	const ss = healthySections(cluster, 0)['ss']!.split('\n').filter(line => !line.includes('haproxy')).join('\n');
	const findings = diagnose(clusterFacts(cluster, {change: {0: {'haproxy-unit': 'failed', 'haproxy-stats': '', ss}}}));
	t.deepEqual(names(findings), ['haproxy-down@pg-node-1']);
});

test('the packaged PostgreSQL holding 5432 is named with the unit that stops it', t => {
	const sections = healthySections(cluster, 1);
	const holders = sections['holders']!.replace(/^1202\tpostgres\t\/system\.slice\/patroni\.service/m, '1202\tpostgres\t/system.slice/system-postgresql.slice/postgresql@16-main.service');
	const findings = diagnose(clusterFacts(cluster, {change: {1: {holders}}}));
	t.deepEqual(names(findings), ['port-foreign@pg-node-2']);
	t.true(findings[0]!.fix.includes('sudo systemctl disable --now postgresql@16-main.service'));
});

test('a process of another name on the Patroni API port is named', t => {
	const sections = healthySections(cluster, 2);
	const ss = sections['ss']!.replace('users:(("patroni",pid=1102,fd=5))', 'users:(("python3",pid=4321,fd=3))');
	const holders = `${sections['holders']}\n4321\tstudent\t/user.slice/user-1000.slice/session-2.scope\t/home/student\t\tpython3 -m http.server 8008`;
	const findings = diagnose(clusterFacts(cluster, {change: {2: {ss, holders}}}));
	t.deepEqual(names(findings), ['port-foreign@pg-node-3']);
	t.true(findings[0]!.fix.includes('sudo kill 4321'));
});

test('a full data disk is an error on its node', t => {
	const findings = diagnose(clusterFacts(cluster, {change: {1: {[`df ${dataDir}`]: df(dataDir, 310, 99), 'df /var/lib/etcd': df('/var/lib/etcd', 310, 99)}}}));
	t.deepEqual(names(findings), ['disk-full@pg-node-2']);
	t.regex(findings[0]!.cause.en, /310 MB free/);
});

test('a nearly full disk is a warning', t => {
	const findings = diagnose(clusterFacts(cluster, {change: {2: {[`df ${dataDir}`]: df(dataDir, 1500, 93), 'df /var/lib/etcd': df('/var/lib/etcd', 1500, 93)}}}));
	t.deepEqual(names(findings), ['disk-nearly-full@pg-node-3']);
	t.is(findings[0]!.severity, 'warning');
});

test('a node that does not answer at all is told apart from one whose sshd is down', t => {
	const silent = diagnose(clusterFacts(cluster, {unreachable: {2: {how: 'silent', en: 'pg-node-3 (192.168.0.32) did not answer within 20 s'}}}));
	t.deepEqual(names(silent), ['node-silent@pg-node-3']);
	t.regex(silent[0]!.cause.en, /does not answer at all/);
});

test('a refused SSH port while Patroni still lists the node: sshd is down, the VM is up', t => {
	const findings = diagnose(clusterFacts(cluster, {unreachable: {1: {how: 'refused', en: 'pg-node-2 (192.168.0.31) refused the SSH connection'}}}));
	t.deepEqual(names(findings), ['sshd-down@pg-node-2']);
	t.true(findings[0]!.evidence.includes('Patroni /cluster: pg-node-2 replica streaming'));
	t.true(findings[0]!.fix.includes('sudo systemctl enable --now ssh'));
});

test('a refused login is neither silence nor a dead sshd', t => {
	t.deepEqual(names(diagnose(clusterFacts(cluster, {unreachable: {0: {how: 'login', en: 'rejected the login'}}}))), ['ssh-login@pg-node-1']);
});

test('etcd ids beyond 2^53 keep every digit', t => {
	const facts = parseNodeFacts(batchOutput({'etcd-status': etcdStatusJson(2)}));
	t.is(facts.etcd.status?.memberId, memberIds[2]);
	t.is(facts.etcd.status?.clusterId, '17237436991929493444');
});


test('Patroni 4 calls a replica that only replays "running": the leader\'s sender list shows it does not stream', t => {
	const running = clusterWith('pg-node-3', '{"state": "running"}');
	const parsed = JSON.parse(readFileSync(new URL('../fixtures/patroni-4.0.7/leader-patroni.json', import.meta.url), 'utf8')) as {replication: Array<{application_name: string}>};
	const leaderSelf = JSON.stringify({...parsed, replication: parsed.replication.filter(row => row.application_name !== 'pg-node-3')});
	const findings = diagnose(clusterFacts(cluster, {change: {0: {'patroni-cluster': running, 'patroni-self': leaderSelf}, 1: {'patroni-cluster': running}, 2: {'patroni-cluster': running}}}));
	t.deepEqual(names(findings), ['replica-not-streaming@pg-node-3']);
});
