/** The lab's operations: up, down, reset, status and the fault commands, on top of the parts. */
import {spawn} from 'node:child_process';
import {mkdirSync, rmdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {planBuild} from './build.ts';
import {mayWrite, writeClusterFile} from './cluster-file.ts';
import {requireDisk, requireTools} from './host-check.ts';
import {lock, unlock} from './lock.ts';
import {isMountPoint, labMounts, unmount} from './mounts.ts';
import {createNodeNetwork, createSwitch, deleteNetns, labNetnsNames, linkIsUp, removeSwitchEtc, resetNodeAddresses, setLink, switchAlive} from './network.ts';
import {bootNode, cgroupParents, consoleLog, consoleTail, leaderPid, nodeRunning, prepareNode, readiness, stopNode, waitReady, wipeNode, type Readiness} from './node.ts';
import {run} from './process.ts';
import {runningServerPid, startRepoServer, stopRepoServer} from './repo-server.ts';
import {
	bootTimeoutMs, defaultRelease, labLayout, labPassword, maxNodes, nodeSpec, nodesDir, nspawnRunDir, nspawnTmpfsSource, opLockFile,
	runDir, runTools, stopGraceMs, switchNetns, upFreeMb, type LabLayout, type LabRelease, type NodeSpec,
} from './settings.ts';
import {labIsUp, layoutOf, readState, writeState, type LabState} from './state.ts';
import {LabError, t, type Reporter} from './text.ts';

/** Lab commands change shared state: one at a time. */
async function exclusive<T>(work: () => Promise<T>): Promise<T> {
	if (!(await lock(opLockFile, 120_000))) {
		throw new LabError(t('Другая команда pgha lab всё ещё работает; повторите позже.', 'Another pgha lab command is still running; try again later.'));
	}

	try {
		return await work();
	} finally {
		unlock(opLockFile);
	}
}

function requireUp(): {state: LabState; layout: LabLayout} {
	const state = readState();
	if (!state) throw new LabError(t('Лаборатория не запущена. Запустите: pgha lab up', 'The lab is not up. Start it with: pgha lab up'), 'notReady');
	return {state, layout: layoutOf(state)};
}

/** "2" or "pg-node-2" to the node's spec; anything else is a usage error. */
export function pickNode(layout: LabLayout, argument: string | undefined): NodeSpec {
	const match = /^(?:pg-node-)?(\d+)$/.exec(argument ?? '');
	const node = match ? layout.nodes.find(candidate => candidate.index === Number(match[1])) : undefined;
	if (!node) {
		const names = layout.nodes.map(candidate => candidate.index).join(', ');
		throw new LabError(t(`Укажите номер узла: ${names}.`, `Name a node by number: ${names}.`), 'usage');
	}

	return node;
}

export interface UpOptions {
	readonly release: LabRelease;
	readonly nodes: number;
	readonly prefix: string;
	readonly output: string;
	/** The caller owns `output` (the wizard wrote it with the student's answers): leave it as it is. */
	readonly keepClusterFile?: boolean;
}

async function bootAll(nodes: readonly NodeSpec[], layout: LabLayout, fresh: boolean, report: Reporter): Promise<void> {
	await Promise.all(nodes.map(async node => {
		await prepareNode(node, layout, fresh);
		await resetNodeAddresses(node);
		await bootNode(node);
	}));
	report.line(t('Узлы загружаются, жду ответа sshd…', 'Nodes are booting, waiting for sshd to answer…'));
	const failed = await waitReady(nodes, bootTimeoutMs, node => report.line(t(`${node.name} (${node.ip}) готов`, `${node.name} (${node.ip}) is ready`)));
	if (failed.length > 0) {
		for (const node of failed) process.stderr.write(`--- ${consoleLog(node)}\n${consoleTail(node)}\n`);
		throw new LabError(t(
			`Не загрузились: ${failed.map(node => node.name).join(', ')} (консоль узла выше).`,
			`Did not boot: ${failed.map(node => node.name).join(', ')} (the node console is above).`,
		));
	}
}

/**
 * The lab's records are there but nothing of it runs: the machine rebooted, or its disk was copied
 * while the lab was up (/run is not always a tmpfs). Those records only stand in the way of `up`.
 */
async function leftFromEarlierBoot(): Promise<boolean> {
	return !(await switchAlive()) && runningServerPid() === undefined && allPossibleNodes().every(node => !nodeRunning(node));
}

export async function up(options: UpOptions, report: Reporter): Promise<void> {
	requireTools(runTools);
	if (labIsUp() && (await leftFromEarlierBoot())) {
		report.line(t('Найдены записи лаборатории, от которой ничего не работает (перезагрузка?): убираю их', 'Found the records of a lab of which nothing runs (a reboot?): removing them'));
		await exclusive(async () => teardown(report));
	}

	if (labIsUp()) {
		throw new LabError(t(
			'Лаборатория уже запущена. Состояние: pgha lab status; свежие узлы: pgha lab reset; остановить: pgha lab down',
			'The lab is already up. See pgha lab status; fresh nodes: pgha lab reset; stop it: pgha lab down',
		));
	}

	const plan = await planBuild(options.release, false);
	if (plan.repo || plan.rootfs || plan.etcd || plan.pypi) {
		const build = `pgha lab build${options.release === defaultRelease ? '' : ` --release ${options.release}`}`;
		throw new LabError(t(`Лаборатория ${options.release} не собрана или устарела. Сначала: ${build}`, `The ${options.release} lab is not built or out of date. First run: ${build}`));
	}

	const output = path.resolve(options.output);
	if (!options.keepClusterFile && !mayWrite(output)) {
		throw new LabError(t(
			`${output} уже есть и записан не pgha lab: не перезаписываю. Укажите другой файл: -o lab.yaml`,
			`${output} exists and was not written by pgha lab: not overwriting it. Choose another file: -o lab.yaml`,
		));
	}

	mkdirSync(nodesDir, {recursive: true});
	requireDisk(nodesDir, upFreeMb);
	await exclusive(async () => {
		if (labIsUp()) throw new LabError(t('Лаборатория уже запущена.', 'The lab is already up.'));
		const layout = labLayout(options.prefix, options.nodes, options.release);
		const state: LabState = {
			version: 1,
			release: options.release,
			prefix: options.prefix,
			nodeCount: options.nodes,
			switchNetns,
			switchIp: layout.switchIp,
			clusterFile: output,
			startedAt: new Date().toISOString(),
			phase: 'starting',
		};
		// Recorded first: whatever follows can be undone by `down`, even after a crash.
		writeState(state);
		try {
			if (!isMountPoint(nspawnRunDir)) {
				mkdirSync(nspawnRunDir, {recursive: true});
				await run('mount', ['-t', 'tmpfs', '-o', 'mode=0755,size=16m', nspawnTmpfsSource, nspawnRunDir]);
			}

			report.line(t(`Сеть: ${switchNetns} (${layout.switchIp}), без выхода наружу`, `Network: ${switchNetns} (${layout.switchIp}), no way out`));
			await createSwitch(layout);
			for (const node of layout.nodes) await createNodeNetwork(node);
			await startRepoServer(layout.switchIp, layout.release);
			report.line(t(`Узлы: Debian ${layout.release}; репозиторий apt: http://${layout.switchIp}/debian`, `Nodes: Debian ${layout.release}; apt repository: http://${layout.switchIp}/debian`));
			await bootAll(layout.nodes, layout, true, report);
			if (!options.keepClusterFile) writeClusterFile(output, layout);
			writeState({...state, phase: 'up'});
		} catch (error) {
			report.line(t('Запуск не удался, убираю то, что успел создать…', 'Start-up failed, removing what was created…'));
			await teardown(report);
			throw error;
		}

		if (options.keepClusterFile) return;
		report.line(t(`Файл кластера: ${output}`, `Cluster file: ${output}`));
		report.line(t(
			`Пароль SSH пользователя student: ${labPassword} (export PGHA_SSH_PASSWORD=${labPassword}, чтобы не спрашивал). Дальше: pgha -c ${output}`,
			`SSH password of user student: ${labPassword} (export PGHA_SSH_PASSWORD=${labPassword} to skip the prompt). Next: pgha -c ${output}`,
		));
	});
}

/** Every node the lab may have created, whatever the state file says (it may be gone after a crash). */
function allPossibleNodes(): NodeSpec[] {
	const state = readState();
	const count = Math.max(maxNodes, state?.nodeCount ?? 0);
	return Array.from({length: count}, (_, i) => nodeSpec(state?.prefix ?? '0.0.0', i + 1));
}

/** Removes everything the lab created; safe to run on a half-built or already removed lab. */
async function teardown(report: Reporter): Promise<void> {
	const nodes = allPossibleNodes();
	const running = nodes.filter(node => nodeRunning(node));
	if (running.length > 0) report.line(t(`Выключаю узлы: ${running.map(node => node.name).join(', ')}`, `Powering off: ${running.map(node => node.name).join(', ')}`));
	await Promise.all(nodes.map(async node => {
		await stopNode(node, stopGraceMs);
		await wipeNode(node);
	}));
	await stopRepoServer();
	for (const name of await labNetnsNames()) await deleteNetns(name);
	removeSwitchEtc();
	for (const entry of labMounts()) await unmount(entry.point);
	rmSync(runDir, {recursive: true, force: true});
	for (const dir of [...cgroupParents(), nodesDir, path.dirname(nodesDir), '/etc/netns']) removeIfEmpty(dir);
}

function removeIfEmpty(dir: string): void {
	try {
		rmdirSync(dir);
	} catch {}
}

export async function down(report: Reporter): Promise<void> {
	requireTools(runTools);
	await exclusive(async () => {
		await teardown(report);
		report.line(t('Лаборатория остановлена и убрана.', 'The lab is down and removed.'));
	});
}

export async function reset(report: Reporter): Promise<void> {
	const {layout} = requireUp();
	await exclusive(async () => {
		report.line(t('Выбрасываю узлы (они будут пересозданы)…', 'Discarding the nodes (they will be recreated)…'));
		await Promise.all(layout.nodes.map(async node => {
			// The overlays are thrown away, so a clean poweroff would only cost time.
			await stopNode(node, 0);
			await setLink(node, true);
		}));
		// Fresh nodes are useless without their apt repository: bring the server back if it died.
		if (runningServerPid() === undefined) {
			report.line(t('Сервер репозитория apt не работал: запускаю заново', 'The apt repository server was not running: starting it again'));
			await startRepoServer(layout.switchIp, layout.release);
		}

		await bootAll(layout.nodes, layout, true, report);
		report.line(t('Узлы снова свежие.', 'The nodes are fresh again.'));
	});
}

export async function stopNodeCommand(argument: string | undefined, report: Reporter): Promise<void> {
	const {layout} = requireUp();
	const node = pickNode(layout, argument);
	await exclusive(async () => {
		if (!nodeRunning(node)) {
			report.line(t(`${node.name} уже выключен.`, `${node.name} is already powered off.`));
			return;
		}

		report.line(t(`Выключаю ${node.name}…`, `Powering off ${node.name}…`));
		await stopNode(node, stopGraceMs);
		// A powered-off VM does not answer at all; with its port up, the node's empty namespace would
		// refuse connections and look like a running VM without an SSH server.
		await setLink(node, false);
		report.line(t(`${node.name} выключен (данные сохранены; включить: pgha lab start-node ${node.index}).`, `${node.name} is off (data kept; power on: pgha lab start-node ${node.index}).`));
	});
}

export async function startNodeCommand(argument: string | undefined, report: Reporter): Promise<void> {
	const {layout} = requireUp();
	const node = pickNode(layout, argument);
	await exclusive(async () => {
		if (nodeRunning(node)) {
			report.line(t(`${node.name} уже включён.`, `${node.name} is already running.`));
			return;
		}

		await setLink(node, true);
		await bootAll([node], layout, false, report);
	});
}

export async function linkCommand(argument: string | undefined, connected: boolean, report: Reporter): Promise<void> {
	const {layout} = requireUp();
	const node = pickNode(layout, argument);
	await exclusive(async () => {
		await setLink(node, connected);
		report.line(connected
			? t(`${node.name} снова в сети.`, `${node.name} is connected again.`)
			: t(`${node.name} отрезан от сети (вернуть: pgha lab heal ${node.index}).`, `${node.name} is cut off the network (undo: pgha lab heal ${node.index}).`));
	});
}

export interface NodeStatus {
	readonly name: string;
	readonly ip: string;
	readonly state: Readiness;
	readonly connected: boolean;
}

export interface LabStatus {
	readonly up: boolean;
	readonly state?: LabState;
	readonly switchUp: boolean;
	readonly repoServer: boolean;
	readonly nodes: readonly NodeStatus[];
}

export async function status(): Promise<LabStatus> {
	const state = readState();
	if (!state) return {up: false, switchUp: await switchAlive(), repoServer: runningServerPid() !== undefined, nodes: []};
	const nodes = await Promise.all(layoutOf(state).nodes.map(async node => {
		const connected = await linkIsUp(node);
		// sshd cannot answer through a cut cable: then "up" means the node's systemd runs.
		const state: Readiness = connected ? await readiness(node) : (nodeRunning(node) ? 'ready' : 'down');
		return {name: node.name, ip: node.ip, state, connected};
	}));
	return {up: true, state, switchUp: await switchAlive(), repoServer: runningServerPid() !== undefined, nodes};
}

/**
 * nsenter's argv for a root command inside the node's namespaces (no SSH involved), with a clean
 * environment. One command argument is a shell line (pipes, &&); several are run as they are.
 */
export function nodeExecArgv(node: NodeSpec, command: readonly string[]): string[] {
	const leader = leaderPid(node);
	if (leader === undefined) throw new LabError(t(`${node.name} выключен.`, `${node.name} is powered off.`));
	const argv = command.length === 1 ? ['/bin/sh', '-c', command[0]!] : [...command];
	const env = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'LANG=C.UTF-8', 'USER=root', 'LOGNAME=root'];
	if (process.env.TERM) env.push(`TERM=${process.env.TERM}`);
	return ['--target', String(leader), '--all', '--root', '--wd', '--', '/usr/bin/env', '-i', ...env, ...argv];
}

/** `pgha lab exec N -- CMD`: the terminal is passed through; resolves with the command's exit code. */
export async function execInNode(argument: string | undefined, command: readonly string[]): Promise<number> {
	const {layout} = requireUp();
	const node = pickNode(layout, argument);
	if (command.length === 0) throw new LabError(t('Нет команды: pgha lab exec N -- КОМАНДА', 'No command: pgha lab exec N -- COMMAND'), 'usage');
	const child = spawn('nsenter', nodeExecArgv(node, command), {stdio: 'inherit'});
	return new Promise(resolve => {
		child.on('error', () => resolve(127));
		child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
	});
}
