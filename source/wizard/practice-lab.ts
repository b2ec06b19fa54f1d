/**
 * The wizard's other answer to "where does the cluster live": a practice lab on this computer, for a
 * student with no VMs yet. pgha's own Debian nodes stand in for the three VMs; everything after the
 * cluster file (the stages, the test stage, the summary) is the same as for real machines.
 */
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {pghaPaths} from '../config/paths.ts';
import {addHostKey, forgetHost} from '../ssh/known-hosts.ts';
import type {ClusterAnswers} from '../config/load.ts';
import type {TimingPreset} from '../core/cluster.ts';
import {t, type Lang, type Text} from '../core/text.ts';
import {missingTools, installLine} from '../lab/host-check.ts';
import {labInstall} from '../lab/cluster-file.ts';
import {servedEtcdRelease} from '../lab/etcd-release.ts';
import {build} from '../lab/build.ts';
import {down, up} from '../lab/lab.ts';
import {readState} from '../lab/state.ts';
import {reporter, type Reporter} from '../lab/text.ts';
import {buildTools, mergedDir, defaultRelease, defaultNetPrefix, defaultNodeCount, labLayout, labUser, runTools, switchNetns, isLabRelease, type LabLayout, type LabRelease} from '../lab/settings.ts';
import type {Prompter} from './prompter.ts';
import {askFrontDoor} from './setup-questions.ts';

export type Whereabouts = 'machines' | 'lab';

export interface HostFacts {
	readonly platform: string;
	readonly uid: number | undefined;
	/** Commands the lab needs that this computer lacks (with their Debian packages). */
	readonly missing: ReadonlyArray<{readonly command: string; readonly pkg: string}>;
}

export function hostFacts(): HostFacts {
	return {platform: process.platform, uid: process.getuid?.(), missing: missingTools([...buildTools, ...runTools])};
}

/** Why the lab cannot run here, in one sentence that says what would make it possible; undefined when it can. */
export function practiceLabBlocker(facts: HostFacts): Text | undefined {
	if (facts.platform === 'win32') {
		return t(
			'на Windows её нет: узлы лаборатории — контейнеры Linux. Запустите pgha на Linux от root (может подойти WSL2 с включённым systemd) или возьмите три ВМ VirtualBox.',
			'not on Windows: the lab\'s nodes are Linux containers. Run pgha on Linux as root (WSL2 with systemd enabled may do), or use three VirtualBox VMs.',
		);
	}

	if (facts.platform !== 'linux') {
		return t(
			`нужен Linux (здесь ${facts.platform}): запустите pgha в Linux-ВМ от root или возьмите три ВМ.`,
			`it needs Linux (this is ${facts.platform}): run pgha in a Linux VM as root, or use three VMs.`,
		);
	}

	if (facts.uid !== 0) {
		return t(
			'нужны права root (сетевые пространства имён и systemd-nspawn): запустите мастер через sudo, например sudo npm start.',
			'it needs root (network namespaces and systemd-nspawn): start the wizard with sudo, e.g. sudo npm start.',
		);
	}

	if (facts.missing.length > 0) {
		const names = facts.missing.map(tool => tool.command).join(', ');
		const line = `apt-get update && ${installLine(facts.missing)}`;
		return t(`не хватает программ (${names}): установите их: ${line}`, `missing host tools (${names}): install them with: ${line}`);
	}

	return undefined;
}

export async function askWhereabouts(prompter: Prompter, lang: Lang, blocker: Text | undefined, say: (line: string) => void): Promise<Whereabouts> {
	const ru = lang === 'ru';
	if (blocker) say(`${ru ? 'Практическая лаборатория здесь недоступна' : 'The practice lab is not available here'}: ${blocker[lang]}\n`);
	return prompter.select<Whereabouts>({
		message: ru ? 'Где будет кластер?' : 'Where will the cluster live?',
		choices: [
			{value: 'machines', name: ru ? 'На моих трёх ВМ (или серверах)' : 'On my three VMs (or servers)'},
			{
				value: 'lab',
				name: ru ? 'В практической лаборатории на этом компьютере' : 'In a practice lab on this computer',
				description: ru ? 'Узлы Debian в контейнерах вместо ВМ: для репетиции, когда ВМ ещё нет' : 'Debian nodes in containers instead of VMs: a rehearsal before you have VMs',
				...(blocker ? {disabled: ru ? '(недоступно: см. выше)' : '(not available: see above)'} : {}),
			},
		],
		default: 'machines',
	});
}

export interface PracticeLabAnswers {
	readonly release: LabRelease;
	readonly timingPreset: TimingPreset;
	readonly synchronousMode: boolean;
	readonly haproxy: NonNullable<ClusterAnswers['haproxy']>;
}

/** The lab's nodes, as the cluster file will name them. */
export function practiceLabLayout(release: LabRelease): LabLayout {
	return labLayout(defaultNetPrefix, defaultNodeCount, release);
}

/** Only what a student would want to choose: the nodes, users and sources are the lab's. */
export async function askPracticeLab(prompter: Prompter, lang: Lang): Promise<PracticeLabAnswers> {
	const ru = lang === 'ru';
	const release = await prompter.select<LabRelease>({
		message: ru ? 'PostgreSQL на узлах лаборатории' : 'PostgreSQL on the lab\'s nodes',
		choices: [
			{value: 'trixie', name: ru ? 'PostgreSQL 17 на Debian 13' : 'PostgreSQL 17 on Debian 13', description: ru ? 'Patroni из pip и etcd из архива релиза, как в методичке' : 'Patroni from pip and etcd from the release tarball, as in the guide'},
			{value: 'bookworm', name: ru ? 'PostgreSQL 15 на Debian 12' : 'PostgreSQL 15 on Debian 12', description: ru ? 'Patroni и etcd из пакетов дистрибутива' : 'Patroni and etcd from the distribution\'s packages'},
		],
		default: 'trixie',
	});
	const timingPreset = await prompter.select<TimingPreset>({
		message: ru ? 'Как быстро переключаться при отказе' : 'How quickly to fail over',
		choices: [
			{value: 'default', name: ru ? 'Обычно (ttl 30 с)' : 'Standard (ttl 30 s)', description: ru ? 'Потеря лидера — около полуминуты без записи' : 'A lost leader means about half a minute without writes'},
			{value: 'fast', name: ru ? 'Быстро (ttl 20 с)' : 'Fast (ttl 20 s)', description: ru ? 'Простой короче, но под нагрузкой чаще ложные переключения' : 'A shorter outage, but more false failovers under load'},
		],
		default: 'default',
	});
	const synchronous = await prompter.select<'no' | 'yes'>({
		message: ru ? 'Синхронная репликация' : 'Synchronous replication',
		choices: [
			{value: 'no', name: ru ? 'Нет, как в методичке' : 'No, as in the guide', description: ru ? 'При отказе можно потерять последние подтверждённые транзакции' : 'A failover may lose the last acknowledged transactions'},
			{value: 'yes', name: ru ? 'Да' : 'Yes', description: ru ? 'Коммит ждёт реплику: отказ не теряет данных, но без живой реплики запись встаёт' : 'A commit waits for a replica: a failover loses nothing, but writes stop with no live replica'},
		],
		default: 'no',
	});
	const haproxy = await askFrontDoor(prompter, lang, practiceLabLayout(release).nodes);
	return {release, timingPreset, synchronousMode: synchronous === 'yes', haproxy};
}

/** The cluster file for the lab: its nodes and login, its own package sources, the student's choices. */
export function practiceLabCluster(answers: PracticeLabAnswers, etcdVersion = servedEtcdRelease(answers.release)?.version): ClusterAnswers {
	const layout = practiceLabLayout(answers.release);
	const install = labInstall(layout, etcdVersion);
	return {
		name: 'pg-cluster',
		nodes: layout.nodes.map(node => ({name: node.name, ip: node.ip, sshPort: 22, sshUser: labUser, auth: {kind: 'password' as const}})),
		postgresVersion: 'auto',
		patroni: install.patroni,
		etcd: install.etcd,
		haproxy: answers.haproxy,
		...(answers.timingPreset === 'default' ? {} : {timingPreset: answers.timingPreset}),
		synchronousMode: answers.synchronousMode,
		lab: {netns: switchNetns, release: answers.release},
	};
}

/** The lab release a cluster file was written for; files from `pgha lab up` name none. */
export function releaseOf(lab: {readonly release?: string}): LabRelease | undefined {
	return lab.release && isLabRelease(lab.release) ? lab.release : undefined;
}

export interface ReadyLabOptions {
	/** Undefined for a file from `pgha lab up`, which names none: the lab running for it, else the default. */
	readonly release: LabRelease | undefined;
	readonly clusterFile: string;
	readonly lang: Lang;
	/** A resumed run keeps a lab already up for its file; a new cluster never starts on used nodes. */
	readonly reuseRunning: boolean;
	/** Asked before nodes another cluster file may be using are powered off; false stops the wizard. */
	readonly confirmRestart: (question: string) => Promise<boolean>;
	readonly report?: Reporter;
	/** Runs once the build is done, before the nodes boot (the wizard writes the cluster file here). */
	readonly beforeUp?: () => Promise<void>;
}

export type LabReadiness = 'ready' | 'declined';

/**
 * Builds what is missing (cached after the first time) and brings the lab up for this cluster file.
 * On resume, a lab already up for this file and release is used as it is.
 */
export async function readyLab(options: ReadyLabOptions): Promise<LabReadiness> {
	const {lang} = options;
	const report = options.report ?? reporter(lang);
	const clusterFile = path.resolve(options.clusterFile);
	const running = readState();
	const ownLab = running?.phase === 'up' && running.clusterFile === clusterFile;
	const release = options.release ?? (ownLab ? running.release : defaultRelease);
	if (options.reuseRunning && ownLab && running.release === release) return 'ready';
	if (running) {
		const ru = lang === 'ru';
		const question = ru
			? `Лаборатория уже запущена (Debian ${running.release}, файл ${running.clusterFile}). Выключить её узлы и поднять свежие для этого кластера?`
			: `The lab is already up (Debian ${running.release}, file ${running.clusterFile}). Power its nodes off and start fresh ones for this cluster?`;
		if (!(await options.confirmRestart(question))) return 'declined';
		await down(report);
	}

	await build({force: false, release}, report);
	await options.beforeUp?.();
	await up({release, nodes: defaultNodeCount, prefix: defaultNetPrefix, output: clusterFile, keepClusterFile: true}, report);
	trustLabHostKeys(pghaPaths(clusterFile).knownHostsFile, practiceLabLayout(release));
	return 'ready';
}

/**
 * The lab made its nodes' host keys on this computer, so they are known without asking (a student
 * rehearsing is not asked to trust them); the keys of earlier lab nodes at the same addresses go.
 */
export function trustLabHostKeys(knownHostsFile: string, layout: LabLayout): void {
	for (const node of layout.nodes) {
		forgetHost(knownHostsFile, node.ip, 22);
		for (const kind of ['ed25519', 'ecdsa', 'rsa']) {
			const file = path.join(mergedDir(node), 'etc/ssh', `ssh_host_${kind}_key.pub`);
			if (!existsSync(file)) continue;
			const base64 = readFileSync(file, 'utf8').trim().split(/\s+/)[1];
			if (base64) addHostKey(knownHostsFile, node.ip, 22, Buffer.from(base64, 'base64'));
		}
	}
}
