/**
 * Where pgha keeps its own files. Everything lives beside the cluster file, so a course folder holds
 * one cluster's whole story and two clusters in two folders never mix:
 *
 *   pgha.yaml                    the cluster file
 *   pgha.secrets.yaml            generated passwords (0600)
 *   .pgha/                       (0700)
 *     state.json                 what is done, per stage and node (resume)
 *     known_hosts                host keys trusted on first use
 *     lang                       the language chosen in the wizard (later commands speak it)
 *     logs/<run-id>/<node>.log   every command and its output, one file per node per run
 */
import {randomBytes} from 'node:crypto';
import {promises as fs} from 'node:fs';
import path from 'node:path';
import {secretsFileFor} from './secrets.ts';

export interface PghaPaths {
	readonly clusterFile: string;
	readonly secretsFile: string;
	/** The `.pgha` folder. */
	readonly dir: string;
	readonly stateFile: string;
	readonly knownHostsFile: string;
	/** Root of the per-run log folders. */
	readonly logsDir: string;
}

export function pghaPaths(clusterFile: string): PghaPaths {
	const absolute = path.resolve(clusterFile);
	const dir = path.join(path.dirname(absolute), '.pgha');
	return {
		clusterFile: absolute,
		secretsFile: secretsFileFor(absolute),
		dir,
		stateFile: path.join(dir, 'state.json'),
		knownHostsFile: path.join(dir, 'known_hosts'),
		logsDir: path.join(dir, 'logs'),
	};
}

/** Creates `.pgha/` and `.pgha/logs/` private to the user (logs name hosts and users). */
export async function ensurePghaDirs(paths: PghaPaths): Promise<void> {
	await fs.mkdir(paths.logsDir, {recursive: true, mode: 0o700});
	// mkdir keeps an existing folder's mode; tighten it if someone loosened it.
	await fs.chmod(paths.dir, 0o700);
	await fs.chmod(paths.logsDir, 0o700);
}

/** A run id that sorts by time and is unique even for two runs in the same second: 20261127-101502-3fa9. */
export function newRunId(now = new Date()): string {
	const pad = (value: number) => String(value).padStart(2, '0');
	const date = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
	const time = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
	return `${date}-${time}-${randomBytes(2).toString('hex')}`;
}
