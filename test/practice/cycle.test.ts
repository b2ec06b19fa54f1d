/**
 * The scenarios that edit files, run whole on this computer: break, fix, break again, undo, with
 * the node's paths moved into a temporary folder and the services stubbed (systemctl, curl, runuser,
 * haproxy succeed at once). The cause check must say "present" after each break and "gone" after the
 * undo and after the student's fix, and the undo must put back every file byte for byte.
 */
import test from 'ava';
import {spawnSync} from 'node:child_process';
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {backupDir, findScenario, type ScenarioContext} from '../../source/practice/scenarios.ts';
import {haproxyConfigPath} from '../../templates/haproxy-cfg.ts';
import {patroniConfigPath} from '../../templates/patroni-yml.ts';
import {dataDir, doctorCluster, haproxyFile, hbaLines, patroniFile} from '../helpers/doctor-fixtures.ts';

const cluster = doctorCluster();
const context: ScenarioContext = {cluster, node: cluster.nodes[1]!, leader: cluster.nodes[0]!, replica: cluster.nodes[1]!};

interface Sandbox {
	readonly files: Record<string, string>;
	run(script: string): {code: number | null; stderr: string};
	read(): Record<string, string>;
	remove(): void;
}

function sandbox(): Sandbox {
	const root = mkdtempSync(path.join(os.tmpdir(), 'pgha-practice-cycle-'));
	const bin = path.join(root, 'bin');
	mkdirSync(bin);
	for (const tool of ['systemctl', 'curl', 'runuser', 'haproxy']) {
		writeFileSync(path.join(bin, tool), '#!/bin/sh\nexit 0\n');
		chmodSync(path.join(bin, tool), 0o755);
	}
	const data = path.join(root, 'data');
	mkdirSync(data);
	const paths = {config: path.join(root, 'config.yml'), hba: path.join(data, 'pg_hba.conf'), haproxy: path.join(root, 'haproxy.cfg')};
	const files = {
		[paths.config]: patroniFile(cluster, 1).replaceAll(dataDir, data),
		[paths.hba]: hbaLines.join('\n') + '\n',
		[paths.haproxy]: haproxyFile(cluster),
	};
	for (const [file, text] of Object.entries(files)) writeFileSync(file, text);
	const local = (script: string) => script.replaceAll(patroniConfigPath, paths.config).replaceAll(haproxyConfigPath, paths.haproxy).replaceAll(backupDir, path.join(root, 'backup'));
	return {
		files,
		run: script => {
			const result = spawnSync('sh', ['-c', local(script)], {encoding: 'utf8', input: 'repl-secret\n', env: {...process.env, PATH: `${bin}:${process.env['PATH']}`}, timeout: 20_000});
			return {code: result.status, stderr: result.stderr};
		},
		read: () => Object.fromEntries(Object.keys(files).map(file => [file, readFileSync(file, 'utf8')])),
		remove: () => rmSync(root, {recursive: true, force: true}),
	};
}

for (const name of ['pg-hba-replication', 'etcd-v2', 'replication-password', 'check-in-frontend', 'no-primary-check']) {
	test(`${name}: undo restores every file byte for byte; the cause is present after a break and gone after the fix`, t => {
		const scenario = findScenario(name)!;
		const box = sandbox();
		try {
			const step = (kind: string, script: string, expected: 'ok' | 'fails') => {
				const result = box.run(script);
				t.is(result.code === 0 ? 'ok' : 'fails', expected, `${kind}: exit ${result.code}\n${result.stderr}`);
			};
			step('cause on the healthy files', scenario.causeGone(context), 'ok');
			step('break', scenario.breaks(context), 'ok');
			t.notDeepEqual(box.read(), box.files, 'the break changed a file');
			step('cause after the break', scenario.causeGone(context), 'fails');
			step('undo', scenario.undo(context), 'ok');
			t.deepEqual(box.read(), box.files);
			step('cause after the undo', scenario.causeGone(context), 'ok');
			step('break again', scenario.breaks(context), 'ok');
			step('cause after the second break', scenario.causeGone(context), 'fails');
			step('fix', scenario.fix(context), 'ok');
			step('cause after the fix', scenario.causeGone(context), 'ok');
		} finally {
			box.remove();
		}
	});
}
