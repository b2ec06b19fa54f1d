/**
 * `pgha doctor` as a student runs it, with no node to reach: every node's SSH port is closed
 * (127.0.0.x port 1 refuses at once), so every node is a finding, not the end of the command.
 */
import test from 'ava';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {DoctorJson} from '../../source/doctor/render.ts';

const bin = fileURLToPath(new URL('../../source/bin.js', import.meta.url));

function doctor(args: readonly string[]): {code: number | null; stdout: string; stderr: string} {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-doctor-'));
	try {
		writeFileSync(path.join(dir, 'pgha.yaml'), [
			'nodes:',
			'  - {name: pg-node-1, ip: 127.0.0.2, ssh: {port: 1}}',
			'  - {name: pg-node-2, ip: 127.0.0.3, ssh: {port: 1}}',
			'  - {name: pg-node-3, ip: 127.0.0.4, ssh: {port: 1}}',
			'',
		].join('\n'));
		const result = spawnSync(process.execPath, [bin, 'doctor', ...args], {cwd: dir, encoding: 'utf8', timeout: 60_000, env: {...process.env, PGHA_SSH_PASSWORD: 'not-used', HOME: dir}});
		return {code: result.status, stdout: result.stdout, stderr: result.stderr};
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}

test('--json: each node with a refused SSH port is an sshd-down finding, exit 1', t => {
	const result = doctor(['--json']);
	t.is(result.code, 1, result.stderr);
	const parsed = JSON.parse(result.stdout) as DoctorJson;
	t.deepEqual(parsed.findings.map(item => `${item.rule}@${item.node}`), ['sshd-down@pg-node-1', 'sshd-down@pg-node-2', 'sshd-down@pg-node-3']);
	t.deepEqual(parsed.nodes.map(node => node.how), ['refused', 'refused', 'refused']);
	t.deepEqual(parsed.findings[0]!.evidence, ['ssh 127.0.0.2:1: connection refused']);
});

test('text in Russian: the nodes are named with what to do, exit 1', t => {
	const result = doctor(['--lang', 'ru']);
	t.is(result.code, 1, result.stderr);
	t.regex(result.stdout, /^Кластер pg-cluster: найдено проблем: 3 \(ошибок 3, предупреждений 0\)\.$/m);
	t.regex(result.stdout, /^== pg-node-2 ==$/m);
	t.regex(result.stdout, /sudo systemctl enable --now ssh/);
});
