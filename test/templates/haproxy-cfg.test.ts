import test from 'ava';
import {spawn} from 'node:child_process';
import {mkdtemp, writeFile} from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {curlCredentials, parseStatsCsv, routingSettled, statsCommand} from '../../steps/haproxy.ts';
import {haproxyInput} from '../../steps/render.ts';
import {haproxyQuote, renderHaproxyCfg} from '../../templates/haproxy-cfg.ts';
import {awkwardSecrets, runLocally, sampleCluster, sampleSecrets} from '../helpers/install-fixtures.ts';

const cluster = sampleCluster();
const secrets = sampleSecrets();
const rendered = renderHaproxyCfg(haproxyInput(cluster, secrets));

/** The lines of one `listen NAME` section. */
function section(config: string, name: string): string[] {
	const lines = config.split('\n');
	const start = lines.indexOf(`listen ${name}`);
	if (start < 0) return [];
	const end = lines.findIndex((line, index) => index > start && /^\S/.test(line));
	return lines.slice(start + 1, end < 0 ? undefined : end).map(line => line.trim()).filter(Boolean);
}

async function haproxyCheck(config: string): Promise<{code: number; output: string}> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pgha-haproxy-'));
	const file = path.join(dir, 'haproxy.cfg');
	await writeFile(file, config, {mode: 0o600});
	const result = await runLocally(`haproxy -c -f ${file}`);
	return {code: result.code, output: `${result.stdout}${result.stderr}`};
}

test('writes: health checks against /primary inside the proxy that holds the servers', t => {
	const primary = section(rendered, 'primary');
	t.true(primary.includes('bind *:5000'));
	t.true(primary.includes('option httpchk'));
	t.true(primary.includes('http-check send meth OPTIONS uri /primary'));
	t.true(primary.includes('http-check expect status 200'));
	t.true(primary.includes('default-server inter 3s fall 3 rise 2 on-marked-down shutdown-sessions'));
	t.deepEqual(primary.filter(line => line.startsWith('server ')), [
		'server pg-node-1 192.168.0.30:5432 check port 8008',
		'server pg-node-2 192.168.0.31:5432 check port 8008',
		'server pg-node-3 192.168.0.32:5432 check port 8008',
	]);
	// The guide's traps: checks in a frontend, and the deprecated /master endpoint.
	t.false(rendered.includes('frontend'));
	t.false(rendered.includes('/master'));
});

test('reads: /replica, round robin over the same servers', t => {
	const replicas = section(rendered, 'replicas');
	t.true(replicas.includes('bind *:5001'));
	t.true(replicas.includes('balance roundrobin'));
	t.true(replicas.includes('http-check send meth OPTIONS uri /replica'));
	t.is(replicas.filter(line => line.endsWith('check port 8008')).length, 3);
});

test('defaults: tcp mode, short connect timeout, long client/server timeouts; stats behind the generated password', t => {
	t.true(rendered.includes('    mode tcp\n'));
	t.true(rendered.includes('timeout connect 4s'));
	t.true(rendered.includes('timeout client 30m'));
	t.true(rendered.includes('timeout server 30m'));
	const stats = section(rendered, 'stats');
	t.true(stats.includes('bind *:8404'));
	t.true(stats.includes('mode http'));
	t.true(stats.includes('stats uri /stats'));
	t.true(stats.includes('stats refresh 5s'));
	t.true(stats.includes(`stats auth "admin:${secrets.haproxyStatsPassword}"`));
	t.false(rendered.includes('adminpassword'));
});

test('timing comes from the cluster file', t => {
	const fast = sampleCluster('haproxy: {inter: 1s, fall: 2, rise: 1}');
	t.true(renderHaproxyCfg(haproxyInput(fast, secrets)).includes('default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions'));
});

test('haproxy -c accepts the file, and an awkward stats password stays one quoted word', async t => {
	const plain = await haproxyCheck(rendered);
	t.is(plain.code, 0, plain.output);
	const awkward = await haproxyCheck(renderHaproxyCfg(haproxyInput(cluster, awkwardSecrets)));
	t.is(awkward.code, 0, awkward.output);
	t.is(haproxyQuote('a"b\\c$d'), '"a\\"b\\\\c\\$d"');
});

test('haproxy -c rejects a broken file (the check can fail)', async t => {
	const broken = await haproxyCheck(rendered.replace('http-check expect status 200', 'http-check expect sttus 200'));
	t.not(broken.code, 0);
});

// --- A live HAProxy on loopback with this configuration: fake Patroni APIs and fake servers. ---

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

async function listen(server: net.Server, host: string, port: number): Promise<void> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => resolve());
	});
}

/** One line from whatever answered on a HAProxy port. */
async function whoAnswers(port: number): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = net.connect(port, '127.0.0.1');
		let data = '';
		socket.setTimeout(3000, () => socket.destroy(new Error('timeout')));
		socket.on('data', chunk => {
			data += chunk.toString();
		});
		socket.on('end', () => resolve(data.trim()));
		socket.on('error', reject);
	});
}

test.serial('a live HAProxy routes 5000 to the primary only and 5001 to the replicas; stats need the password', async t => {
	const [pg, api, write, read, stats] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
	const loopCluster = sampleCluster([
		`ports: {postgres: ${pg}, patroni_api: ${api}, haproxy_write: ${write}, haproxy_read: ${read}, haproxy_stats: ${stats}}`,
		'haproxy: {inter: 200ms, fall: 1, rise: 1}',
	].join('\n'));
	const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
	const input = {...haproxyInput(loopCluster, awkwardSecrets), servers: hosts.map((ip, index) => ({name: `pg-node-${index + 1}`, ip}))};
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pgha-haproxy-live-'));
	// Only what this host lacks changes: listen on loopback only, and a stats socket in the temp dir.
	const config = renderHaproxyCfg(input)
		.replaceAll('bind *:', 'bind 127.0.0.1:')
		.replace('stats socket /run/haproxy/admin.sock', `stats socket ${dir}/admin.sock`);
	await writeFile(path.join(dir, 'haproxy.cfg'), config, {mode: 0o600});

	const servers: Array<net.Server | http.Server> = [];
	t.teardown(() => {
		for (const server of servers) server.close();
	});
	for (const [index, host] of hosts.entries()) {
		const postgres = net.createServer(socket => socket.end(`node-${index + 1}\n`));
		servers.push(postgres);
		await listen(postgres, host, pg);
		const patroni = http.createServer((request, response) => {
			const primary = index === 0;
			const ok = (request.url === '/primary' && primary) || (request.url === '/replica' && !primary);
			response.writeHead(request.method === 'OPTIONS' && ok ? 200 : 503).end();
		});
		servers.push(patroni);
		await listen(patroni, host, api);
	}

	const haproxy = spawn('haproxy', ['-db', '-f', path.join(dir, 'haproxy.cfg')], {stdio: ['ignore', 'ignore', 'pipe']});
	let haproxyErrors = '';
	haproxy.stderr.on('data', chunk => {
		haproxyErrors += chunk.toString();
	});
	t.teardown(() => {
		haproxy.kill('SIGTERM');
	});

	let counts: ReturnType<typeof parseStatsCsv> | undefined;
	for (let attempt = 0; attempt < 100; attempt++) {
		const result = await runLocally(statsCommand(loopCluster), {input: curlCredentials(awkwardSecrets.haproxyStatsPassword)});
		if (result.code === 0) {
			counts = parseStatsCsv(result.stdout);
			if (routingSettled(loopCluster, counts)) break;
		}

		await new Promise(resolve => setTimeout(resolve, 100));
	}

	t.truthy(counts, haproxyErrors);
	t.deepEqual(counts?.get('primary'), {up: 1, servers: 3});
	t.deepEqual(counts?.get('replicas'), {up: 2, servers: 3});
	t.true(routingSettled(loopCluster, counts!));

	const writes = new Set<string>();
	const reads = new Set<string>();
	for (let i = 0; i < 6; i++) {
		writes.add(await whoAnswers(write));
		reads.add(await whoAnswers(read));
	}

	t.deepEqual([...writes], ['node-1']);
	t.deepEqual([...reads].sort(), ['node-2', 'node-3']);

	const anonymous = await runLocally(`curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:${stats}/stats`);
	t.is(anonymous.stdout, '401');
	const wrong = await runLocally(statsCommand(loopCluster), {input: curlCredentials('not-the-password')});
	t.not(wrong.code, 0);
});
