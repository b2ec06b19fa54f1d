/**
 * Stage "VirtualBox checks" (guide: creating the VMs): read-only. When VBoxManage is on this computer,
 * each node's VM is found and its memory, CPUs, first adapter and power state are checked.
 */
import {findingsError, type Finding} from '../source/host/findings.ts';
import {hostEnv, type ExistsFn, type HostEnv} from '../source/host/platform.ts';
import {runFile, type RunFile} from '../source/host/run-file.ts';
import {checkVm, duplicateMacs, matchVms, type NodeVm} from '../source/host/vbox-checks.ts';
import {findVBoxManage, readVms, VBoxManageError} from '../source/host/vbox.ts';
import {bilingual} from '../source/core/text.ts';
import type {Stage, Step, StepContext, Text} from './types.ts';

export interface VirtualboxStageOptions {
	readonly host?: Partial<HostEnv>;
	readonly run?: RunFile;
	readonly exists?: ExistsFn;
}

export interface VirtualboxReport {
	/** Path of VBoxManage; undefined when VirtualBox is not on this computer. */
	readonly vboxManage?: string;
	/** Why the VMs could not be read (VBoxManage failed); the stage still passes. */
	readonly error?: string;
	readonly matches: readonly NodeVm[];
	readonly findings: readonly Finding[];
}

/** All MACs of a node's interfaces, read over its connection; none when it cannot be reached. */
async function nodeMacs(ctx: StepContext, nodes: readonly string[]): Promise<Map<string, string[]>> {
	const macs = new Map<string, string[]>();
	await Promise.all(
		nodes.map(async name => {
			const remote = ctx.remotes.get(name);
			if (!remote) return;
			try {
				const result = await remote.exec('cat /sys/class/net/*/address', {allowFailure: true, timeoutMs: 15_000, signal: ctx.signal});
				macs.set(name, result.stdout.split(/\s+/).filter(Boolean));
			} catch {
				// An unreachable node simply cannot be matched by MAC.
			}
		}),
	);
	return macs;
}

export async function inspectVirtualbox(
	ctx: StepContext,
	host: HostEnv,
	run: RunFile = runFile,
	exists?: ExistsFn,
): Promise<VirtualboxReport> {
	const vboxManage = findVBoxManage(host, exists);
	if (!vboxManage) return {matches: [], findings: []};
	let vms;
	try {
		vms = await readVms(run, vboxManage);
	} catch (error) {
		if (error instanceof VBoxManageError) return {vboxManage, error: error.message, matches: [], findings: []};
		throw error;
	}

	const byName = matchVms(ctx.cluster.nodes, vms);
	const unmatched = byName.filter(match => !match.vm).map(match => match.node);
	const matches = unmatched.length === 0 ? byName : matchVms(ctx.cluster.nodes, vms, await nodeMacs(ctx, unmatched));
	const findings = [...matches.flatMap(match => (match.vm ? checkVm(match.node, match.vm) : [])), ...duplicateMacs(matches)];
	return {vboxManage, matches, findings};
}

function describeMatch(match: NodeVm): Text {
	const vm = match.vm;
	if (!vm) {
		return {
			ru: `${match.node}: ВМ с таким именем или MAC-адресом в VirtualBox на этом компьютере нет, проверка пропущена.`,
			en: `${match.node}: no VirtualBox VM on this computer has this name or MAC address; not checked.`,
		};
	}

	const nic = vm.nics.find(candidate => candidate.index === 1);
	const summary = `${vm.memoryMb ?? '?'} MB, ${vm.cpus ?? '?'} CPU, nic1 ${nic?.attachment ?? 'none'}${nic?.bridgeAdapter ? ` (${nic.bridgeAdapter})` : ''}, ${vm.state}`;
	return match.by === 'mac'
		? {ru: `${match.node}: ВМ «${vm.name}» (найдена по MAC-адресу): ${summary}.`, en: `${match.node}: VM "${vm.name}" (found by MAC address): ${summary}.`}
		: {ru: `${match.node}: ВМ «${vm.name}»: ${summary}.`, en: `${match.node}: VM "${vm.name}": ${summary}.`};
}

export function createVirtualboxStage(options: VirtualboxStageOptions = {}): Stage {
	const host = hostEnv(options.host);
	const inspect = async (ctx: StepContext) => inspectVirtualbox(ctx, host, options.run, options.exists);

	const step: Step = {
		id: 'host-virtualbox',
		title: {ru: 'Настройки ВМ в VirtualBox', en: 'VM settings in VirtualBox'},
		explain: {
			ru: 'Если на этом компьютере есть VBoxManage, pgha находит ВМ каждого узла (по имени, иначе по MAC-адресу) и проверяет, что у неё не меньше 2048 МБ памяти и 2 процессоров, Адаптер 1 подключён как «Сетевой мост» и она запущена. Ничего не меняется: для каждой проблемы показывается, где её исправить. Без VirtualBox шаг просто пропускается.',
			en: 'When VBoxManage is on this computer, pgha finds each node\'s VM (by name, else by MAC address) and checks it has at least 2048 MB of memory and 2 CPUs, Adapter 1 attached to "Bridged Adapter", and that it runs. Nothing is changed: every problem comes with where to fix it. Without VirtualBox the step is simply skipped.',
		},
		scope: 'host',
		safeToSkip: true,
		async check(ctx) {
			return (await inspect(ctx)).findings.length === 0;
		},
		plan() {
			return [];
		},
		async apply() {
			// Read-only: VirtualBox settings are changed by the user, with the menus the findings name.
		},
		async verify(ctx) {
			const report = await inspect(ctx);
			if (!report.vboxManage) {
				ctx.log(bilingual({ru: 'VBoxManage не найден: проверка VirtualBox пропущена.', en: 'VBoxManage not found: the VirtualBox check is skipped.'}));
				return;
			}

			if (report.error) {
				ctx.log(bilingual({ru: `VirtualBox не ответил, проверка пропущена: ${report.error}`, en: `VirtualBox did not answer, check skipped: ${report.error}`}));
				return;
			}

			for (const match of report.matches) ctx.log(bilingual(describeMatch(match)));
			if (report.findings.length > 0) throw findingsError(report.findings);
		},
	};

	return {
		id: 'virtualbox',
		title: {ru: 'Проверка ВМ в VirtualBox', en: 'VirtualBox VM check'},
		explain: {
			ru: 'Сверяет настройки виртуальных машин с тем, что нужно курсу: память, процессоры, сетевой мост, запуск.',
			en: 'Compares the virtual machines\' settings with what the course needs: memory, CPUs, bridged network, running.',
		},
		differsFromGuide: {
			ru: 'В руководстве настройки проверяются глазами в окне VirtualBox; pgha читает их через VBoxManage и ничего не меняет.',
			en: 'The guide checks the settings by eye in the VirtualBox window; pgha reads them through VBoxManage and changes nothing.',
		},
		steps: [step],
	};
}

export const virtualboxStage: Stage = createVirtualboxStage();
