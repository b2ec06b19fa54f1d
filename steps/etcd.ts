/**
 * Stage 6, etcd: binaries by source (release tarball downloaded on the node and checksum-verified,
 * a tarball uploaded from the host, or the distribution's etcd-server), a YAML config and a systemd
 * unit per member, all members started without waiting on each other, then a bounded wait for every
 * member healthy with exactly the planned member list.
 */
import {readFile} from 'node:fs/promises';
import {basename, dirname, join, resolve} from 'node:path';
import type {ClusterConfig} from '../source/core/cluster.ts';
import {
	etcdConfigPath, etcdDataDir, etcdDataIdentity, etcdIdentityPath, packagedEtcdDataDir, renderEtcdConfig,
} from '../templates/etcd-config.ts';
import {etcdUnitPath, renderEtcdUnit} from '../templates/systemd-units.ts';
import {StepError, type Action, type PlanContext, type ProgressReader, type Stage, type Step, type StepContext} from './types.ts';
import {
	aptTimeoutMs, bash, execute, fileMatches, journalTail, nodeError, parseKeyValues, probe, progressLines, readFileStates,
	runActions, runAction, sh, sha256, shq, text, waitFor, warn, writeAction,
} from './commands.ts';
import {AptProgress} from './apt-progress.ts';
import {CurlProgress} from './curl-progress.ts';
import {factKeys} from './facts.ts';
import {
	etcdBinDir, etcdChecksumUrl, etcdctl, etcdScratchDir, etcdTarballName, etcdTarballUrl,
} from './layout.ts';
import {installCommand, installedStateCommand, missingPackages} from './packages.ts';
import {etcdInput} from './render.ts';
import {etcdSection} from './etcd-section.ts';

export const etcdDistroPackages = ['etcd-server', 'etcd-client'] as const;

/** The package creates the etcd user; for tarballs pgha does, the same way. */
export const ensureEtcdUser = sh('getent passwd etcd >/dev/null || useradd --system --user-group --home-dir /var/lib/etcd --no-create-home --shell /usr/sbin/nologin etcd');

/** Unpacks a release tarball (etcd-vX-linux-ARCH/etcd, etcdctl, etcdutl since 3.5) and installs the binaries. */
export function unpackCommands(tarball: string, scratch = etcdScratchDir, binDir = '/usr/local/bin'): string[] {
	const unpacked = `${scratch}/unpacked`;
	return [
		sh(`rm -rf ${unpacked} && mkdir -p ${unpacked} && tar -xzf ${tarball} -C ${unpacked} --strip-components=1`),
		sh(`for f in etcd etcdctl etcdutl; do if [ -f ${unpacked}/$f ]; then install -m 0755 ${unpacked}/$f ${binDir}/$f; fi; done`),
		`rm -rf ${scratch}`,
	];
}

function unpackPlan(tarball: string): Action[] {
	return unpackCommands(tarball).map(command => runAction(command));
}

/** Checks the tarball against the release's SHA256SUMS; no line for it at all fails too. */
export function checksumCommand(name: string, scratch = etcdScratchDir): string {
	return sh(`cd ${scratch} && awk -v f=${shq(name)} '$2 == f || $2 == "*" f' SHA256SUMS | sha256sum -c --strict -`);
}

function arch(ctx: PlanContext): string {
	return ctx.facts.get(factKeys.arch) ?? 'amd64';
}

export function downloadPlan(ctx: PlanContext): Action[] {
	const name = etcdTarballName(ctx.cluster.etcd.version, arch(ctx));
	const curl = 'curl -fsSL --retry 3 --connect-timeout 20';
	// The tarball with curl's progress meter (one update a second, its carriage returns made newlines
	// and not held back by tr's buffer), so the screen can show the download moving.
	const tarball = `curl -fSL --retry 3 --connect-timeout 20 -o ${etcdScratchDir}/${name} ${shq(etcdTarballUrl(ctx.cluster, arch(ctx)))}`;
	return [
		runAction(ensureEtcdUser),
		runAction(`install -d -m 0755 ${etcdScratchDir}`),
		runAction(bash(`set -o pipefail; ${tarball} 2>&1 | stdbuf -oL tr '\\r' '\\n'`), {timeoutMs: 15 * 60_000}),
		runAction(`${curl} -o ${etcdScratchDir}/SHA256SUMS ${shq(etcdChecksumUrl(ctx.cluster))}`),
		runAction(checksumCommand(name)),
		...unpackPlan(`${etcdScratchDir}/${name}`),
	];
}

export const uploadedTarballPath = `${etcdScratchDir}/upload.tar.gz`;

export function uploadPlan(): Action[] {
	// The upload itself (SFTP from the host) happens between these actions, see uploadTarball.
	return [
		runAction(ensureEtcdUser),
		runAction(`install -d -m 0755 ${etcdScratchDir}`),
		runAction(`sha256sum ${uploadedTarballPath}`),
		...unpackPlan(uploadedTarballPath),
	];
}

export function installPlan(ctx: PlanContext): Action[] {
	switch (ctx.cluster.etcd.source) {
		case 'package': return [runAction(installCommand(etcdDistroPackages), {timeoutMs: aptTimeoutMs})];
		case 'download': return downloadPlan(ctx);
		case 'upload': return uploadPlan();
	}
}

function etcdProgress(ctx: StepContext): ProgressReader {
	return ctx.cluster.etcd.source === 'package' ? new AptProgress() : new CurlProgress(text('etcd: скачивание архива', 'etcd: downloading the tarball'));
}

/** `etcd Version: 3.5.11` (server) and `etcdctl version: 3.5.11`. */
export function parseEtcdVersions(stdout: string): {server?: string; client?: string} {
	return {
		server: /etcd Version:\s*(\S+)/i.exec(stdout)?.[1],
		client: /etcdctl version:\s*(\S+)/i.exec(stdout)?.[1],
	};
}

/** Release tarballs exist per architecture; a resumed run may not have the VM check's fact. */
async function ensureArch(ctx: StepContext): Promise<void> {
	if (ctx.cluster.etcd.source === 'package' || ctx.facts.get(factKeys.arch)) return;
	const result = await probe(ctx, 'dpkg --print-architecture');
	const found = result.stdout.trim();
	if (result.code === 0 && found) ctx.facts.set(factKeys.arch, found);
}

async function binariesReady(ctx: StepContext): Promise<boolean> {
	await ensureArch(ctx);
	if (ctx.cluster.etcd.source === 'package') {
		const state = await probe(ctx, installedStateCommand(etcdDistroPackages));
		if (missingPackages(etcdDistroPackages, state.stdout).length > 0) return false;
	}

	const bin = etcdBinDir(ctx.cluster);
	const result = await probe(ctx, sh(`${bin}/etcd --version; ${bin}/etcdctl version; getent passwd etcd >/dev/null && echo user=yes`));
	const versions = parseEtcdVersions(result.stdout);
	if (!versions.server || !versions.client || !/^user=yes$/m.test(result.stdout)) return false;
	if (ctx.cluster.etcd.source !== 'package' && (versions.server !== ctx.cluster.etcd.version || versions.client !== ctx.cluster.etcd.version)) return false;
	ctx.facts.set(factKeys.etcdVersion, versions.server);
	return true;
}

/** The host side of the upload source: read, check against SHA256SUMS when it sits beside, send, verify. */
async function uploadTarball(ctx: StepContext): Promise<void> {
	const configured = ctx.cluster.etcd.tarball;
	if (!configured) {
		throw new StepError(text('В pgha.yaml не задан etcd.tarball (он нужен для etcd.source: upload).', 'etcd.tarball is not set in pgha.yaml (needed for etcd.source: upload).'), text(
			'Укажите в pgha.yaml etcd.tarball: путь к etcd-vX.Y.Z-linux-amd64.tar.gz на этом компьютере.',
			'Set etcd.tarball in pgha.yaml: the path of etcd-vX.Y.Z-linux-amd64.tar.gz on this computer.'));
	}

	const path = resolve(dirname(ctx.cluster.file), configured);
	let data: Buffer;
	try {
		data = await readFile(path);
	} catch (error) {
		throw new StepError(text(
			`Не удаётся прочитать архив etcd ${path}: ${(error as Error).message}.`,
			`Cannot read the etcd tarball ${path}: ${(error as Error).message}.`), text(
			'Проверьте путь etcd.tarball в pgha.yaml.',
			'Check etcd.tarball in pgha.yaml.'));
	}

	const digest = sha256(data);
	const sums = await readFile(join(dirname(path), 'SHA256SUMS'), 'utf8').catch(() => undefined);
	if (sums !== undefined) {
		const listed = sums.split('\n').map(line => line.trim().split(/\s+\*?/)).find(([, name]) => name === basename(path))?.[0];
		if (listed !== undefined && listed !== digest) {
			throw new StepError(text(
				`Архив ${path} повреждён (контрольная сумма не совпала с SHA256SUMS).`,
				`${path} is damaged (its checksum differs from SHA256SUMS).`), text('Скачайте его заново.', 'Download it again.'));
		}

		if (listed === undefined) warn(ctx, text(`${basename(path)} нет в SHA256SUMS рядом с ним.`, `${basename(path)} is not listed in the SHA256SUMS beside it.`));
	}

	const [user, scratch] = uploadPlan();
	await runActions(ctx, [user!, scratch!]);
	await ctx.remote.upload(data, uploadedTarballPath, {mode: 0o644, owner: 'root', group: 'root'});
	await execute(ctx, sh(`echo '${digest}  ${uploadedTarballPath}' | sha256sum -c --strict -`), {sudo: true});
	await runActions(ctx, unpackPlan(uploadedTarballPath));
}

const installStep: Step = {
	id: 'etcd.install',
	title: text('Установка etcd', 'Install etcd'),
	explain: text(
		'download: архив релиза etcd скачивается прямо на узле (curl) и проверяется по SHA256SUMS, etcd и etcdctl ставятся в /usr/local/bin. upload: тот же архив берётся с вашего компьютера и передаётся по SFTP (для ВМ без интернета). package: пакеты etcd-server и etcd-client из дистрибутива.',
		'download: the etcd release tarball is fetched on the node itself (curl) and checked against SHA256SUMS; etcd and etcdctl go to /usr/local/bin. upload: the same tarball is taken from your computer and sent over SFTP (for VMs without internet). package: the distribution\'s etcd-server and etcd-client.'),
	scope: 'each-node',
	check: binariesReady,
	plan: installPlan,
	async apply(ctx) {
		await ensureArch(ctx);
		if (ctx.cluster.etcd.source === 'upload') await uploadTarball(ctx);
		else await runActions(ctx, installPlan(ctx), {onLine: progressLines(ctx, etcdProgress(ctx))});
	},
	async verify(ctx) {
		if (!await binariesReady(ctx)) {
			throw nodeError(ctx.node.name,
				text(`etcd ${ctx.cluster.etcd.source === 'package' ? '' : ctx.cluster.etcd.version + ' '}не установлен.`, `etcd ${ctx.cluster.etcd.source === 'package' ? '' : ctx.cluster.etcd.version + ' '}is not installed.`),
				text('Проверьте etcd.version и etcd.source в pgha.yaml и журнал шага.', 'Check etcd.version and etcd.source in pgha.yaml and the step log.'));
		}
	},
};

function configFiles(ctx: PlanContext): {config: Extract<Action, {kind: 'write'}>; unit: Extract<Action, {kind: 'write'}>; identity: Extract<Action, {kind: 'write'}>} {
	const input = etcdInput(ctx.cluster, ctx.node);
	return {
		config: writeAction(etcdConfigPath, renderEtcdConfig(input), 0o644),
		unit: writeAction(etcdUnitPath, renderEtcdUnit({etcdBinary: `${etcdBinDir(ctx.cluster)}/etcd`}), 0o644),
		identity: writeAction(etcdIdentityPath(input.dataDir), etcdDataIdentity(input), 0o644),
	};
}

function removesPackagedMember(cluster: ClusterConfig): boolean {
	return cluster.etcd.source === 'package' && etcdDataDir(cluster.name) !== packagedEtcdDataDir;
}

const startCommand = sh('systemctl reset-failed etcd 2>/dev/null; systemctl start --no-block etcd');
const restartCommand = sh('systemctl reset-failed etcd 2>/dev/null; systemctl restart --no-block etcd');

function directoriesPlan(cluster: ClusterConfig): Action[] {
	return [
		runAction('install -d -m 0755 /etc/etcd'),
		runAction('install -d -m 0700 -o etcd -g etcd /var/lib/etcd'),
		runAction(`install -d -m 0700 -o etcd -g etcd ${etcdDataDir(cluster.name)}`),
	];
}

export function configurePlan(ctx: PlanContext): Action[] {
	const files = configFiles(ctx);
	return [
		...removesPackagedMember(ctx.cluster) ? [runAction('systemctl stop etcd'), runAction(`rm -rf ${packagedEtcdDataDir}`)] : [],
		...directoriesPlan(ctx.cluster),
		files.config,
		files.identity,
		files.unit,
		runAction('systemctl daemon-reload'),
		runAction('systemctl enable etcd'),
		// --no-block: a new member is "started" only once a quorum exists, so waiting here would hang.
		runAction(restartCommand),
	];
}

export function etcdStateCommand(cluster: ClusterConfig): string {
	const dataDir = etcdDataDir(cluster.name);
	return sh([
		`if [ -d ${dataDir}/member ]; then echo member=yes; else echo member=no; fi`,
		`if [ -d ${packagedEtcdDataDir}/member ]; then echo packaged=yes; else echo packaged=no; fi`,
		'echo "enabled=$(systemctl is-enabled etcd 2>/dev/null)"',
		'echo "active=$(systemctl is-active etcd 2>/dev/null)"',
		// Which unit systemd has loaded: a run killed between writing pgha's unit and daemon-reload
		// leaves the package's unit loaded, and NeedDaemonReload does not notice a new override file.
		'echo "fragment=$(systemctl show -p FragmentPath --value etcd 2>/dev/null)"',
		'echo "reload=$(systemctl show -p NeedDaemonReload --value etcd 2>/dev/null)"',
	].join('\n'));
}

interface EtcdNodeState {
	readonly member: boolean;
	readonly packaged: boolean;
	readonly enabled: boolean;
	/** "activating" counts: a new member waits for its peers. */
	readonly running: boolean;
	readonly configOk: boolean;
	readonly unitOk: boolean;
	/** systemd runs pgha's unit file as it is on disk (no daemon-reload pending). */
	readonly unitLoaded: boolean;
	readonly identityOk: boolean;
}

async function etcdState(ctx: StepContext): Promise<EtcdNodeState> {
	const files = configFiles(ctx);
	const values = parseKeyValues((await probe(ctx, etcdStateCommand(ctx.cluster), {sudo: true})).stdout);
	const states = await readFileStates(ctx, [files.config.path, files.unit.path, files.identity.path]);
	return {
		member: values.get('member') === 'yes',
		packaged: removesPackagedMember(ctx.cluster) && values.get('packaged') === 'yes',
		enabled: values.get('enabled') === 'enabled',
		running: ['active', 'activating', 'reloading'].includes(values.get('active') ?? ''),
		configOk: fileMatches(states.get(files.config.path), files.config),
		unitOk: fileMatches(states.get(files.unit.path), files.unit),
		unitLoaded: unitLoaded(values.get('fragment'), values.get('reload')),
		identityOk: fileMatches(states.get(files.identity.path), files.identity),
	};
}

/** An empty fragment means no unit is loaded at all; systemd then reads the file on the next start. */
export function unitLoaded(fragment: string | undefined, needsReload: string | undefined): boolean {
	return (!fragment || fragment === etcdUnitPath) && needsReload !== 'yes';
}

function configured(state: EtcdNodeState): boolean {
	return state.configOk && state.unitOk && state.unitLoaded && state.identityOk && state.enabled && state.running && !state.packaged;
}

async function configure(ctx: StepContext): Promise<void> {
	const files = configFiles(ctx);
	const dataDir = etcdDataDir(ctx.cluster.name);
	let state = await etcdState(ctx);
	// A running member that already has exactly the planned member list is ours, marker or not.
	const live = state.member && !state.identityOk && state.running ? await healthProbe(ctx) : undefined;
	if (state.member && !state.identityOk && !(live && healthOk(ctx.cluster, live))) {
		if (!ctx.yes) {
			throw nodeError(ctx.node.name,
				text(`в ${dataDir} лежат данные etcd другого состава кластера (от прошлой попытки).`, `${dataDir} holds etcd data of a different member set (a previous attempt).`),
				text(`pgha удалит их только с вашего согласия: запустите pgha apply --yes или удалите сами: sudo systemctl stop etcd && sudo rm -rf ${dataDir}.`,
					`pgha erases it only with your consent: run pgha apply --yes, or remove it yourself: sudo systemctl stop etcd && sudo rm -rf ${dataDir}.`));
		}

		warn(ctx, text(`удаляю старые данные etcd в ${dataDir} (--yes).`, `erasing stale etcd data in ${dataDir} (--yes).`));
		await runActions(ctx, [runAction('systemctl stop etcd'), runAction(`rm -rf ${dataDir}`)]);
		state = {...state, member: false, running: false};
	}

	if (state.packaged) {
		// The package's single-node member on localhost: stopped and removed before clustering.
		await runActions(ctx, [runAction('systemctl stop etcd'), runAction(`rm -rf ${packagedEtcdDataDir}`)]);
		state = {...state, running: false};
	}

	await runActions(ctx, directoriesPlan(ctx.cluster));
	if (!state.configOk) await runActions(ctx, [files.config]);
	if (!state.identityOk) await runActions(ctx, [files.identity]);
	if (!state.unitOk) await runActions(ctx, [files.unit, runAction('systemctl daemon-reload')]);
	else if (!state.unitLoaded) await runActions(ctx, [runAction('systemctl daemon-reload')]);
	if (!state.enabled) await runActions(ctx, [runAction('systemctl enable etcd')]);
	if (!state.running) await runActions(ctx, [runAction(startCommand)]);
	else if (!state.configOk || !state.unitOk || !state.unitLoaded) await runActions(ctx, [runAction(restartCommand)]);
}

const configureStep: Step = {
	id: 'etcd.configure',
	title: text('Конфигурация и служба etcd', 'etcd configuration and service'),
	explain: text(
		'На каждом узле: /etc/etcd/etcd.conf.yml с адресами всех трёх участников и служба systemd etcd вместо nohup (она переживает выход из SSH и перезагрузку). Участники запускаются без ожидания друг друга: новый кластер готов, только когда запущено большинство. Для пакета etcd-server сначала останавливается и удаляется его автоматически запущенный одиночный участник. Если в каталоге данных остался кластер другого состава (неудачная попытка), pgha удаляет его только с согласия (--yes).',
		'On every node: /etc/etcd/etcd.conf.yml with the addresses of all three members and an etcd systemd service instead of nohup (it survives logout and reboot). Members start without waiting for each other: a new cluster is ready only once a majority runs. With the etcd-server package its auto-started single-node member is stopped and removed first. A data directory left with a different member set (a failed attempt) is erased only with consent (--yes).'),
	scope: 'each-node',
	async check(ctx) {
		return configured(await etcdState(ctx));
	},
	plan: configurePlan,
	apply: configure,
	async verify(ctx) {
		const state = await etcdState(ctx);
		if (!configured(state)) {
			throw nodeError(ctx.node.name,
				text('служба etcd не запущена с конфигурацией pgha.', 'the etcd service is not running with pgha\'s configuration.'),
				text(`Последние строки журнала: ${await journalTail(ctx, 'etcd', 5)}`, `Last journal lines: ${await journalTail(ctx, 'etcd', 5)}`));
		}
	},
};

export interface EtcdMemberInfo {
	readonly name: string;
	readonly peerURLs: readonly string[];
}

export function parseMemberList(stdout: string): EtcdMemberInfo[] | undefined {
	try {
		const parsed = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {members?: Array<{name?: string; peerURLs?: string[]}>};
		return (parsed.members ?? []).map(member => ({name: member.name ?? '', peerURLs: member.peerURLs ?? []}));
	} catch {
		return undefined;
	}
}

/** Exactly the planned members: same names, each with its planned peer URL. */
export function membersMatch(cluster: ClusterConfig, members: readonly EtcdMemberInfo[]): boolean {
	if (members.length !== cluster.nodes.length) return false;
	return cluster.nodes.every(node => members.some(member =>
		member.name === node.name && member.peerURLs.length === 1 && member.peerURLs[0] === `http://${node.ip}:${cluster.ports.etcdPeer}`));
}

interface HealthProbe {
	readonly healthy: boolean;
	readonly members?: EtcdMemberInfo[];
}

async function healthProbe(ctx: StepContext): Promise<HealthProbe> {
	const health = await probe(ctx, etcdctl(ctx.cluster, 'endpoint health'), {timeoutMs: 20_000});
	const healthy = health.code === 0 && /is healthy/.test(health.stdout + health.stderr);
	if (!healthy) return {healthy};
	const list = await probe(ctx, etcdctl(ctx.cluster, 'member list -w json'), {timeoutMs: 20_000});
	return {healthy, members: list.code === 0 ? parseMemberList(list.stdout) : undefined};
}

function healthOk(cluster: ClusterConfig, result: HealthProbe): boolean {
	return result.healthy && result.members !== undefined && membersMatch(cluster, result.members);
}

/** Known etcd errors in the journal, turned into what to do. */
export function diagnoseEtcd(journal: string, dataDir: string): {ru: string; en: string} {
	const wipe = `sudo systemctl stop etcd && sudo rm -rf ${dataDir} ${etcdIdentityPath(dataDir)}`;
	if (/has already been bootstrapped/.test(journal)) {
		return text(`данные этого участника удалены, а остальные уже образовали кластер. Пересоздайте кластер etcd: на каждом узле ${wipe}, затем pgha apply --from etcd.`,
			`this member's data was removed while the others already formed the cluster. Re-create the etcd cluster: on every node ${wipe}, then pgha apply --from etcd.`);
	}

	if (/cluster ?ID mismatch/i.test(journal)) {
		return text(`участники принадлежат разным кластерам etcd. На каждом узле ${wipe}, затем pgha apply --from etcd.`,
			`the members belong to different etcd clusters. On every node ${wipe}, then pgha apply --from etcd.`);
	}

	if (/address already in use/.test(journal)) {
		return text('порт etcd занят другим процессом: sudo ss -ltnp \'sport = :2379 or sport = :2380\'.', 'an etcd port is held by another process: sudo ss -ltnp \'sport = :2379 or sport = :2380\'.');
	}

	if (/permission denied/i.test(journal)) {
		return text(`у пользователя etcd нет прав на ${dataDir}: sudo chown -R etcd:etcd ${dataDir} && sudo chmod 700 ${dataDir}.`,
			`the etcd user cannot use ${dataDir}: sudo chown -R etcd:etcd ${dataDir} && sudo chmod 700 ${dataDir}.`);
	}

	return text('проверьте, что etcd запущен на всех узлах и порты 2379/2380 открыты между ними (journalctl -u etcd).',
		'check that etcd runs on every node and ports 2379/2380 are open between them (journalctl -u etcd).');
}

const healthStep: Step = {
	id: 'etcd.health',
	title: text('Кластер etcd здоров', 'etcd cluster healthy'),
	explain: text(
		'Ждёт (не дольше 2 минут), пока каждый участник ответит endpoint health, а member list покажет ровно три запланированных участника с их адресами.',
		'Waits (2 minutes at most) until every member answers endpoint health and member list shows exactly the three planned members with their addresses.'),
	scope: 'each-node',
	async check(ctx) {
		return healthOk(ctx.cluster, await healthProbe(ctx));
	},
	plan: () => [],
	async apply() {
		// Nothing to change: the members were started by etcd.configure; verify waits for them.
	},
	async verify(ctx) {
		let last: HealthProbe = {healthy: false};
		const ok = await waitFor(async () => {
			last = await healthProbe(ctx);
			return healthOk(ctx.cluster, last) ? true : undefined;
		}, {attempts: 120, intervalMs: 1000, signal: ctx.signal});
		if (ok) return;
		const dataDir = etcdDataDir(ctx.cluster.name);
		if (last.healthy && last.members) {
			const seen = last.members.map(member => `${member.name || '?'}=${member.peerURLs.join(',')}`).join(' ');
			throw nodeError(ctx.node.name,
				text(`etcd работает, но состав кластера не тот: ${seen}.`, `etcd runs, but with other members: ${seen}.`),
				text(`Это кластер от прошлой попытки: на каждом узле sudo systemctl stop etcd && sudo rm -rf ${dataDir} ${etcdIdentityPath(dataDir)}, затем pgha apply --from etcd.`,
					`It is a cluster from a previous attempt: on every node sudo systemctl stop etcd && sudo rm -rf ${dataDir} ${etcdIdentityPath(dataDir)}, then pgha apply --from etcd.`));
		}

		throw nodeError(ctx.node.name, text('etcd не стал здоровым за 2 минуты:', 'etcd did not become healthy within 2 minutes:'),
			diagnoseEtcd(await journalTail(ctx, 'etcd', 40), dataDir));
	},
};

/** What each etcd source needs from apt: the package itself, or the certificates to download the tarball. */
const etcdPackages: Record<ClusterConfig['etcd']['source'], readonly string[]> = {
	package: ['etcd-server', 'etcd-client'],
	download: ['ca-certificates'],
	upload: [],
};

export const etcdStage: Stage = {
	id: 'etcd',
	title: text('Кластер etcd', 'etcd cluster'),
	explain: text(
		'etcd хранит общее состояние кластера Patroni: кто лидер и какие настройки. Три участника переживают отказ одного.',
		'etcd holds the Patroni cluster\'s shared state: who the leader is and the settings. Three members survive the loss of one.'),
	differsFromGuide: text(
		'Вместо nohup etcd — служба systemd, каталог данных в /var/lib/etcd, а не в домашнем каталоге, и pgha ждёт здоровья всех участников.',
		'A systemd service replaces nohup etcd, the data lives in /var/lib/etcd instead of a home directory, and pgha waits for every member to be healthy.'),
	steps: [installStep, configureStep, healthStep],
	needs: {
		packages: cluster => etcdPackages[cluster.etcd.source],
		allPackages: () => Object.values(etcdPackages).flat(),
		ports: cluster => [cluster.ports.etcdClient, cluster.ports.etcdPeer].map(port => ({port, owners: ['etcd'], role: 'etcd', service: 'etcd.service'})),
		section: {
			keys: ['etcd.source', 'etcd.version', 'etcd.download_base', 'etcd.tarball', 'ports.etcd_client', 'ports.etcd_peer'],
			doc: text(
				'etcd.source: download — архив выпуска скачивается на узлы, upload — архив etcd.tarball с этого компьютера, package — пакет дистрибутива.',
				'etcd.source: download fetches the release tarball on the nodes, upload copies etcd.tarball from this computer, package uses the distribution\'s package.'),
			read: etcdSection,
		},
	},
};
