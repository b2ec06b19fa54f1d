/**
 * The local apt repository: every package a node may install, downloaded once with the host's own
 * apt configuration (mirror, proxy, auth) and indexed as a normal suite for the nodes' apt.
 */
import {createHash} from 'node:crypto';
import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync} from 'node:fs';
import path from 'node:path';
import {gzipSync} from 'node:zlib';
import {run} from './process.ts';
import {aptStateDir, basePackages, clusterPackages, poolDir, repoDebianDir, suite} from './settings.ts';

/** Bump when the way the repository is made changes, so caches made the old way are rebuilt. */
const repoFormat = 1;

export async function hostArch(): Promise<string> {
	return (await run('dpkg', ['--print-architecture'])).stdout.trim();
}

/** The host's apt sources: the repository mirrors whatever they point at, so they are part of its identity. */
function hostSourcesText(): string {
	const files = ['/etc/apt/sources.list'];
	const dir = '/etc/apt/sources.list.d';
	if (existsSync(dir)) for (const name of readdirSync(dir).sort()) files.push(path.join(dir, name));
	return files.filter(file => existsSync(file)).map(file => `${file}\n${readFileSync(file, 'utf8')}`).join('\n');
}

export function repoHash(arch: string): string {
	const identity = {repoFormat, suite, arch, basePackages, clusterPackages, sources: hostSourcesText()};
	return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

export function releaseFile(): string {
	return path.join(repoDebianDir, 'dists', suite, 'Release');
}

/** apt options that point every piece of state at the lab's own directories. */
function aptOptions(): string[] {
	const status = path.join(aptStateDir, 'status');
	if (!existsSync(status)) writeFileSync(status, '');
	const options: Record<string, string> = {
		'Dir::State::Lists': path.join(aptStateDir, 'lists'),
		// An empty dpkg status makes apt download the whole dependency closure, not just what the host lacks.
		'Dir::State::status': status,
		'Dir::State::extended_states': path.join(aptStateDir, 'extended_states'),
		'Dir::Cache::Archives': poolDir,
		'Dir::Cache::pkgcache': '',
		'Dir::Cache::srcpkgcache': '',
		'Debug::NoLocking': '1',
		'APT::Install-Recommends': '1',
		'Acquire::Languages': 'none',
	};
	return Object.entries(options).flatMap(([key, value]) => ['-o', `${key}=${value}`]);
}

export function debCount(): {count: number; mb: number} {
	let count = 0;
	let bytes = 0;
	try {
		for (const name of readdirSync(poolDir)) {
			if (!name.endsWith('.deb')) continue;
			count++;
			bytes += statSync(path.join(poolDir, name)).size;
		}
	} catch {}

	return {count, mb: Math.round(bytes / (1024 * 1024))};
}

const basePatterns = ['?essential', '?priority(required)', '?priority(important)'];

export async function refreshLists(logFd: number): Promise<void> {
	mkdirSync(path.join(aptStateDir, 'lists', 'partial'), {recursive: true});
	mkdirSync(path.join(poolDir, 'partial'), {recursive: true});
	await run('apt-get', [...aptOptions(), 'update'], {logFd});
}

/**
 * One run for everything, then one per cluster package on top of the base set: a node that installs
 * just that package may pick other alternatives or Recommends than the all-in-one resolution did.
 */
export async function downloadPackages(logFd: number, onStep: (done: number, total: number) => void): Promise<void> {
	const sets = [[...clusterPackages], ...clusterPackages.map(pkg => [pkg])];
	for (const [index, extra] of sets.entries()) {
		onStep(index, sets.length);
		await run('apt-get', [...aptOptions(), '-y', '--download-only', 'install', ...basePatterns, ...basePackages, ...extra], {
			logFd,
			env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'},
		});
	}
}

/** Index the pool like a normal suite (Packages, Packages.gz, Release). */
export async function indexRepo(arch: string): Promise<void> {
	const binaryDir = path.join(repoDebianDir, 'dists', suite, 'main', `binary-${arch}`);
	mkdirSync(binaryDir, {recursive: true});
	const {stdout} = await run('apt-ftparchive', ['packages', 'pool'], {cwd: repoDebianDir});
	writeFileSync(path.join(binaryDir, 'Packages'), stdout);
	writeFileSync(path.join(binaryDir, 'Packages.gz'), gzipSync(stdout));
	// apt-ftparchive would list an existing Release inside itself: remove it, write the new one aside.
	const suiteDir = path.join(repoDebianDir, 'dists', suite);
	rmSync(path.join(suiteDir, 'Release'), {force: true});
	const prefix = 'APT::FTPArchive::Release::';
	const {stdout: release} = await run('apt-ftparchive', [
		'-o', `${prefix}Suite=${suite}`,
		'-o', `${prefix}Codename=${suite}`,
		'-o', `${prefix}Components=main`,
		'-o', `${prefix}Architectures=${arch} all`,
		'release', '.',
	], {cwd: suiteDir});
	const temporary = path.join(repoDebianDir, 'Release.tmp');
	writeFileSync(temporary, release);
	renameSync(temporary, path.join(suiteDir, 'Release'));
}
