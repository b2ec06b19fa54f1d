/**
 * The etcd tarball command as the node runs it (bash, curl, stdbuf, tr) against a slow local server:
 * curl's meter arrives as lines while the download runs, and the reader turns them into moving figures.
 */
import test, {type ExecutionContext} from 'ava';
import {createServer, type RequestListener} from 'node:http';
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import type {AddressInfo} from 'node:net';
import {downloadPlan} from '../../steps/etcd.ts';
import {etcdScratchDir} from '../../steps/layout.ts';
import {factKeys} from '../../steps/facts.ts';
import {CurlProgress} from '../../steps/curl-progress.ts';
import type {Progress} from '../../source/core/progress.ts';
import {sampleCluster, sampleSecrets} from '../helpers/install-fixtures.ts';

const chunk = Buffer.alloc(512 * 1024, 7);
const chunks = 5;

/** The download command for a local server answering with `handler`, its scratch folder made temporary. */
async function downloadCommand(t: ExecutionContext, handler: RequestListener): Promise<{command: string; dir: string}> {
	const server = createServer(handler);
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const dir = mkdtempSync(path.join(tmpdir(), 'pgha-etcd-dl-'));
	t.teardown(() => {
		server.close();
		rmSync(dir, {recursive: true, force: true});
	});
	const {port} = server.address() as AddressInfo;
	const cluster = sampleCluster(`etcd: {download_base: "http://127.0.0.1:${port}/etcd/", version: 3.5.17}`);
	const action = downloadPlan({cluster, secrets: sampleSecrets(), node: cluster.nodes[0]!, facts: new Map([[factKeys.arch, 'amd64']])})
		.find(item => item.kind === 'run' && item.command.includes('.tar.gz'));
	if (!action || action.kind !== 'run') throw new Error('no tarball download in the etcd plan');
	return {command: action.command.replaceAll(etcdScratchDir, dir), dir};
}

test('the tarball download streams curl\'s meter line by line, with bytes rising to the whole size', async t => {
	const {command, dir} = await downloadCommand(t, (_request, response) => {
		response.writeHead(200, {'content-length': String(chunk.length * chunks)});
		let sent = 0;
		const timer = setInterval(() => {
			response.write(chunk);
			if (++sent === chunks) {
				clearInterval(timer);
				response.end();
			}
		}, 600);
	});
	const reader = new CurlProgress({ru: 'etcd', en: 'etcd'});
	const seen: Array<{figures: Progress; at: number}> = [];
	const child = spawn('sh', ['-c', command], {stdio: ['ignore', 'pipe', 'pipe']});
	let pending = '';
	child.stdout.setEncoding('utf8').on('data', (data: string) => {
		pending += data;
		const lines = pending.split('\n');
		pending = lines.pop()!;
		for (const line of lines) {
			const figures = reader.read(line);
			if (figures) seen.push({figures, at: Date.now()});
		}
	});
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	t.is(code, 0);
	t.is(statSync(path.join(dir, 'etcd-v3.5.17-linux-amd64.tar.gz')).size, chunk.length * chunks);
	const moving = seen.filter(item => item.figures.done > 0 && item.figures.done < chunk.length * chunks);
	t.true(moving.length >= 2, `figures while downloading: ${JSON.stringify(seen.map(item => item.figures.done))}`);
	// Lines came while curl ran, not all at its end.
	t.true(seen.at(-1)!.at - moving[0]!.at >= 500);
	t.is(seen.at(-1)!.figures.total, 2.5 * 1024 ** 2);
	t.is(seen.at(-1)!.figures.done, 2.5 * 1024 ** 2);
});

test('a failed tarball download still fails the command (pipefail), not only its output', async t => {
	const {command} = await downloadCommand(t, (_request, response) => {
		response.writeHead(404);
		response.end();
	});
	const child = spawn('sh', ['-c', command], {stdio: 'ignore'});
	t.is(await new Promise<number | null>(resolve => child.on('close', resolve)), 22);
});
