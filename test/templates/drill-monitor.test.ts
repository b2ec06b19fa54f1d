import test from 'ava';
import {spawn, spawnSync} from 'node:child_process';
import {createServer, type Server} from 'node:http';
import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {renderDrillMonitor, type DrillMonitorSettings} from '../../templates/drill-monitor.ts';
import {parseMonitorLine} from '../../source/cluster-test/drill.ts';

/** Answers as etcd's JSON gateway, Patroni's REST API and HAProxy's stats CSV do. */
function fakeCluster(): Promise<{server: Server; url: string; seen: string[]}> {
	const seen: string[] = [];
	const server = createServer((request, response) => {
		seen.push(`${request.method} ${request.url} ${request.headers.authorization ?? ''}`);
		if (request.url === '/v3/kv/range') {
			response.end(JSON.stringify({kvs: [{key: '', value: Buffer.from('pg-node-2').toString('base64'), lease: '314022984120856330'}]}));
		} else if (request.url === '/v3/lease/timetolive') {
			response.end(JSON.stringify({ID: '314022984120856330', TTL: '17', grantedTTL: '30'}));
		} else if (request.url === '/patroni') {
			response.end(JSON.stringify({role: 'primary', state: 'running', timeline: 4}));
		} else if (request.url === '/stats;csv') {
			response.end('# pxname,svname,qcur,status\nprimary,FRONTEND,,OPEN\nprimary,pg-node-1,0,DOWN\nprimary,pg-node-2,0,UP\nreplicas,pg-node-1,0,UP\nprimary,BACKEND,0,UP\n');
		} else {
			response.statusCode = 404;
			response.end();
		}
	});
	return new Promise(resolve => {
		server.listen(0, '127.0.0.1', () => {
			const address = server.address() as {port: number};
			resolve({server, url: `http://127.0.0.1:${address.port}`, seen});
		});
	});
}

test('the drill watcher samples the leader key\'s TTL, each node\'s role and HAProxy\'s write servers, then stops by itself', async t => {
	const python = spawnSync('python3', ['--version']);
	if (python.status !== 0) {
		t.pass('no python3 here');
		return;
	}

	const {server, url, seen} = await fakeCluster();
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-drill-'));
	const script = path.join(dir, 'drill-monitor.py');
	writeFileSync(script, renderDrillMonitor());
	const settings: DrillMonitorSettings = {
		etcdEndpoint: url, leaderKey: '/service/pg-cluster/leader',
		patroni: {'pg-node-2': `${url}/patroni`, 'pg-node-3': 'http://127.0.0.1:9/patroni'},
		stats: {'pg-node-1': `${url}/stats;csv`}, statsUser: 'admin', statsPassword: 's3cret',
		writeProxy: 'primary', intervalMs: 200, durationMs: 1500, stopFile: path.join(dir, 'stop'),
	};
	// Asynchronous: the fake cluster answers from this same process.
	const child = await new Promise<{stdout: string; code: number | null}>(resolve => {
		const run = spawn('python3', [script], {env: {...process.env, PATH: '/usr/bin:/bin'}});
		let stdout = '';
		run.stdout.on('data', chunk => (stdout += chunk));
		run.on('close', code => resolve({stdout, code}));
		run.stdin.end(`${JSON.stringify(settings)}\n`);
	});
	server.close();
	t.is(child.code, 0);
	const lines = child.stdout.split('\n').filter(Boolean).map(line => parseMonitorLine(line));
	const ticks = lines.flatMap(line => (line?.kind === 'tick' ? [line.tick] : []));
	t.true(ticks.length >= 3 && ticks.length <= 9, `${ticks.length} samples in 1.5 s at 0.2 s`);
	t.like(ticks[0], {leader: 'pg-node-2', ttl: 17, nodes: {'pg-node-2': {role: 'primary', state: 'running', tl: 4}, 'pg-node-3': null}, doors: {'pg-node-1': {'pg-node-1': 'DOWN', 'pg-node-2': 'UP'}}});
	t.is(lines.at(-1)?.kind, 'end');
	// The password went in an Authorization header, never on a command line.
	t.true(seen.some(entry => entry.startsWith('GET /stats;csv Basic ') && entry.endsWith(Buffer.from('admin:s3cret').toString('base64'))));
});
