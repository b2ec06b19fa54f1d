/**
 * pgha's own known-hosts file: trust on first use, verify afterwards.
 * The format is OpenSSH's (`host type base64-key`, `[host]:port` for other ports), so the file
 * can be read, edited or compared with ~/.ssh/known_hosts by hand. The default is `.pgha/known_hosts`
 * beside the cluster file (config/paths.ts): it belongs to that cluster's VMs, a new folder starts with
 * fresh trust, and VMs reinstalled behind an old file are detected as changed.
 */
import {createHash} from 'node:crypto';
import {appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {pghaPaths} from '../config/paths.ts';

/** The known-hosts file pgha uses for a cluster file unless told otherwise. */
export function defaultKnownHostsFile(clusterFile: string): string {
	return pghaPaths(clusterFile).knownHostsFile;
}

/** SHA256 fingerprint of a public key blob, as OpenSSH prints it: `SHA256:` + base64 without padding. */
export function keyFingerprint(key: Buffer): string {
	return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (its first string), e.g. ssh-ed25519. */
export function keyType(key: Buffer): string {
	if (key.length < 4) return 'unknown';
	const length = key.readUInt32BE(0);
	if (length > 64 || 4 + length > key.length) return 'unknown';
	return key.subarray(4, 4 + length).toString('latin1');
}

/** How OpenSSH names a host in known_hosts. */
export function hostPattern(host: string, port: number): string {
	return port === 22 ? host : `[${host}]:${port}`;
}

export interface KnownKey {
	readonly type: string;
	readonly key: Buffer;
	readonly fingerprint: string;
}

/** The keys recorded for a host (hashed names and @-markers, which pgha never writes, are skipped). */
export function knownKeys(file: string, host: string, port: number): KnownKey[] {
	if (!existsSync(file)) return [];
	const wanted = hostPattern(host, port);
	const keys: KnownKey[] = [];
	for (const raw of readFileSync(file, 'utf8').split('\n')) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#') || line.startsWith('@') || line.startsWith('|')) continue;
		const [hosts, type, base64] = line.split(/\s+/);
		if (!hosts || !type || !base64) continue;
		if (!hosts.split(',').includes(wanted)) continue;
		const key = Buffer.from(base64, 'base64');
		keys.push({type, key, fingerprint: keyFingerprint(key)});
	}
	return keys;
}

/** Records a host key; the file and its folder are created private to the user. */
export function addHostKey(file: string, host: string, port: number, key: Buffer): void {
	mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	let prefix = '';
	if (existsSync(file)) {
		const current = readFileSync(file, 'utf8');
		if (current !== '' && !current.endsWith('\n')) prefix = '\n';
	}
	// One append call per line: parallel connections to several nodes cannot interleave inside a line.
	appendFileSync(file, `${prefix}${hostPattern(host, port)} ${keyType(key)} ${key.toString('base64')}\n`, {
		mode: 0o600,
	});
}

/** Removes a host's lines (after the user confirmed that the VM was reinstalled). */
export function forgetHost(file: string, host: string, port: number): void {
	if (!existsSync(file)) return;
	const wanted = hostPattern(host, port);
	const kept = readFileSync(file, 'utf8')
		.split('\n')
		.filter(line => !(line.trim().split(/\s+/)[0] ?? '').split(',').includes(wanted));
	writeFileSync(file, kept.join('\n'), {mode: 0o600});
}

export type HostKeyStatus =
	| {readonly status: 'known'; readonly fingerprint: string}
	| {readonly status: 'unknown'; readonly fingerprint: string}
	| {readonly status: 'changed'; readonly fingerprint: string; readonly known: readonly string[]};

/**
 * Compares an offered key with the file. A different key of the same type is a change; so is a key
 * of another type when the host is known at all (the connection asks for the known type first, so a
 * different type means the server no longer has the key it had).
 */
export function checkHostKey(file: string, host: string, port: number, key: Buffer): HostKeyStatus {
	const fingerprint = keyFingerprint(key);
	const known = knownKeys(file, host, port);
	if (known.length === 0) return {status: 'unknown', fingerprint};
	if (known.some(entry => entry.key.equals(key))) return {status: 'known', fingerprint};
	return {status: 'changed', fingerprint, known: known.map(entry => entry.fingerprint)};
}

/** Host key algorithms to offer, the recorded types first (as OpenSSH does), so a known host verifies. */
export function preferredHostKeyAlgorithms(file: string, host: string, port: number, defaults: readonly string[]): string[] {
	const types = new Set<string>();
	for (const entry of knownKeys(file, host, port)) {
		if (entry.type === 'ssh-rsa') {
			// An RSA key is offered under its SHA-2 signature names.
			types.add('rsa-sha2-512');
			types.add('rsa-sha2-256');
		}
		types.add(entry.type);
	}
	const first = defaults.filter(algorithm => types.has(algorithm));
	return [...first, ...defaults.filter(algorithm => !types.has(algorithm))];
}
