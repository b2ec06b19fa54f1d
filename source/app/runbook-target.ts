/**
 * Where `pgha runbook -o FILE` may write. pgha's own files (the cluster file, the secrets file,
 * anything under .pgha/) are never a runbook's place, --force or not: replacing the secrets file
 * loses every generated password. Any other existing file is replaced only when pgha wrote it as a
 * runbook (its first line says so) or with --force.
 */
import {promises as fs} from 'node:fs';
import path from 'node:path';
import {ConfigError} from '../config/errors.ts';
import {issue} from '../config/messages.ts';
import type {PghaPaths} from '../config/paths.ts';

/** The first line of every runbook file pgha writes; how pgha knows the file is its own. */
export const runbookMarker = '<!-- pgha runbook: written by "pgha runbook -o"; running it again replaces this file -->';

const targetMsg = {
	clusterFile: () => issue('', 'is the cluster file; give the runbook another name (e.g. -o runbook.md)', 'это файл кластера; сохраните runbook под другим именем (например, -o runbook.md)'),
	secretsFile: () => issue('', 'is the secrets file with every generated password; give the runbook another name (e.g. -o runbook.md)', 'это файл секретов со всеми сгенерированными паролями; сохраните runbook под другим именем (например, -o runbook.md)'),
	pghaDir: () => issue('', 'is inside .pgha/, where pgha keeps its state, keys and logs; give the runbook another place', 'находится в .pgha/, где pgha хранит состояние, ключи и журналы; сохраните runbook в другом месте'),
	folder: () => issue('', 'is a folder; give a file name (e.g. -o runbook.md)', 'это папка; укажите имя файла (например, -o runbook.md)'),
	notRegular: () => issue('', 'is not a regular file', 'это не обычный файл'),
	noFolder: () => issue('', 'cannot be created: its folder does not exist', 'не создать: папки нет'),
	foreign: () => issue('', 'exists and is not a runbook pgha wrote; choose another name, or add --force to replace it', 'уже существует, и это не runbook, записанный pgha; выберите другое имя или добавьте --force, чтобы заменить его'),
};

/** The path with symbolic links resolved as far as the path exists (a new file's folder may be a link). */
async function realish(file: string): Promise<string> {
	const absolute = path.resolve(file);
	try {
		return await fs.realpath(absolute);
	} catch {
		const parent = await fs.realpath(path.dirname(absolute)).catch(() => path.dirname(absolute));
		return path.join(parent, path.basename(absolute));
	}
}

function inside(child: string, dir: string): boolean {
	const relative = path.relative(dir, child);
	return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

async function startsWithMarker(file: string): Promise<boolean> {
	const handle = await fs.open(file, 'r');
	try {
		const buffer = Buffer.alloc(runbookMarker.length);
		const {bytesRead} = await handle.read(buffer, 0, buffer.length, 0);
		return buffer.subarray(0, bytesRead).toString('utf8') === runbookMarker;
	} finally {
		await handle.close();
	}
}

/** Throws ConfigError naming `output` when the runbook must not be written there. */
export async function checkRunbookTarget(output: string, paths: PghaPaths, force: boolean): Promise<void> {
	const target = await realish(output);
	const refuse = (problem: ReturnType<typeof issue>): never => {
		throw new ConfigError(path.resolve(output), [problem]);
	};

	if (target === (await realish(paths.clusterFile))) refuse(targetMsg.clusterFile());
	if (target === (await realish(paths.secretsFile))) refuse(targetMsg.secretsFile());
	if (inside(target, await realish(paths.dir)) || inside(path.resolve(output), paths.dir)) refuse(targetMsg.pghaDir());
	const info = await fs.stat(target).catch(() => undefined);
	if (!info) {
		const folder = await fs.stat(path.dirname(target)).catch(() => undefined);
		if (!folder?.isDirectory()) refuse(targetMsg.noFolder());
		return;
	}

	if (info.isDirectory()) refuse(targetMsg.folder());
	if (!info.isFile()) refuse(targetMsg.notRegular());
	if (!force && !(await startsWithMarker(target))) refuse(targetMsg.foreign());
}
