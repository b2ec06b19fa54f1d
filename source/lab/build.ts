/** `pgha lab build`: the local repository and the rootfs, each rebuilt only when its inputs changed. */
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import {requireDisk, requireTools} from './host-check.ts';
import {lock, unlock} from './lock.ts';
import {debCount, downloadPackages, hostArch, indexRepo, refreshLists, releaseFile, repoHash} from './repo.ts';
import {bootstrap, configureRootfs, removeTree, rootfsHash, rootfsLooksComplete} from './rootfs.ts';
import {buildFreeMb, buildLockFile, buildLog, buildTools, cacheDir, repoStamp, rootfsDir, rootfsStamp} from './settings.ts';
import {readState} from './state.ts';
import {LabError, t, type Reporter} from './text.ts';

export interface BuildOptions {
	/** Rebuild both parts even when nothing changed (e.g. to pick up newer packages from the mirror). */
	readonly force: boolean;
}

function stampMatches(file: string, hash: string): boolean {
	try {
		return readFileSync(file, 'utf8').trim() === hash;
	} catch {
		return false;
	}
}

/** Prints a line every `everyMs` while a long step runs, so a silent minute never looks like a hang. */
async function withHeartbeat<T>(report: Reporter, text: () => {ru: string; en: string}, work: Promise<T>, everyMs = 10_000): Promise<T> {
	const timer = setInterval(() => report.line(text()), everyMs);
	try {
		return await work;
	} finally {
		clearInterval(timer);
	}
}

function lastLogLines(count = 25): string {
	try {
		return readFileSync(buildLog, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
	} catch {
		return '';
	}
}

export async function planBuild(force: boolean): Promise<{arch: string; repo: boolean; rootfs: boolean; repoHash: string; rootfsHash: string}> {
	const arch = await hostArch();
	const repo = repoHash(arch);
	const rootfs = rootfsHash(arch);
	const repoNeeded = force || !stampMatches(repoStamp, repo) || !existsSync(releaseFile());
	const rootfsNeeded = force || !stampMatches(rootfsStamp, rootfs) || !rootfsLooksComplete(rootfsDir);
	return {arch, repo: repoNeeded, rootfs: rootfsNeeded, repoHash: repo, rootfsHash: rootfs};
}

export async function build(options: BuildOptions, report: Reporter): Promise<void> {
	requireTools(buildTools);
	const plan = await planBuild(options.force);
	if (!plan.repo && !plan.rootfs) {
		report.line(t(
			`Ничего не изменилось: репозиторий и rootfs уже собраны (${cacheDir}).`,
			`Nothing changed: the repository and the rootfs are already built (${cacheDir}).`,
		));
		return;
	}

	if (readState()) {
		throw new LabError(t(
			'Лаборатория запущена, а rootfs — общий нижний слой её узлов. Сначала: pgha lab down',
			'The lab is up and the rootfs is the lower layer of its nodes. First run: pgha lab down',
		));
	}

	mkdirSync(cacheDir, {recursive: true});
	requireDisk(cacheDir, buildFreeMb);
	if (!(await lock(buildLockFile, 0))) {
		throw new LabError(t('Сборка уже идёт в другом процессе.', 'Another build is already running.'));
	}

	const logFd = openSync(buildLog, 'w', 0o644);
	try {
		report.line(t(`Полный лог сборки: ${buildLog}`, `Full build log: ${buildLog}`));
		if (plan.repo) await buildRepo(plan.arch, plan.repoHash, logFd, report);
		else report.line(t('Репозиторий не изменился.', 'The repository is unchanged.'));
		if (plan.rootfs) await buildRootfs(plan.rootfsHash, logFd, report);
		else report.line(t('Rootfs не изменился.', 'The rootfs is unchanged.'));

		report.line(t('Сборка готова. Дальше: pgha lab up', 'Build done. Next: pgha lab up'));
	} catch (error) {
		const tail = lastLogLines();
		if (tail) process.stderr.write(`${tail}\n`);
		throw error;
	} finally {
		closeSync(logFd);
		unlock(buildLockFile);
	}
}

async function buildRepo(arch: string, hash: string, logFd: number, report: Reporter): Promise<void> {
	writeFileSync(repoStamp, '');
	report.line(t('Репозиторий: обновляю списки пакетов (настройки apt этой машины)…', 'Repository: refreshing package lists (this machine\'s apt settings)…'));
	await refreshLists(logFd);
	let step = '';
	const progress = () => {
		const {count, mb} = debCount();
		return t(`Репозиторий: скачивание ${step}, в пуле ${count} пакетов, ${mb} МБ`, `Repository: downloading ${step}, ${count} packages in the pool, ${mb} MB`);
	};

	await withHeartbeat(report, progress, downloadPackages(logFd, (done, total) => {
		step = `${done + 1}/${total}`;
		if (done === 0) report.line(t('Репозиторий: скачиваю все пакеты…', 'Repository: downloading all packages…'));
	}));
	report.line(progress());
	report.line(t('Репозиторий: индексирую…', 'Repository: indexing…'));
	await indexRepo(arch);
	writeFileSync(repoStamp, `${hash}\n`);
	const {count, mb} = debCount();
	report.line(t(`Репозиторий готов: ${count} пакетов, ${mb} МБ.`, `Repository ready: ${count} packages, ${mb} MB.`));
}

async function buildRootfs(hash: string, logFd: number, report: Reporter): Promise<void> {
	writeFileSync(rootfsStamp, '');
	const fresh = `${rootfsDir}.new`;
	report.line(t('Rootfs: mmdebstrap из локального репозитория (около минуты)…', 'Rootfs: mmdebstrap from the local repository (about a minute)…'));
	await withHeartbeat(report, () => t('Rootfs: mmdebstrap работает…', 'Rootfs: mmdebstrap is running…'), bootstrap(fresh, logFd));
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
