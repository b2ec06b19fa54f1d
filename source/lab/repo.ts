/**
 * The local apt repository of one release: every package a node may install, downloaded once from
 * the host's Debian mirror with a private apt configuration (its own sources, lists and status, so
 * the host's apt state is never read or changed) and indexed as a normal suite for the nodes' apt.
 */
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {gzipSync} from 'node:zlib';
import {run} from './process.ts';
import {parsePrintUris, poolFigures} from './download-progress.ts';
import {allStagePackages} from '../../steps/index.ts';
import {basePackages, courseHandPackages, releasePaths, releasePostgres, pythonIndexPackages, type LabRelease} from './settings.ts';

/** Bump when the way the repository is made changes, so caches made the old way are rebuilt. */
const repoFormat = 2;

const fallbackMirror = 'http://deb.debian.org/debian';
const keyring = '/usr/share/keyrings/debian-archive-keyring.gpg';

export async function hostArch(): Promise<string> {
	return (await run('dpkg', ['--print-architecture'])).stdout.trim();
}

function hostSourceFiles(): string[] {
	const files = ['/etc/apt/sources.list'];
	const dir = '/etc/apt/sources.list.d';
	if (existsSync(dir)) for (const name of readdirSync(dir).sort()) files.push(path.join(dir, name));
	return files.filter(file => existsSync(file));
}

/** The Debian mirror this machine already uses (a local mirror or proxy keeps working), else deb.debian.org. */
export function debianMirror(sourcesText: string): string {
	const urls = [...sourcesText.matchAll(/\b(https?:\/\/\S+?)\/?(?=\s|$)/g)].map(match => match[1]!);
	return urls.find(url => /\/debian$/.test(url)) ?? fallbackMirror;
}

function hostMirror(): string {
	return debianMirror(hostSourceFiles().map(file => readFileSync(file, 'utf8')).join('\n'));
}

/** The sources a fresh VM of this release has: main, updates and security, binaries and sources. */
export function releaseSources(release: LabRelease, mirror: string): string {
	const security = mirror.replace(/\/debian$/, '/debian-security');
	return [
		`deb [signed-by=${keyring}] ${mirror} ${release} ${release}-updates main`,
		`deb [signed-by=${keyring}] ${security} ${release}-security main`,
		`deb-src [signed-by=${keyring}] ${mirror} ${release} ${release}-updates main`,
		`deb-src [signed-by=${keyring}] ${security} ${release}-security main`,
		'',
	].join('\n');
}

/** What a node may install: every package any of pgha's stages may install (on any path), and the guide's own. */
export function nodePackages(release: LabRelease): string[] {
	return [...new Set([...allStagePackages(String(releasePostgres[release])), ...courseHandPackages(release)])];
}

/** Everything the repository holds, per release: the nodes' packages and the Python index's sources. */
export function repoPackages(release: LabRelease): string[] {
	return [...new Set([...nodePackages(release), ...pythonIndexPackages(release)])];
}

export function repoHash(release: LabRelease, arch: string): string {
	const identity = {repoFormat, release, arch, base: [...basePackages(release)].sort(), packages: repoPackages(release).sort(), mirror: hostMirror()};
	return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

export function releaseFile(release: LabRelease): string {
	return path.join(releasePaths(release).repoDebianDir, 'dists', release, 'Release');
}

/** apt options that point every piece of state and configuration at the release's own directories. */
export function aptOptions(release: LabRelease): string[] {
	const {aptStateDir, poolDir} = releasePaths(release);
	mkdirSync(path.join(aptStateDir, 'lists', 'partial'), {recursive: true});
	mkdirSync(path.join(aptStateDir, 'parts'), {recursive: true});
	const status = path.join(aptStateDir, 'status');
	if (!existsSync(status)) writeFileSync(status, '');
	const sourceList = path.join(aptStateDir, 'sources.list');
	writeFileSync(sourceList, releaseSources(release, hostMirror()));
	const options: Record<string, string> = {
		'Dir::Etc::sourcelist': sourceList,
		// An empty folder: none of the host's own sources, pins or settings reach this apt.
		'Dir::Etc::sourceparts': path.join(aptStateDir, 'parts'),
		'Dir::Etc::preferencesparts': path.join(aptStateDir, 'parts'),
		'Dir::Etc::preferences': path.join(aptStateDir, 'preferences'),
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

export function debCount(release: LabRelease): {count: number; mb: number} {
	let count = 0;
	let bytes = 0;
	const {poolDir} = releasePaths(release);
	try {
		for (const name of readdirSync(poolDir)) {
			if (!name.endsWith('.deb')) continue;
			count++;
			bytes += statSync(path.join(poolDir, name)).size;
		}
	} catch {}

	// MB as apt and the progress bar count them (10^6 bytes), so the figures agree.
	return {count, mb: Math.round(bytes / 1e6)};
}

const basePatterns = ['?essential', '?priority(required)', '?priority(important)'];

export async function refreshLists(release: LabRelease, logFd: number): Promise<void> {
	mkdirSync(path.join(releasePaths(release).poolDir, 'partial'), {recursive: true});
	await run('apt-get', [...aptOptions(release), 'update'], {logFd});
}

/** Where the download is: the packages of the one big run, then the runs per cluster package. */
export type RepoDownloadProgress =
	| {readonly part: 'all'; readonly files: number; readonly totalFiles: number; readonly bytes: number; readonly totalBytes: number}
	| {readonly part: 'each'; readonly done: number; readonly total: number};

const pollMs = 500;

/**
 * One run for everything, then one per cluster package on top of the base set: a node that installs
 * just that package may pick other alternatives or Recommends than the all-in-one resolution did.
 * The big run is measured: apt lists what it will fetch (`--print-uris`), the pool shows what came.
 */
export async function downloadPackages(release: LabRelease, logFd: number, onProgress: (progress: RepoDownloadProgress) => void): Promise<void> {
	const {poolDir} = releasePaths(release);
	const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'};
	const install = (extra: readonly string[]) => [...aptOptions(release), '-y', '--download-only', 'install', ...basePatterns, ...basePackages(release), ...extra];
	const all = install(repoPackages(release));
	const wanted = parsePrintUris((await run('apt-get', ['--print-uris', ...all], {env})).stdout);
	const totalBytes = wanted.reduce((sum, item) => sum + item.size, 0);
	const measure = () => {
		const {files, bytes} = poolFigures(poolDir, wanted);
		onProgress({part: 'all', files, totalFiles: wanted.length, bytes, totalBytes});
	};

	measure();
	const timer = setInterval(measure, pollMs);
	try {
		await run('apt-get', all, {logFd, env});
	} finally {
		clearInterval(timer);
	}

	measure();
	const each = nodePackages(release);
	for (const [index, pkg] of each.entries()) {
		onProgress({part: 'each', done: index, total: each.length});
		await run('apt-get', install([pkg]), {logFd, env});
	}

	onProgress({part: 'each', done: each.length, total: each.length});
}

/** Index the pool like a normal suite (Packages, Packages.gz, Release). */
export async function indexRepo(release: LabRelease, arch: string): Promise<void> {
	const {repoDebianDir} = releasePaths(release);
	const binaryDir = path.join(repoDebianDir, 'dists', release, 'main', `binary-${arch}`);
	mkdirSync(binaryDir, {recursive: true});
	const {stdout} = await run('apt-ftparchive', ['packages', 'pool'], {cwd: repoDebianDir});
	writeFileSync(path.join(binaryDir, 'Packages'), stdout);
	writeFileSync(path.join(binaryDir, 'Packages.gz'), gzipSync(stdout));
	// apt-ftparchive would list an existing Release inside itself: remove it, write the new one aside.
	const suiteDir = path.join(repoDebianDir, 'dists', release);
	rmSync(path.join(suiteDir, 'Release'), {force: true});
	const prefix = 'APT::FTPArchive::Release::';
	const {stdout: releaseText} = await run('apt-ftparchive', [
		'-o', `${prefix}Suite=${release}`,
		'-o', `${prefix}Codename=${release}`,
		'-o', `${prefix}Components=main`,
		'-o', `${prefix}Architectures=${arch} all`,
		'release', '.',
	], {cwd: suiteDir});
	const temporary = path.join(repoDebianDir, 'Release.tmp');
	writeFileSync(temporary, releaseText);
	renameSync(temporary, path.join(suiteDir, 'Release'));
}
