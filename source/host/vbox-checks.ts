/**
 * Which VirtualBox VM is which node, and what in its settings breaks the course: memory, CPUs, the
 * first adapter's attachment and cable, the power state, MACs shared by clones.
 * Every finding names the VirtualBox menu that fixes it (English and Russian UI names).
 */
import type {Text} from '../core/text.ts';
import type {NodeConfig} from '../core/cluster.ts';
import type {Finding} from './findings.ts';
import {normalizeMac, type VmInfo} from './vbox.ts';

export const minimumMemoryMb = 2048;
export const minimumCpus = 2;

export interface NodeVm {
	readonly node: string;
	readonly vm?: VmInfo;
	readonly by?: 'name' | 'mac';
}

/**
 * By VM name first (exact, then ignoring case), else by a MAC the node reported. A VM serves one node
 * only. `nodeMacs` holds the MACs read on each reachable node (any notation).
 */
export function matchVms(
	nodes: readonly NodeConfig[],
	vms: readonly VmInfo[],
	nodeMacs: ReadonlyMap<string, readonly string[]> = new Map(),
): NodeVm[] {
	const taken = new Set<string>();
	const matches = new Map<string, NodeVm>();
	const claim = (node: string, vm: VmInfo, by: 'name' | 'mac') => {
		taken.add(vm.uuid);
		matches.set(node, {node, vm, by});
	};

	for (const node of nodes) {
		const vm = vms.find(candidate => candidate.name === node.name && !taken.has(candidate.uuid));
		if (vm) claim(node.name, vm, 'name');
	}

	for (const node of nodes) {
		if (matches.has(node.name)) continue;
		const vm = vms.find(candidate => candidate.name.toLowerCase() === node.name.toLowerCase() && !taken.has(candidate.uuid));
		if (vm) claim(node.name, vm, 'name');
	}

	for (const node of nodes) {
		if (matches.has(node.name)) continue;
		const macs = new Set((nodeMacs.get(node.name) ?? []).map(mac => normalizeMac(mac)).filter(Boolean));
		if (macs.size === 0) continue;
		const vm = vms.find(candidate => !taken.has(candidate.uuid) && candidate.nics.some(nic => nic.mac && macs.has(nic.mac)));
		if (vm) claim(node.name, vm, 'mac');
	}

	return nodes.map(node => matches.get(node.name) ?? {node: node.name});
}

const attachmentNames: Record<string, Text> = {
	nat: {ru: 'NAT', en: 'NAT'},
	natnetwork: {ru: 'Сеть NAT', en: 'NAT Network'},
	hostonly: {ru: 'Виртуальный адаптер хоста', en: 'Host-only Adapter'},
	hostonlynetwork: {ru: 'Сеть только для хоста', en: 'Host-only Network'},
	intnet: {ru: 'Внутренняя сеть', en: 'Internal Network'},
	generic: {ru: 'Универсальный драйвер', en: 'Generic Driver'},
	bridged: {ru: 'Сетевой мост', en: 'Bridged Adapter'},
};

function stateFix(vm: VmInfo): Finding['text'] | undefined {
	const name = vm.name;
	switch (vm.state) {
		case 'running':
			return undefined;
		case 'paused':
			return {
				ru: `ВМ «${name}» приостановлена: в её окне выберите Машина > Приостановить, чтобы она продолжила работу.`,
				en: `VM "${name}" is paused: in its window choose Machine > Pause again to resume it.`,
			};
		case 'saved':
		case 'aborted-saved':
			return {
				ru: `ВМ «${name}» сохранена, но не запущена: выберите её в окне VirtualBox и нажмите «Запустить».`,
				en: `VM "${name}" is saved but not running: select it in VirtualBox Manager and click Start.`,
			};
		default:
			return {
				ru: `ВМ «${name}» не запущена (состояние ${vm.state}): выберите её в окне VirtualBox и нажмите «Запустить».`,
				en: `VM "${name}" is not running (state ${vm.state}): select it in VirtualBox Manager and click Start.`,
			};
	}
}

/** Problems of one VM, each one sentence with the fix. */
export function checkVm(node: string, vm: VmInfo): Finding[] {
	const findings: Finding[] = [];
	const name = vm.name;
	const add = (text: Finding['text']) => findings.push({node, text});
	if (vm.memoryMb !== undefined && vm.memoryMb < minimumMemoryMb) {
		add({
			ru: `У ВМ «${name}» ${vm.memoryMb} МБ памяти, а нужно не меньше ${minimumMemoryMb}: выключите её и задайте Настроить > Система > Материнская плата > Основная память: ${minimumMemoryMb} МБ.`,
			en: `VM "${name}" has ${vm.memoryMb} MB of memory, at least ${minimumMemoryMb} MB is needed: power it off and set Settings > System > Motherboard > Base Memory to ${minimumMemoryMb} MB.`,
		});
	}

	if (vm.cpus !== undefined && vm.cpus < minimumCpus) {
		add({
			ru: `У ВМ «${name}» ${vm.cpus} процессор, а нужно не меньше ${minimumCpus}: выключите её и задайте Настроить > Система > Процессор > Процессор(ы): ${minimumCpus}.`,
			en: `VM "${name}" has ${vm.cpus} CPU, at least ${minimumCpus} are needed: power it off and set Settings > System > Processor > Processor(s) to ${minimumCpus}.`,
		});
	}

	const nic = vm.nics.find(candidate => candidate.index === 1);
	if (!nic || nic.attachment === 'none') {
		add({
			ru: `У ВМ «${name}» выключен Адаптер 1: отметьте Настроить > Сеть > Адаптер 1 > Включить сетевой адаптер и выберите Тип подключения: Сетевой мост.`,
			en: `VM "${name}" has Adapter 1 disabled: tick Settings > Network > Adapter 1 > Enable Network Adapter and set Attached to: Bridged Adapter.`,
		});
	} else {
		if (nic.attachment !== 'bridged') {
			const current = attachmentNames[nic.attachment] ?? {ru: nic.attachment, en: nic.attachment};
			add({
				ru: `Адаптер 1 ВМ «${name}» подключён как «${current.ru}», и узлы не видны из вашей сети: задайте Настроить > Сеть > Адаптер 1 > Тип подключения: Сетевой мост и выберите адаптер, через который ваш компьютер в сети.`,
				en: `Adapter 1 of VM "${name}" is attached to ${current.en}, so your network cannot reach the node: set Settings > Network > Adapter 1 > Attached to: Bridged Adapter and pick the adapter your computer is online with.`,
			});
		}

		if (nic.cableConnected === false) {
			add({
				ru: `У Адаптера 1 ВМ «${name}» отключён кабель: отметьте Настроить > Сеть > Адаптер 1 > Дополнительно > Кабель подключен.`,
				en: `Adapter 1 of VM "${name}" has its cable unplugged: tick Settings > Network > Adapter 1 > Advanced > Cable Connected.`,
			});
		}
	}

	const state = stateFix(vm);
	if (state) add(state);
	return findings;
}

/** Cloned VMs that kept the MAC address fight over it on a bridged network. */
export function duplicateMacs(matches: readonly NodeVm[]): Finding[] {
	const byMac = new Map<string, string[]>();
	for (const match of matches) {
		const mac = match.vm?.nics.find(nic => nic.index === 1)?.mac;
		if (!mac || !match.vm) continue;
		byMac.set(mac, [...(byMac.get(mac) ?? []), match.vm.name]);
	}

	const findings: Finding[] = [];
	for (const [mac, names] of byMac) {
		if (names.length < 2) continue;
		const list = names.map(name => `«${name}»`).join(', ');
		const listEn = names.map(name => `"${name}"`).join(', ');
		findings.push({
			text: {
				ru: `У ВМ ${list} одинаковый MAC-адрес ${mac} (клоны): у всех, кроме одной, нажмите кнопку обновления в Настроить > Сеть > Адаптер 1 > Дополнительно > MAC-адрес.`,
				en: `VMs ${listEn} share the MAC address ${mac} (clones): on all but one press the refresh button at Settings > Network > Adapter 1 > Advanced > MAC Address.`,
			},
		});
	}

	return findings;
}
