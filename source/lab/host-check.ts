/** Preconditions of every lab command, each turned into an error message the user can act on. */
import {accessSync, constants, existsSync, statfsSync} from 'node:fs';
import path from 'node:path';
import type {HostTool} from './settings.ts';
import {LabError, t} from './text.ts';

export function requireLinux(platform: string = process.platform): void {
	if (platform !== 'linux') {
		throw new LabError(t(
			`Лаборатория работает только на Linux (здесь ${platform}). На Windows и macOS используйте свои ВМ.`,
			`The lab runs on Linux only (this is ${platform}). On Windows or macOS use your own VMs.`,
		));
	}
}

export function requireRoot(uid: number | undefined = process.getuid?.()): void {
	if (uid !== 0) {
		throw new LabError(t(
			'Лаборатории нужны права root (сетевые пространства имён, монтирование, systemd-nspawn). Запустите через sudo.',
			'The lab needs root (network namespaces, mounts, systemd-nspawn). Run it with sudo.',
		));
	}
}

function isExecutable(file: string): boolean {
	try {
		accessSync(file, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

/** Finds a command the way a shell would; absolute paths are checked as they are. */
export function findCommand(command: string, searchPath: string = process.env.PATH ?? ''): string | undefined {
	if (command.includes('/')) return isExecutable(command) ? command : undefined;
	// sbin is often missing from a non-login root PATH, yet ip and friends live there.
	const dirs = [...searchPath.split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
	for (const dir of dirs) {
		if (!dir) continue;
		const candidate = path.join(dir, command);
		if (isExecutable(candidate)) return candidate;
	}

	return undefined;
}

export function missingTools(tools: readonly HostTool[], lookup: (command: string) => string | undefined = command => findCommand(command)): HostTool[] {
	return tools.filter(tool => !lookup(tool.command));
}

export function installLine(missing: readonly HostTool[]): string {
	const packages = [...new Set(missing.map(tool => tool.pkg))];
	return `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

export function requireTools(tools: readonly HostTool[], lookup?: (command: string) => string | undefined): void {
	const missing = missingTools(tools, lookup);
	if (missing.length === 0) return;
	const names = missing.map(tool => tool.command).join(', ');
	const line = installLine(missing);
	throw new LabError(t(
		`Не хватает программ на этой машине: ${names}. Установите их:\n  apt-get update && ${line}`,
		`Missing host tools: ${names}. Install them with:\n  apt-get update && ${line}`,
	));
}

/** Free megabytes on the filesystem that holds `target` (or would hold it, once created). */
export function freeMb(target: string): number {
	let dir = target;
	while (!existsSync(dir)) dir = path.dirname(dir);
	const stats = statfsSync(dir);
	return Math.floor((stats.bavail * stats.bsize) / (1024 * 1024));
}

export function requireDisk(target: string, neededMb: number, free: (target: string) => number = freeMb): void {
	const available = free(target);
	if (available >= neededMb) return;
	throw new LabError(t(
		`Мало места на диске для ${target}: свободно ${available} МБ, нужно не меньше ${neededMb} МБ.`,
		`Not enough disk space for ${target}: ${available} MB free, at least ${neededMb} MB needed.`,
	));
}
