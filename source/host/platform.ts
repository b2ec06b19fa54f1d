/**
 * The host pgha runs on, as data: platform, environment and path flavour are injected so the
 * Windows logic can be exercised on Linux (tests pass platform 'win32' with a Linux temp folder).
 */
import {accessSync, constants as fsConstants, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type HostPlatform = 'win32' | 'linux' | 'darwin';

export type PathModule = typeof path.posix;

export interface HostEnv {
	readonly platform: HostPlatform;
	readonly env: Readonly<Record<string, string | undefined>>;
	/** path.win32 or path.posix; defaults to the platform's flavour. */
	readonly path: PathModule;
}

export function currentPlatform(): HostPlatform {
	const p = process.platform;
	return p === 'win32' || p === 'darwin' ? p : 'linux';
}

export function hostEnv(overrides: Partial<HostEnv> = {}): HostEnv {
	const platform = overrides.platform ?? currentPlatform();
	return {
		platform,
		env: overrides.env ?? process.env,
		path: overrides.path ?? (platform === 'win32' ? path.win32 : path.posix),
	};
}

/** Environment lookup; Windows variable names are case-insensitive (Path vs PATH). */
export function getEnv(host: HostEnv, name: string): string | undefined {
	const direct = host.env[name];
	if (direct !== undefined || host.platform !== 'win32') return direct === '' ? undefined : direct;
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(host.env)) {
		if (key.toLowerCase() === wanted && value) return value;
	}

	return undefined;
}

/** The user's home folder. Windows: USERPROFILE only, never rebuilt from the user name. */
export function homeFolder(host: HostEnv): string {
	if (host.platform === 'win32') {
		const profile = getEnv(host, 'USERPROFILE');
		if (profile) return profile;
		// Without USERPROFILE Node's own lookup still asks Windows for the profile folder.
		return os.homedir();
	}

	return getEnv(host, 'HOME') ?? os.homedir();
}

/** Directories on PATH, split the platform's way (Windows entries may be quoted). */
export function pathDirs(host: HostEnv): string[] {
	const value = getEnv(host, 'PATH') ?? '';
	const separator = host.platform === 'win32' ? ';' : ':';
	return value
		.split(separator)
		.map(entry => entry.trim().replace(/^"(.*)"$/, '$1'))
		.filter(entry => entry.length > 0);
}

/** Executable file names to try for a command (PATHEXT on Windows). */
export function executableNames(host: HostEnv, command: string): string[] {
	if (host.platform !== 'win32') return [command];
	if (/\.[a-z0-9]+$/i.test(command)) return [command];
	const extensions = (getEnv(host, 'PATHEXT') ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
	return extensions.map(extension => command + extension.toLowerCase());
}

/** Is there an executable file at this path? Injected in tests; the real one checks the disk. */
export type ExistsFn = (file: string) => boolean;

export function isExecutableFile(file: string): boolean {
	try {
		if (!statSync(file).isFile()) return false;
		if (process.platform !== 'win32') accessSync(file, fsConstants.X_OK);
		return true;
	} catch {
		return false;
	}
}

/** First executable named `command` on PATH, like `which` / `where`. */
export function findOnPath(host: HostEnv, command: string, exists: ExistsFn = isExecutableFile): string | undefined {
	for (const dir of pathDirs(host)) {
		for (const name of executableNames(host, command)) {
			const candidate = host.path.join(dir, name);
			if (exists(candidate)) return candidate;
		}
	}

	return undefined;
}
