/**
 * Replace a file so that a reader (or a restart after SIGKILL / power loss) sees either the old or the
 * new content, never a mix: write a temp file beside it, fsync, rename, fsync the folder.
 * The temp file is created with the final mode, so secret content is never briefly readable by others.
 */
import {randomBytes} from 'node:crypto';
import {promises as fs} from 'node:fs';
import path from 'node:path';

export interface AtomicWriteOptions {
	readonly mode: number;
	/** Do not replace an existing file (hard link instead of rename); throws EEXIST then. */
	readonly exclusive?: boolean;
	/** Test hook: called after the temp file is durable and before it takes the file's place. */
	readonly beforeCommit?: (tempPath: string) => void | Promise<void>;
}

export const tempSuffix = '.pgha-tmp';

export async function writeFileAtomic(file: string, content: string | Uint8Array, options: AtomicWriteOptions): Promise<void> {
	const dir = path.dirname(file);
	const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}${tempSuffix}`);
	// 'wx' = O_CREAT|O_EXCL: the file is born with `mode` (minus umask), never reusing someone else's file.
	const handle = await fs.open(temp, 'wx', options.mode);
	let committed = false;
	try {
		await handle.writeFile(content);
		// The umask may have removed bits we need (e.g. 0644 for the cluster file); chmod sets them exactly.
		await handle.chmod(options.mode);
		await handle.sync();
		await handle.close();
		await options.beforeCommit?.(temp);
		if (options.exclusive) {
			await fs.link(temp, file);
			await fs.unlink(temp);
		} else {
			await fs.rename(temp, file);
		}

		committed = true;
		await syncDir(dir);
	} finally {
		if (!committed) {
			await handle.close().catch(() => undefined);
			await fs.unlink(temp).catch(() => undefined);
		}
	}
}

async function syncDir(dir: string): Promise<void> {
	let handle: fs.FileHandle | undefined;
	try {
		handle = await fs.open(dir, 'r');
		await handle.sync();
	} catch {
		// Some file systems (and Windows) refuse to fsync a directory; the rename is still atomic there.
	} finally {
		await handle?.close();
	}
}

/** Temp files left by a writer that was killed before renaming; they hold nothing the real file lacks. */
export async function removeStaleTemps(file: string): Promise<void> {
	const dir = path.dirname(file);
	const prefix = `.${path.basename(file)}.`;
	let names: string[];
	try {
		names = await fs.readdir(dir);
	} catch {
		return;
	}

	await Promise.all(names
		.filter(name => name.startsWith(prefix) && name.endsWith(tempSuffix))
		.map(name => fs.unlink(path.join(dir, name)).catch(() => undefined)));
}
