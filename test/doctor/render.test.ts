/** How doctor's findings are printed: 80 columns, grouped by node, errors first, JSON for scripts, exit codes. */
import test from 'ava';
import {diagnose} from '../../source/doctor/rules/index.ts';
import {doctorReport, renderText, wrapCommand, type DoctorJson} from '../../source/doctor/render.ts';
import {courseStages} from '../../steps/index.ts';
import {clusterFacts, dataDir, df, doctorCluster, healthySections, patroniFile} from '../helpers/doctor-fixtures.ts';

const cluster = doctorCluster();
const stages = courseStages();

/** Several faults at once: a paused cluster (cluster-wide), a v2 Patroni file, a nearly full disk and a stopped etcd on pg-node-2, a silent pg-node-3. */
function messyFacts() {
	const paused = healthySections(cluster, 0)['patroni-cluster']!.replace(/\}$/, ', "pause": true}');
	return clusterFacts(cluster, {
		change: {
			0: {'patroni-cluster': paused},
			1: {
				'patroni-cluster': paused,
				'patroni-file /etc/patroni/config.yml': patroniFile(cluster, 1).replace(/^etcd3:/m, 'etcd:'),
				[`df ${dataDir}`]: df(dataDir, 1500, 93),
				'df /var/lib/etcd': df('/var/lib/etcd', 1500, 93),
				'etcd-unit': 'failed', 'etcd-processes': '', 'etcd-status': '', 'etcd-status-error': 'Error: context deadline exceeded (dial tcp 127.0.0.1:2379: connect: connection refused, a very long etcdctl complaint that goes on and on)',
			},
		},
		unreachable: {2: {how: 'silent', en: 'pg-node-3 (192.168.0.32) did not answer within 20 s; check that the VM is running, that its IP address is right ("ip addr" on the VM) and that its network adapter is in bridged mode.'}},
	});
}

for (const lang of ['en', 'ru'] as const) {
	test(`every line fits 80 columns (${lang})`, t => {
		const facts = messyFacts();
		const text = renderText(facts, diagnose(facts), stages, lang);
		const long = text.split('\n').filter(line => [...line].length > 80);
		t.deepEqual(long, []);
		t.true(text.split('\n').length > 20);
	});
}

test('findings are grouped: the whole cluster first, then the nodes in file order, errors before warnings', t => {
	const facts = messyFacts();
	const text = renderText(facts, diagnose(facts), stages, 'en');
	const headings = text.split('\n').filter(line => line.startsWith('== '));
	t.deepEqual(headings, ['== the whole cluster ==', '== pg-node-2 ==', '== pg-node-3 ==']);
	const node2 = text.slice(text.indexOf('== pg-node-2 =='), text.indexOf('== pg-node-3 =='));
	const marks = node2.split('\n').filter(line => /^(✖|!) /.test(line)).map(line => line[0]);
	t.deepEqual(marks, ['✖', '✖', '!']);
});

test('each finding shows its evidence, fix and runbook step', t => {
	const facts = clusterFacts(cluster, {change: {1: {'patroni-file /etc/patroni/config.yml': patroniFile(cluster, 1).replace(/^etcd3:/m, 'etcd:')}}});
	const text = renderText(facts, diagnose(facts), stages, 'en');
	t.regex(text, /^✖ error: the Patroni file on pg-node-2 \(\/etc\/patroni\/config\.yml\) says etcd:/m);
	t.regex(text, /^ {4}evidence: \/etc\/patroni\/config\.yml:\d+: etcd:$/m);
	t.regex(text, /^ {4}fix: {6}sudo sed -i 's\/\^etcd:\/etcd3:\/' \/etc\/patroni\/config\.yml$/m);
	t.regex(text, /^ {4}runbook: {2}pgha runbook: Patroni cluster › Patroni configuration and service$/m);
	t.regex(text, /\(#step-patroni\.config\)$/m);
});

test('a long fix command is broken with shell continuations and stays the same command', t => {
	const command = 'sudo systemctl stop etcd && sudo rm -rf /var/lib/etcd/a-rather-long-cluster-name /var/lib/etcd/a-rather-long-cluster-name.pgha-identity';
	const lines = wrapCommand(command, 80, '    fix:      ', '              ');
	t.true(lines.length > 1);
	t.true(lines.every(line => line.length <= 80));
	t.is(lines.map(line => line.trim().replace(/ \\$/, '')).join(' ').replace(/^fix:\s+/, ''), command);
});

test('a clean cluster: exit 0 and one sentence', t => {
	const report = doctorReport(clusterFacts(), [], {json: false, lang: 'en', stages});
	t.is(report.code, 0);
	t.is(report.text, 'Cluster pg-cluster: no problems found (3 of 3 nodes examined).\n');
});

test('findings: exit 1', t => {
	const facts = messyFacts();
	t.is(doctorReport(facts, diagnose(facts), {json: false, lang: 'ru', stages}).code, 1);
});

test('--json: findings in both languages, cluster-wide ones with node null, and the runbook anchor', t => {
	const facts = messyFacts();
	const report = doctorReport(facts, diagnose(facts), {json: true, lang: 'en', stages});
	t.is(report.code, 1);
	const parsed = JSON.parse(report.text) as DoctorJson;
	t.false(parsed.clean);
	t.deepEqual(parsed.nodes, [{node: 'pg-node-1', reached: true}, {node: 'pg-node-2', reached: true}, {node: 'pg-node-3', reached: false, how: 'silent'}]);
	t.deepEqual(parsed.findings.map(item => `${item.rule}@${item.node}`), ['patroni-paused@null', 'etcd-down@pg-node-2', 'patroni-etcd-v2@pg-node-2', 'disk-nearly-full@pg-node-2', 'node-silent@pg-node-3']);
	const v2 = parsed.findings.find(item => item.rule === 'patroni-etcd-v2')!;
	t.regex(v2.cause.ru, /API v2/);
	t.regex(v2.cause.en, /the v2 API/);
	t.deepEqual(v2.runbook, {stage: 'patroni', step: 'patroni.config', anchor: 'step-patroni.config'});
});

test('--json on a clean cluster says clean with no findings', t => {
	const parsed = JSON.parse(doctorReport(clusterFacts(), [], {json: true, lang: 'ru', stages}).text) as DoctorJson;
	t.true(parsed.clean);
	t.deepEqual(parsed.findings, []);
});
