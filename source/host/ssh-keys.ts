/**
 * The user's SSH key pair on the host: find one, or make an ed25519 pair, so VS Code and pgha can log
 * in without a password once the public key is on the nodes.
 */
import {readFileSync, statSync} from 'node:fs';
import {chmod, mkdir, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import ssh2 from 'ssh2';
import {findOnPath, getEnv, isExecutableFile, type ExistsFn, type HostEnv} from './platform.ts';
import {runFile, type RunFile} from './run-file.ts';
import type {SshPaths} from './ssh-config-file.ts';

/** Default identity file names OpenSSH tries, best first. */
export const keyNames = ['id_ed25519', 'id_ecdsa', 'id_rsa'] as const;

export interface KeyPair {
	readonly privateKey: string;
	readonly publicKey: string;
	/** `ssh-ed25519 AAAA... comment` */
	readonly publicLine: string;
}

/** The key type and base64 blob of a public key line; the comment is left out. */
export function parsePublicKey(line: string): {type: string; blob: string} | undefined {
	const match = /^\s*((?:ssh|ecdsa|sk)-[\w@.-]+)\s+([A-Za-z0-9+/]+={0,3})(?:\s|$)/.exec(line);
	return match ? {type: match[1]!, blob: match[2]!} : undefined;
}

function readPublicLine(file: string): string | undefined {
	try {
		const line = readFileSync(file, 'utf8').split(/\r?\n/).find(entry => entry.trim() !== '');
		return line && parsePublicKey(line) ? line.trim() : undefined;
	} catch {
		return undefined;
	}
}

function isFile(file: string): boolean {
	try {
		return statSync(file).isFile();
	} catch {
		return false;
	}
}

/** The first default key pair of the user with both halves present. Synchronous for plan(). */
export function findKeyPair(host: HostEnv, paths: SshPaths): KeyPair | undefined {
	for (const name of keyNames) {
		const privateKey = host.path.join(paths.sshDir, name);
		const publicKey = `${privateKey}.pub`;
		const publicLine = readPublicLine(publicKey);
		if (publicLine && isFile(privateKey)) return {privateKey, publicKey, publicLine};
	}

	return undefined;
}

/** Where ssh-keygen is: PATH, or the OpenSSH client Windows ships. */
export function findSshTool(host: HostEnv, tool: 'ssh' | 'ssh-keygen', exists: ExistsFn = isExecutableFile): string | undefined {
	const onPath = findOnPath(host, tool, exists);
	if (onPath) return onPath;
	if (host.platform !== 'win32') return undefined;
	const systemRoot = getEnv(host, 'SystemRoot') ?? 'C:\\Windows';
	const candidate = host.path.join(systemRoot, 'System32', 'OpenSSH', `${tool}.exe`);
	return exists(candidate) ? candidate : undefined;
}

function keyComment(): string {
	const name = os.hostname().replace(/[^A-Za-z0-9._-]/g, '');
	return `pgha@${name || 'host'}`;
}

export interface GenerateOptions {
	readonly exists?: ExistsFn;
	readonly run?: RunFile;
	/** Skip ssh-keygen even when present (tests of the fallback). */
	readonly forceBuiltin?: boolean;
}

/** Makes `~/.ssh/id_ed25519` without a passphrase: ssh-keygen when present, else ssh2's generator. */
export async function generateKeyPair(host: HostEnv, paths: SshPaths, options: GenerateOptions = {}): Promise<KeyPair & {tool: string}> {
	const posix = host.platform !== 'win32';
	await mkdir(paths.sshDir, {recursive: true, mode: 0o700});
	if (posix) await chmod(paths.sshDir, 0o700);
	const privateKey = host.path.join(paths.sshDir, 'id_ed25519');
	const publicKey = `${privateKey}.pub`;
	if (isFile(privateKey)) {
		// Never overwrite a private key (ssh-keygen would stop and ask); only its public half is missing.
		throw new Error(`${privateKey} exists without ${publicKey}: recreate it with ssh-keygen -y -f ${privateKey} > ${publicKey}`);
	}

	const comment = keyComment();
	const keygen = options.forceBuiltin ? undefined : findSshTool(host, 'ssh-keygen', options.exists);
	let tool: string;
	if (keygen) {
		const result = await (options.run ?? runFile)(keygen, ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', privateKey], {
			timeoutMs: 60_000,
		});
		if (result.code !== 0) throw new Error(`ssh-keygen failed: ${(result.stderr || result.failure || '').trim()}`);
		tool = keygen;
	} else {
		const pair = ssh2.utils.generateKeyPairSync('ed25519', {comment});
		// 'wx': never overwrite a key that appeared meanwhile.
		await writeFile(privateKey, pair.private, {mode: 0o600, flag: 'wx'});
		await writeFile(publicKey, `${pair.public}\n`, {mode: 0o644, flag: 'wx'});
		tool = 'ssh2';
	}

	const publicLine = (await readFile(publicKey, 'utf8')).trim();
	return {privateKey, publicKey, publicLine, tool};
}

/**
 * The IdentityFile value for the config: `~/.ssh/NAME` when the key is in the user's .ssh folder (no
 * non-ASCII profile path in the file at all), else the path with `/` separators on Windows.
 */
export function identityFileValue(host: HostEnv, paths: SshPaths, keyFile: string): string {
	const relative = host.path.relative(paths.sshDir, keyFile);
	if (relative && !relative.startsWith('..') && !host.path.isAbsolute(relative)) {
		return `~/.ssh/${relative.split(host.path.sep).join('/')}`;
	}

	return host.platform === 'win32' ? keyFile.replace(/\\/g, '/') : keyFile;
}

/** POSIX single quotes. */
export function shellQuote(value: string): string {
	return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Shell for the node (as the SSH user): add the key to authorized_keys unless its blob is there.
 * A last line without newline is completed first so the key never glues onto it.
 */
export function authorizedKeyScript(publicLine: string): string {
	const key = parsePublicKey(publicLine);
	if (!key) throw new Error('not an OpenSSH public key line');
	const file = '"$HOME/.ssh/authorized_keys"';
	return [
		'umask 077',
		'mkdir -p "$HOME/.ssh"',
		`touch ${file}`,
		'chmod 700 "$HOME/.ssh"',
		`chmod 600 ${file}`,
		`if ! grep -qF ${shellQuote(key.blob)} ${file}; then if [ -s ${file} ] && [ -n "$(tail -c 1 ${file})" ]; then echo >> ${file}; fi; printf '%s\\n' ${shellQuote(publicLine)} >> ${file}; fi`,
	].join(' && ');
}

/** Exit 0 when the key's blob is in authorized_keys. */
export function authorizedKeyCheck(publicLine: string): string {
	const key = parsePublicKey(publicLine);
	if (!key) throw new Error('not an OpenSSH public key line');
	return `grep -qsF ${shellQuote(key.blob)} "$HOME/.ssh/authorized_keys"`;
}

/** Octal modes of home, ~/.ssh and authorized_keys, one per line (sshd's StrictModes looks at them). */
export const authorizedKeyModes = 'stat -c %a "$HOME" "$HOME/.ssh" "$HOME/.ssh/authorized_keys"';
