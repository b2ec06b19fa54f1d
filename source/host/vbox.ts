/**
 * VirtualBox seen through VBoxManage (read-only): where the tool is, the VM list, and the settings a
 * course VM needs, parsed from `showvminfo --machinereadable` (VirtualBox 6.1/7.x format).
 */
import {findOnPath, getEnv, isExecutableFile, type ExistsFn, type HostEnv} from './platform.ts';
import type {RunFile} from './run-file.ts';

export interface VmListEntry {
	readonly name: string;
	readonly uuid: string;
}

/** `VBoxManage list vms`: one `"name" {uuid}` per line; inaccessible VMs are left out. */
export function parseVmList(output: string): VmListEntry[] {
	const vms: VmListEntry[] = [];
	for (const line of output.split(/\r?\n/)) {
		const match = /^"(.*)" \{([0-9a-fA-F-]{36})\}\s*$/.exec(line);
		if (match && match[1] !== '<inaccessible>') vms.push({name: match[1]!, uuid: match[2]!.toLowerCase()});
	}

	return vms;
}

function unescapeValue(raw: string): string {
	return raw.replace(/\\(["\\])/g, '$1');
}

/**
 * `showvminfo --machinereadable`: `key=value` lines, the value quoted (with `\"` and `\\` escaped) or
 * a bare number. Keys may be quoted or contain spaces ("BIOS NVRAM File"); other lines (VirtualBox
 * 7.0 prints "Encryption:     disabled" among them) are skipped.
 */
export function parseMachineReadable(output: string): Map<string, string> {
	const values = new Map<string, string>();
	for (const line of output.split(/\r?\n/)) {
		const match = /^(?:"((?:[^"\\]|\\.)*)"|([^="]+))=(.*)$/.exec(line);
		if (!match) continue;
		const key = match[1] === undefined ? match[2]!.trim() : unescapeValue(match[1]);
		const rest = match[3]!;
		const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
		values.set(key, quoted ? unescapeValue(quoted[1]!) : rest.trim());
	}

	return values;
}

export interface VmNic {
	/** 1-based, as in "Adapter 1". */
	readonly index: number;
	/** nat, bridged, hostonly, intnet, natnetwork, generic, none, ... */
	readonly attachment: string;
	/** 12 upper-case hex digits, as VirtualBox prints it. */
	readonly mac?: string;
	readonly bridgeAdapter?: string;
	readonly cableConnected?: boolean;
}

export interface VmInfo {
	readonly name: string;
	readonly uuid: string;
	/** poweroff, running, saved, paused, aborted, aborted-saved, ... */
	readonly state: string;
	readonly memoryMb?: number;
	readonly cpus?: number;
	readonly nics: readonly VmNic[];
}

function integer(value: string | undefined): number | undefined {
	if (value === undefined || !/^\d+$/.test(value)) return undefined;
	return Number(value);
}

export function vmInfo(values: ReadonlyMap<string, string>, fallback: VmListEntry): VmInfo {
	const nics: VmNic[] = [];
	for (let index = 1; index <= 36; index++) {
		const attachment = values.get(`nic${index}`);
		if (attachment === undefined) continue;
		const cable = values.get(`cableconnected${index}`);
		nics.push({
			index,
			attachment,
			mac: values.get(`macaddress${index}`)?.toUpperCase(),
			bridgeAdapter: values.get(`bridgeadapter${index}`),
			cableConnected: cable === undefined ? undefined : cable === 'on',
		});
	}

	return {
		name: values.get('name') ?? fallback.name,
		uuid: (values.get('UUID') ?? fallback.uuid).toLowerCase(),
		state: values.get('VMState') ?? 'unknown',
		memoryMb: integer(values.get('memory')),
		cpus: integer(values.get('cpus')),
		nics,
	};
}

/** A MAC in any notation (08:00:27:aa:bb:cc, 08-00-27-AA-BB-CC, 080027AABBCC) as VirtualBox prints it. */
export function normalizeMac(mac: string): string | undefined {
	const hex = mac.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
	return hex.length === 12 && hex !== '000000000000' ? hex : undefined;
}

/**
 * VBoxManage: PATH first; on Windows also VBOX_MSI_INSTALL_PATH (set by the installer) and the default
 * install folder; on macOS the application bundle.
 */
export function findVBoxManage(host: HostEnv, exists: ExistsFn = isExecutableFile): string | undefined {
	const onPath = findOnPath(host, 'VBoxManage', exists) ?? (host.platform === 'linux' ? findOnPath(host, 'vboxmanage', exists) : undefined);
	if (onPath) return onPath;
	const candidates: string[] = [];
	if (host.platform === 'win32') {
		const msi = getEnv(host, 'VBOX_MSI_INSTALL_PATH');
		if (msi) candidates.push(host.path.join(msi, 'VBoxManage.exe'));
		for (const variable of ['ProgramFiles', 'ProgramW6432']) {
			const programFiles = getEnv(host, variable);
			if (programFiles) candidates.push(host.path.join(programFiles, 'Oracle', 'VirtualBox', 'VBoxManage.exe'));
		}

		candidates.push('C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe');
	} else if (host.platform === 'darwin') {
		candidates.push('/Applications/VirtualBox.app/Contents/MacOS/VBoxManage');
	}

	return candidates.find(candidate => exists(candidate));
}

export class VBoxManageError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'VBoxManageError';
	}
}

/** Every registered VM with its settings. */
export async function readVms(run: RunFile, vboxManage: string): Promise<VmInfo[]> {
	const list = await run(vboxManage, ['list', 'vms'], {timeoutMs: 30_000});
	if (list.code !== 0) throw new VBoxManageError(`VBoxManage list vms: ${(list.stderr || list.failure || '').trim()}`);
	const vms: VmInfo[] = [];
	for (const entry of parseVmList(list.stdout)) {
		// By UUID: names may repeat or be non-ASCII.
		const info = await run(vboxManage, ['showvminfo', entry.uuid, '--machinereadable'], {timeoutMs: 30_000});
		if (info.code !== 0) continue;
		vms.push(vmInfo(parseMachineReadable(info.stdout), entry));
	}

	return vms;
}
