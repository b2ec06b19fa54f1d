/**
 * The secrets file (pgha.secrets.yaml beside pgha.yaml): passwords pgha generates once and reuses.
 * Mode 0600 from the moment it exists. The SSH / sudo password is never stored: it comes from
 * PGHA_SSH_PASSWORD or a prompt.
 */
import {createHash, randomBytes} from 'node:crypto';
import {promises as fs} from 'node:fs';
import path from 'node:path';
import YAML, {LineCounter} from 'yaml';
import {removeStaleTemps, writeFileAtomic} from './atomic-write.ts';
import {ConfigError} from './errors.ts';
import {msg} from './messages.ts';
import type {ConfigIssue, Secrets} from '../core/cluster.ts';

/** File keys in the order they are written, mapped to the Secrets fields. */
export const secretKeys: ReadonlyArray<readonly [string, keyof Secrets]> = [
	['admin_user_password', 'adminUserPassword'],
	['superuser_password', 'superuserPassword'],
	['replication_password', 'replicationPassword'],
	['rewind_password', 'rewindPassword'],
	['rest_api_password', 'restApiPassword'],
	['haproxy_stats_password', 'haproxyStatsPassword'],
	['vrrp_password', 'vrrpPassword'],
];

/** Passwords printed in the course guide; a cluster must never run with them. */
const guideSamples = new Set(['patroni', 'api_password', 'rep_password', 'admin123', 'adminpassword', 'student']);

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const secretLength = 32;

/**
 * A random password of letters and digits only: nothing that needs quoting in YAML, pg_hba,
 * a libpq connection string or HAProxy's `stats auth user:password` (32 chars, about 190 bits).
 */
export function generateSecret(length = secretLength): string {
	let out = '';
	while (out.length < length) {
		for (const byte of randomBytes(length * 2)) {
			// 248 = 4 * 62: dropping larger bytes keeps every character equally likely.
			if (byte < 248 && out.length < length) out += alphabet[byte % 62];
		}
	}

	return out;
}

/** `pgha.yaml` -> `pgha.secrets.yaml`, in the same folder (two cluster files never share secrets). */
export function secretsFileFor(clusterFile: string): string {
	const absolute = path.resolve(clusterFile);
	const base = path.basename(absolute).replace(/\.ya?ml$/i, '');
	return path.join(path.dirname(absolute), `${base}.secrets.yaml`);
}

export interface LoadedSecrets {
	readonly secrets: Secrets;
	readonly file: string;
	/** True when this call generated at least one password (first run, or a deleted line). */
	readonly created: boolean;
	/** E.g. the file's mode was too wide and has been fixed. */
	readonly warnings: readonly ConfigIssue[];
}

/**
 * Loads the secrets beside the cluster file, generating the file (or missing entries) on first use.
 * Throws ConfigError when an entry is unusable (bad characters, too short, a guide sample).
 */
export async function loadOrCreateSecrets(clusterFile: string): Promise<LoadedSecrets> {
	const file = secretsFileFor(clusterFile);
	await removeStaleTemps(file);
	const existing = await readSecretsFile(file);
	if (!existing) {
		const secrets = freshSecrets({});
		try {
			await writeFileAtomic(file, render(secrets), {mode: 0o600, exclusive: true});
		} catch (error) {
			// Another pgha created it a moment ago: use theirs so both agree.
			if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecrets(clusterFile);
			throw error;
		}

		return {secrets, file, created: true, warnings: []};
	}

	const {values, warnings} = existing;
	const missing = secretKeys.some(([key]) => values[key] === undefined);
	const secrets = freshSecrets(values);
	if (missing) await writeFileAtomic(file, render(secrets), {mode: 0o600});
	return {secrets, file, created: missing, warnings};
}

async function readSecretsFile(file: string): Promise<{values: Record<string, string>; warnings: ConfigIssue[]} | undefined> {
	let handle: fs.FileHandle;
	try {
		handle = await fs.open(file, 'r');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw error;
	}

	const warnings: ConfigIssue[] = [];
	let text: string;
	try {
		const stat = await handle.stat();
		const mode = stat.mode & 0o777;
		if ((mode & 0o077) !== 0) {
			await handle.chmod(0o600);
			warnings.push(msg.secretsModeFixed(path.basename(file), mode));
		}

		text = await handle.readFile('utf8');
	} finally {
		await handle.close();
	}

	const lineCounter = new LineCounter();
	const document = YAML.parseDocument(text, {prettyErrors: false, lineCounter});
	if (document.errors.length > 0) {
		const {line, col} = lineCounter.linePos(document.errors[0]!.pos[0]);
		throw new ConfigError(file, [msg.yamlSyntax(line, col, document.errors[0]!.message.split('\n')[0]!)]);
	}

	const data: unknown = document.toJS() ?? {};
	if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ConfigError(file, [msg.notMapping('(file)', data)]);
	const issues: ConfigIssue[] = [];
	const values: Record<string, string> = {};
	const known = secretKeys.map(([key]) => key);
	for (const [key, value] of Object.entries(data)) {
		if (!known.includes(key)) {
			issues.push(msg.unknownKey(key));
			continue;
		}

		if (value === null || value === undefined || value === '') continue;
		// Values are never echoed back: they are secrets even when malformed.
		if (typeof value !== 'string') issues.push(msg.badSecret(key));
		else if (guideSamples.has(value.toLowerCase())) issues.push(msg.sampleSecret(key));
		else if (!/^[A-Za-z0-9]+$/.test(value)) issues.push(msg.badSecret(key));
		else if (value.length < 16) issues.push(msg.shortSecret(key, value.length));
		else values[key] = value;
	}

	if (issues.length > 0) throw new ConfigError(file, issues);
	return {values, warnings};
}

function freshSecrets(values: Record<string, string>): Secrets {
	const entries = secretKeys.map(([key, field]) => [field, values[key] ?? generateSecret()] as const);
	return Object.fromEntries(entries) as unknown as Secrets;
}

function render(secrets: Secrets): string {
	const data = Object.fromEntries(secretKeys.map(([key, field]) => [key, secrets[field]]));
	const document = new YAML.Document(data);
	document.commentBefore = [
		' Generated by pgha; keep this file private (mode 0600). Delete a line to get a new password.',
		' Создан pgha; храните файл закрытым (права 0600). Удалите строку, чтобы получить новый пароль.',
	].join('\n');
	return document.toString();
}

/** The SSH / sudo password from the environment, or undefined (the UI then asks). Never written anywhere. */
export function sshPassword(env: NodeJS.ProcessEnv = process.env): string | undefined {
	const value = env.PGHA_SSH_PASSWORD;
	return value === undefined || value === '' ? undefined : value;
}

/** Every secret value, for masking in logs and on screen. */
export function secretValues(secrets: Secrets): string[] {
	return secretKeys.map(([, field]) => secrets[field]);
}

/** A digest standing in for the secrets wherever something must change when they change (fingerprints). */
export function secretsDigest(secrets: Secrets): string {
	const hash = createHash('sha256');
	for (const [, field] of secretKeys) hash.update(`${field}=${secrets[field]}\n`);
	return hash.digest('hex');
}
