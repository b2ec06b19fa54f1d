/**
 * The course's own OS, which the lab cannot boot: Ubuntu 24.04 ("noble"). Its answers to pgha's
 * probes are recorded in test/fixtures/ubuntu-24.04; these plan tests run the stages against them,
 * for the course's default path (Patroni from pip in a venv, etcd from the release tarball).
 */
import test from 'ava';
import {readFileSync} from 'node:fs';
import {planAll} from '../../source/runbook.ts';
import {factKeys} from '../../steps/facts.ts';
import {etcdStage} from '../../steps/etcd.ts';
import {packageList, packagesStage, requiredPorts} from '../../steps/index.ts';
import {patroniInstallStage} from '../../steps/patroni-install.ts';
import {evaluateNode, parseInspection} from '../../steps/vm-checks.ts';
import {sampleCluster, sampleSecrets, ScriptedRemote, stepContext} from '../helpers/install-fixtures.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/ubuntu-24.04/${name}`, import.meta.url), 'utf8');
const coursePath = sampleCluster('postgres: {version: auto}');

test('noble is the course\'s target: the VM checks say nothing about its OS', t => {
	const inspection = parseInspection(`@@ os-release\n${fixture('os-release')}@@ arch\namd64\n`);
	t.is(inspection.osId, 'ubuntu');
	t.is(inspection.osVersion, '24.04');
	const findings = evaluateNode(inspection, coursePath, coursePath.nodes[0]!, requiredPorts(coursePath, coursePath.nodes[0]!));
	t.false(findings.some(finding => /OS|ОС|Ubuntu/.test(finding.message.en)), JSON.stringify(findings));
});

test('noble offers PostgreSQL 16: auto installs postgresql-16 with what pip needs in a venv (python3-venv, PEP 668)', async t => {
	const remote = new ScriptedRemote()
		.on('apt-cache pkgnames', {stdout: fixture('apt-cache-pkgnames-postgresql.txt')})
		.on('apt-cache policy postgresql-16', {stdout: fixture('apt-cache-policy-postgresql-16.txt')});
	const context = stepContext(coursePath, sampleSecrets(), remote);
	await packagesStage.steps[0]!.apply!(context);
	t.is(context.facts.get(factKeys.pgMajor), '16');
	const install = remote.commands().find(command => command.includes('install -y --no-install-recommends'))!;
	for (const name of ['postgresql-16', 'postgresql-client-16', 'python3-venv', 'python3-pip', 'ca-certificates']) t.true(install.includes(name), name);
	// The course's path never takes Patroni or etcd from apt.
	for (const name of ['patroni', 'etcd-server', 'python3-psycopg2']) t.false(packageList(coursePath, coursePath.nodes[0]!, '16').includes(name), name);
});

test('Patroni goes into a venv with the venv\'s own pip, pinned; never pip on the system Python', t => {
	const actions = planAll([patroniInstallStage], coursePath, sampleSecrets()).flatMap(entry => entry.actions);
	const commands = actions.flatMap(action => action.kind === 'run' ? [action.command] : []);
	const pips = commands.filter(command => /\bpip3? install\b/.test(command) && !command.includes('pkill'));
	t.true(pips.length > 0);
	for (const command of pips) {
		t.true(command.includes('/opt/patroni-venv/bin/pip install'), command);
		t.true(command.includes('patroni[etcd3]==4.0.7'), command);
		t.false(command.includes('--break-system-packages'), command);
	}
});

test('etcd comes from the release tarball into /usr/local/bin, checked against SHA256SUMS first', t => {
	const facts = () => new Map([[factKeys.pgMajor, '16']]);
	const commands = planAll([etcdStage], coursePath, sampleSecrets(), facts).filter(entry => entry.node.name === 'pg-node-1')
		.flatMap(entry => entry.actions).flatMap(action => action.kind === 'run' ? [action.command] : []);
	const verify = commands.findIndex(command => command.includes('sha256sum -c --strict'));
	const copy = commands.findIndex(command => command.includes('/usr/local/bin/$f'));
	t.true(verify >= 0 && copy > verify, commands.join('\n'));
	t.false(commands.some(command => command.includes('apt-get') && command.includes('etcd-server')));
});
