/** `pgha lab build`: the local repository and the rootfs, each rebuilt only when its inputs changed. */
import {createHash} from 'node:crypto';
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import {requireDisk, requireTools} from './host-check.ts';
import {lock, unlock} from './lock.ts';
import {buildEtcdRelease, servedEtcdRelease} from './etcd-release.ts';
import {debCount, downloadPackages, hostArch, indexRepo, refreshLists, releaseFile, repoHash} from './repo.ts';
import {bootstrap, configureRootfs, removeTree, rootfsHash, rootfsLooksComplete} from './rootfs.ts';
import {buildFreeMb, buildLockFile, buildTools, indexedPatroni, releasePaths, type LabRelease} from './settings.ts';

import {buildPythonIndex} from './wheels.ts';
import {readState} from './state.ts';
import {AptProgress} from '../../steps/apt-progress.ts';
import {LabError, t, type Reporter} from './text.ts';

export interface BuildOptions {
	/** Rebuild both parts even when nothing changed (e.g. to pick up newer packages from the mirror). */
	readonly force: boolean;
	readonly release: LabRelease;
}

function stampMatches(file: string, hash: string): boolean {
	try {
		return readFileSync(file, 'utf8').trim() === hash;
	} catch {
		return false;
	}
}

/**
 * Prints a line every `everyMs` while a long step runs, so a silent minute never looks like a hang;
 * not while `moving()` says figures are coming (a bar is showing them).
 */
async function withHeartbeat<T>(report: Reporter, text: () => {ru: string; en: string}, work: Promise<T>, everyMs = 10_000, moving = () => false): Promise<T> {
	const timer = setInterval(() => {
		if (!moving()) report.line(text());
	}, everyMs);
	try {
		return await work;
	} finally {
		clearInterval(timer);
	}
}

function lastLogLines(buildLog: string, count = 25): string {
	try {
		return readFileSync(buildLog, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
	} catch {
		return '';
	}
}

export interface BuildPlan {
	readonly arch: string;
	readonly repo: boolean;
	readonly rootfs: boolean;
	readonly etcd: boolean;
	readonly pypi: boolean;
	readonly repoHash: string;
	readonly rootfsHash: string;
	/** The served extras (etcd tarball, Python index) are made from the repository: its hash is theirs. */
	readonly extrasHash: string;
}

export async function planBuild(release: LabRelease, force: boolean): Promise<BuildPlan> {
	const arch = await hostArch();
	const paths = releasePaths(release);
	const repo = repoHash(release, arch);
	const rootfs = rootfsHash(release, arch);
	const extras = createHash('sha256').update(repo).update(readFileSync(new URL('debs-to-wheels.py', import.meta.url))).digest('hex');
	const repoNeeded = force || !stampMatches(paths.repoStamp, repo) || !existsSync(releaseFile(release));
	return {
		arch,
		repo: repoNeeded,
		rootfs: force || !stampMatches(paths.rootfsStamp, rootfs) || !rootfsLooksComplete(release, paths.rootfsDir),
		etcd: repoNeeded || !stampMatches(paths.etcdStamp, extras) || !servedEtcdRelease(release),
		pypi: indexedPatroni[release] !== undefined && (repoNeeded || !stampMatches(paths.pypiStamp, extras) || !existsSync(`${paths.pypiDir}/simple/index.html`)),
		repoHash: repo,
		rootfsHash: rootfs,
		extrasHash: extras,
	};
}

export async function build(options: BuildOptions, report: Reporter): Promise<void> {
	requireTools(buildTools);
	const {release} = options;
	const paths = releasePaths(release);
	const plan = await planBuild(release, options.force);
	if (!plan.repo && !plan.rootfs && !plan.etcd && !plan.pypi) {
		report.line(t(
			`Ничего не изменилось: ${release} уже собран (${paths.cacheDir}).`,
			`Nothing changed: ${release} is already built (${paths.cacheDir}).`,
		));
		return;
	}

	const running = readState();
	if (running && running.release === release) {
		throw new LabError(t(
			'Лаборатория запущена, а rootfs — общий нижний слой её узлов. Сначала: pgha lab down',
			'The lab is up and the rootfs is the lower layer of its nodes. First run: pgha lab down',
		));
	}

	mkdirSync(paths.cacheDir, {recursive: true});
	requireDisk(paths.cacheDir, buildFreeMb);
	if (!(await lock(buildLockFile, 0))) {
		throw new LabError(t('Сборка уже идёт в другом процессе.', 'Another build is already running.'));
	}

	const logFd = openSync(paths.buildLog, 'w', 0o644);
	try {
		// Two lines: with a long cache path one line would wrap on an 80-column terminal.
		report.line(t(`Сборка ${release}.`, `Building ${release}.`));
		report.line(t(`Полный лог: ${paths.buildLog}`, `Full log: ${paths.buildLog}`));
		if (plan.repo) await buildRepo(release, plan.arch, plan.repoHash, logFd, report);
		else report.line(t('Репозиторий не изменился.', 'The repository is unchanged.'));
		if (plan.rootfs) await buildRootfs(release, plan.rootfsHash, logFd, report);
		else report.line(t('Rootfs не изменился.', 'The rootfs is unchanged.'));
		if (plan.etcd) {
			writeFileSync(paths.etcdStamp, '');
			const etcd = buildEtcdRelease(release);
			writeFileSync(paths.etcdStamp, `${plan.extrasHash}\n`);
			report.line(t(`etcd ${etcd.version}: архив релиза и SHA256SUMS готовы (${paths.etcdDir}).`, `etcd ${etcd.version}: release tarball and SHA256SUMS ready (${paths.etcdDir}).`));
		}

		if (plan.pypi) await buildIndex(release, plan.extrasHash, logFd, report);

		report.line(t('Сборка готова. Дальше: pgha lab up', 'Build done. Next: pgha lab up'));
	} catch (error) {
		report.endProgress?.();
		const tail = lastLogLines(paths.buildLog);
		if (tail) process.stderr.write(`${tail}\n`);
		throw error;
	} finally {
		closeSync(logFd);
		unlock(buildLockFile);
	}
}

const repoPhases = {
	all: t('Репозиторий: скачивание', 'Repository: downloading'),
	// Each cluster package resolved alone on top of the base set, for the alternatives it may pick.
	each: t('Репозиторий: зависимости каждого пакета', 'Repository: each package alone'),
};

async function buildRepo(release: LabRelease, arch: string, hash: string, logFd: number, report: Reporter): Promise<void> {
	const {repoStamp} = releasePaths(release);
	writeFileSync(repoStamp, '');
	report.line(t(`Репозиторий: обновляю списки пакетов ${release} (зеркало этой машины)…`, `Repository: refreshing the ${release} package lists (this machine's mirror)…`));
	await refreshLists(release, logFd);
	report.line(t('Репозиторий: apt составляет список пакетов…', 'Repository: apt is listing the packages…'));
	const pool = () => {
		const {count, mb} = debCount(release);
		return t(`Репозиторий: в пуле ${count} пакетов, ${mb} МБ`, `Repository: ${count} packages in the pool, ${mb} MB`);
	};

	const work = downloadPackages(release, logFd, progress => {
		report.progress?.(progress.part === 'all'
			? {phase: repoPhases.all, unit: 'packages', done: progress.files, total: progress.totalFiles, bytes: {done: progress.bytes, total: progress.totalBytes}}
			: {phase: repoPhases.each, unit: 'packages', done: progress.done, total: progress.total});
	});
	// A reporter that shows no figures still hears from the download every 10 s.
	await (report.progress ? work : withHeartbeat(report, pool, work));
	report.line(pool());
	report.line(t('Репозиторий: индексирую…', 'Repository: indexing…'));
	await indexRepo(release, arch);
	writeFileSync(repoStamp, `${hash}\n`);
	const {count, mb} = debCount(release);
	report.line(t(`Репозиторий готов: ${count} пакетов, ${mb} МБ.`, `Repository ready: ${count} packages, ${mb} MB.`));
}

async function buildRootfs(release: LabRelease, hash: string, logFd: number, report: Reporter): Promise<void> {
	const {rootfsDir, rootfsStamp} = releasePaths(release);
	writeFileSync(rootfsStamp, '');
	const fresh = `${rootfsDir}.new`;
	report.line(t('Rootfs: mmdebstrap из локального репозитория (около минуты)…', 'Rootfs: mmdebstrap from the local repository (about a minute)…'));
	// mmdebstrap installs the essential set with dpkg, then the rest with apt: each announces its count.
	const apt = new AptProgress('Rootfs');
	let figuresAt = 0;
	const work = bootstrap(release, fresh, logFd, line => {
		const figures = apt.read(line);
		if (!figures || !report.progress) return;
		figuresAt = Date.now();
		report.progress(figures);
	});
	await withHeartbeat(report, () => t('Rootfs: mmdebstrap работает…', 'Rootfs: mmdebstrap is running…'), work, 10_000, () => Date.now() - figuresAt < 10_000);
	report.line(t('Rootfs: пользователь student, sshd, маскирую таймеры apt…', 'Rootfs: user student, sshd, masking apt timers…'));
	await configureRootfs(fresh);
	const old = `${rootfsDir}.old`;
	await removeTree(old);
	if (existsSync(rootfsDir)) renameSync(rootfsDir, old);
	renameSync(fresh, rootfsDir);
	await removeTree(old);
	writeFileSync(rootfsStamp, `${hash}\n`);
	report.line(t(`Rootfs готов: ${rootfsDir}`, `Rootfs ready: ${rootfsDir}`));
}

async function buildIndex(release: LabRelease, hash: string, logFd: number, report: Reporter): Promise<void> {
	const {pypiStamp, pypiDir} = releasePaths(release);
	writeFileSync(pypiStamp, '');
	report.line(t(
		'Индекс Python: колёса из сборок Debian для Python узлов (patroni[etcd3], psycopg2-binary)…',
		'Python index: wheels from Debian\'s builds for the nodes\' Python (patroni[etcd3], psycopg2-binary)…',
	));
	const {wheels} = await withHeartbeat(report, () => t('Индекс Python: сборка идёт…', 'Python index: still building…'), buildPythonIndex(release, logFd));
	writeFileSync(pypiStamp, `${hash}\n`);
	report.line(t(`Индекс Python готов: ${wheels} колёс, у каждой зависимости есть колесо (${pypiDir}).`, `Python index ready: ${wheels} wheels, every requirement has one (${pypiDir}).`));
}
