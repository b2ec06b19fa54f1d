/**
 * pgha installs like an npm CLI: `npm pack` gives a tarball whose global install puts `pgha` on the
 * PATH and runs outside the repository with the runtime dependencies only; `npx` runs it too.
 *
 * No network. `npm install --offline` cannot do it: npm 11 resolves a tarball's dependency ranges with
 * full packuments (Accept: application/json), while `npm ci` caches only abbreviated ones, so npm stops
 * with ENOTCACHED. Instead npm's own cache is served as a registry on 127.0.0.1: the cached packuments
 * (with only the versions whose tarballs are cached) and the cached tarballs, byte for byte.
 */
import test from 'ava';
import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as {version: string};

interface Result {
	readonly code: number;
	readonly stdout: string;
	readonly stderr: string;
}

// Nothing of the test runner or of `npm test` leaks into the children: no --import=tsx from the
// repository, no NODE_PATH, no npm_config_* that would point npm back at the project.
function cleanEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^(npm_|NODE_OPTIONS$|NODE_PATH$|PGHA_)/i.test(key)) env[key] = value;
	}
	return env;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Result> {
	return new Promise(resolve => {
		execFile(command, args, {cwd, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024}, (error, stdout, stderr) => {
			const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
			resolve({code, stdout, stderr});
		});
	});
}

// cacache's layout (npm's cache since npm 5): index buckets named by the key's sha256, content named
// by the integrity's hex digest. Only read, never written.
function cachedFile(cacheDir: string, integrity: string): string {
	const [algorithm = '', base64 = ''] = integrity.trim().split(/\s+/)[0]!.split('-');
	const hex = Buffer.from(base64, 'base64').toString('hex');
	return path.join(cacheDir, 'content-v2', algorithm, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

function cachedIntegrity(cacheDir: string, key: string): string | undefined {
	const hash = createHash('sha256').update(key).digest('hex');
	const bucket = path.join(cacheDir, 'index-v5', hash.slice(0, 2), hash.slice(2, 4), hash.slice(4));
	if (!existsSync(bucket)) return undefined;
	let integrity: string | undefined;
	// Append-only: the last entry for the key wins; a null integrity means it was removed.
	for (const line of readFileSync(bucket, 'utf8').split('\n')) {
		const json = line.split('\t')[1];
		if (!json) continue;
		const entry = JSON.parse(json) as {key: string; integrity: string | null};
		if (entry.key === key) integrity = entry.integrity ?? undefined;
	}
	return integrity;
}

/** A registry on 127.0.0.1 answering from npm's cache; `missing` names what it could not serve. */
async function cacheRegistry(cacheDir: string, upstream: string): Promise<{url: string; missing: Set<string>; close: () => Promise<void>}> {
	const tarballs = new Map<string, string>();
	const missing = new Set<string>();
	const server = http.createServer((request, response) => {
		const urlPath = (request.url ?? '/').split('?')[0]!;
		const tarball = tarballs.get(urlPath);
		if (tarball) {
			response.setHeader('content-type', 'application/octet-stream');
			response.end(readFileSync(tarball));
			return;
		}

		const name = decodeURIComponent(urlPath.slice(1));
		const integrity = cachedIntegrity(cacheDir, `make-fetch-happen:request-cache:${upstream}${name.replace('/', '%2f')}`);
		const file = integrity && cachedFile(cacheDir, integrity);
		if (!file || !existsSync(file)) {
			// Other platforms' optional packages (esbuild's, fsevents) are never cached here; npm skips them.
			missing.add(name);
			response.statusCode = 404;
			response.end('{}');
			return;
		}

		const packument = JSON.parse(readFileSync(file, 'utf8')) as {versions: Record<string, {dist?: {integrity?: string; tarball?: string}}>};
		const {port} = server.address() as AddressInfo;
		for (const [version, manifest] of Object.entries(packument.versions)) {
			const content = manifest.dist?.integrity ? cachedFile(cacheDir, manifest.dist.integrity) : undefined;
			if (!content || !existsSync(content)) {
				delete packument.versions[version];
				continue;
			}

			const tarballPath = `/${name}/-/${version}.tgz`;
			tarballs.set(tarballPath, content);
			manifest.dist!.tarball = `http://127.0.0.1:${port}${tarballPath}`;
		}

		response.setHeader('content-type', 'application/json');
		response.end(JSON.stringify(packument));
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/`,
		missing,
		close: () => new Promise(resolve => {
			server.close(() => resolve());
			server.closeAllConnections();
		}),
	};
}

// Three nodes are all `pgha runbook` needs; the secrets file is not read (passwords are masked).
const clusterYaml = [
	'nodes:',
	'  - {name: pg-node-1, ip: 10.20.0.11}',
	'  - {name: pg-node-2, ip: 10.20.0.12}',
	'  - {name: pg-node-3, ip: 10.20.0.13}',
	'',
].join('\n');

test('the packed tarball installs globally and pgha runs from there, outside the repository; npx runs it too', async t => {
	t.timeout(180_000);
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-npm-pack-'));
	const npmCache = path.join(dir, 'npm-cache');
	const prefix = path.join(dir, 'prefix');
	const work = path.join(dir, 'work');
	mkdirSync(work);
	let registry: Awaited<ReturnType<typeof cacheRegistry>> | undefined;
	t.teardown(async () => {
		await registry?.close();
		rmSync(dir, {recursive: true, force: true});
	});

	// The tarball holds what runs and nothing of the tests, CI or benchmarks.
	const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], projectDir);
	t.is(packed.code, 0, packed.stderr);
	const [info] = JSON.parse(packed.stdout) as Array<{filename: string}>;
	const tarball = path.join(dir, info!.filename);
	const listed = await run('tar', ['-tzf', tarball], dir);
	t.is(listed.code, 0, listed.stderr);
	const entries = listed.stdout.split('\n').filter(Boolean);
	t.deepEqual(entries.filter(entry => /^package\/(test|\.ci|bench)\//.test(entry) || entry.includes('/fixtures/')), []);
	for (const needed of ['package/package.json', 'package/readme.md', 'package/tsconfig.json', 'package/source/bin.js', 'package/source/cli.ts', 'package/steps/index.ts', 'package/templates/yaml.ts']) {
		t.true(entries.includes(needed), needed);
	}

	const cacheDir = path.join((await run('npm', ['config', 'get', 'cache'], dir)).stdout.trim(), '_cacache');
	const upstream = (await run('npm', ['config', 'get', 'registry'], dir)).stdout.trim().replace(/\/?$/, '/');
	registry = await cacheRegistry(cacheDir, upstream);
	// --ignore-scripts: the optional native builds (ssh2's binding, cpu-features) would fetch Node
	// headers; pgha must run without them, as on a machine with no compiler.
	const npmOptions = ['--registry', registry.url, '--cache', npmCache, '--no-audit', '--no-fund', '--no-update-notifier', '--ignore-scripts'];
	const installed = await run('npm', ['install', '--global', '--omit=dev', '--prefix', prefix, ...npmOptions, tarball], dir);
	t.is(installed.code, 0, `${installed.stderr}\nnot in npm's cache: ${[...registry.missing].join(', ')}`);

	// Runtime dependencies only.
	const packageDir = path.join(prefix, 'lib', 'node_modules', 'pgha');
	const modules = readdirSync(path.join(packageDir, 'node_modules'));
	for (const dependency of ['tsx', 'ink', 'react', 'ssh2', 'yaml']) t.true(modules.includes(dependency), dependency);
	for (const devDependency of ['ava', 'typescript', 'ink-testing-library', '@types']) t.false(modules.includes(devDependency), devDependency);

	const pgha = path.join(prefix, 'bin', 'pgha');
	const version = await run(pgha, ['--version'], work);
	t.is(version.code, 0, version.stderr);
	t.is(version.stdout, `${pkg.version}\n`);

	const help = await run(pgha, ['--help'], work);
	t.is(help.code, 0, help.stderr);
	t.regex(help.stdout, /Usage: pgha \[command\]/);
	t.regex(help.stdout, /^ {2}apply /m);
	t.regex(help.stdout, /^ {2}runbook /m);

	writeFileSync(path.join(work, 'pgha.yaml'), clusterYaml);
	const runbook = await run(pgha, ['runbook', '-c', 'pgha.yaml', '--lang', 'en'], work);
	t.is(runbook.code, 0, runbook.stderr);
	t.is(runbook.stderr, '');
	// Markdown on standard output, for this cluster; nothing is written next to the cluster file.
	t.true(runbook.stdout.startsWith('# Runbook for cluster'), runbook.stdout.slice(0, 200));
	t.regex(runbook.stdout, /^## \d+\. /m);
	for (const ip of ['10.20.0.11', '10.20.0.12', '10.20.0.13']) t.true(runbook.stdout.includes(ip), ip);
	t.deepEqual(readdirSync(work), ['pgha.yaml']);

	// npx from the tarball: --version is answered before TypeScript loads, --help proves it loads.
	// --prefer-offline: the install above has just filled this cache.
	const npxVersion = await run('npx', [...npmOptions, '--prefer-offline', '--yes', '--package', tarball, 'pgha', '--version'], work);
	t.is(npxVersion.code, 0, npxVersion.stderr);
	t.is(npxVersion.stdout, `${pkg.version}\n`);
	const npxHelp = await run('npx', [...npmOptions, '--prefer-offline', '--yes', '--package', tarball, 'pgha', '--help'], work);
	t.is(npxHelp.code, 0, npxHelp.stderr);
	t.regex(npxHelp.stdout, /^ {2}runbook /m);
});
