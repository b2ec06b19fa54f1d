import test from 'ava';
import {chmod, mkdtemp, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {renderEtcdUnit, renderPatroniUnit} from '../../templates/systemd-units.ts';
import {runLocally} from '../helpers/install-fixtures.ts';

function directives(unit: string): Map<string, string[]> {
	const values = new Map<string, string[]>();
	for (const line of unit.split('\n')) {
		const match = /^([A-Za-z]+)=(.*)$/.exec(line);
		if (match) values.set(match[1]!, [...values.get(match[1]!) ?? [], match[2]!]);
	}

	return values;
}

/** systemd-analyze verify needs the ExecStart binary to exist: a stand-in at a temporary path. */
async function verify(render: (binary: string) => string, name: string): Promise<{code: number; output: string}> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pgha-units-'));
	const binary = path.join(dir, 'bin-stand-in');
	await writeFile(binary, '#!/bin/sh\n');
	await chmod(binary, 0o755);
	const unit = path.join(dir, name);
	await writeFile(unit, render(binary));
	const result = await runLocally(`systemd-analyze verify ${unit}`);
	return {code: result.code, output: `${result.stdout}${result.stderr}`.trim()};
}

test('etcd.service: notify type, etcd user, the config file, restart on failure', t => {
	const unit = directives(renderEtcdUnit({etcdBinary: '/usr/local/bin/etcd'}));
	t.deepEqual(unit.get('Type'), ['notify']);
	t.deepEqual(unit.get('User'), ['etcd']);
	t.deepEqual(unit.get('ExecStart'), ['/usr/local/bin/etcd --config-file /etc/etcd/etcd.conf.yml']);
	t.deepEqual(unit.get('Restart'), ['on-failure']);
	t.deepEqual(unit.get('LimitNOFILE'), ['65536']);
	t.deepEqual(unit.get('WantedBy'), ['multi-user.target']);
	t.deepEqual(directives(renderEtcdUnit({etcdBinary: '/usr/bin/etcd'})).get('ExecStart'), ['/usr/bin/etcd --config-file /etc/etcd/etcd.conf.yml']);
});

test('patroni.service: postgres user, process kill mode, reload by HUP, no endless restarts, after etcd', t => {
	for (const binary of ['/opt/patroni-venv/bin/patroni', '/usr/bin/patroni']) {
		const unit = directives(renderPatroniUnit({patroniBinary: binary}));
		t.deepEqual(unit.get('ExecStart'), [`${binary} /etc/patroni/config.yml`]);
		t.deepEqual(unit.get('User'), ['postgres']);
		t.deepEqual(unit.get('Type'), ['simple']);
		t.deepEqual(unit.get('KillMode'), ['process']);
		t.deepEqual(unit.get('ExecReload'), ['/bin/kill -s HUP $MAINPID']);
		t.deepEqual(unit.get('TimeoutSec'), ['30']);
		t.deepEqual(unit.get('Restart'), ['on-failure']);
		t.truthy(unit.get('StartLimitBurst'));
		t.true(unit.get('After')![0]!.includes('etcd.service'));
		t.true(unit.get('After')![0]!.includes('network-online.target'));
		t.deepEqual(unit.get('ConditionPathExists'), ['/etc/patroni/config.yml']);
	}
});

test('systemd-analyze verify accepts both units without a single complaint', async t => {
	const etcd = await verify(binary => renderEtcdUnit({etcdBinary: binary}), 'etcd.service');
	t.is(etcd.output, '');
	t.is(etcd.code, 0);
	const patroni = await verify(binary => renderPatroniUnit({patroniBinary: binary}), 'patroni.service');
	t.is(patroni.output, '');
	t.is(patroni.code, 0);
});

test('systemd-analyze verify does complain about a broken unit (the check can fail)', async t => {
	const broken = await verify(binary => renderPatroniUnit({patroniBinary: binary}).replace('KillMode=process', 'KilMode=process'), 'patroni.service');
	t.regex(broken.output, /Unknown key name 'KilMode'|Unknown key 'KilMode'/);
});
