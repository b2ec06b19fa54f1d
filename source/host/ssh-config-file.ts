/**
 * The user's OpenSSH config on the host: where it is, what pgha would make of it, and the write.
 * Planning reads only; applying writes only when the bytes change (backup first).
 */
import {chmod, copyFile, mkdir, readFile, realpath, rename, stat, unlink, writeFile} from 'node:fs/promises';
import {renderSshConfigBlock, type SshHostEntry} from '../../templates/ssh-config.ts';
import {findOtherEntries, upsertBlock, type OtherEntry} from './managed-block.ts';
import {homeFolder, type HostEnv} from './platform.ts';
import {
	asDocumentText,
	decodeText,
	eolString,
	isConverted,
	type FileEncoding,
	type LineEnding,
} from './text-encoding.ts';

export interface SshPaths {
	readonly home: string;
	readonly sshDir: string;
	readonly config: string;
	/** Notepad's `config.txt`; looked for on Windows only. */
	readonly strayTxt?: string;
}

export function resolveSshPaths(host: HostEnv): SshPaths {
	const home = homeFolder(host);
	const sshDir = host.path.join(home, '.ssh');
	return {
		home,
		sshDir,
		config: host.path.join(sshDir, 'config'),
		strayTxt: host.platform === 'win32' ? host.path.join(sshDir, 'config.txt') : undefined,
	};
}

export interface StrayTxt {
	readonly path: string;
	readonly encoding: FileEncoding;
	/** Its text was appended (false: already contained in config, or empty). */
	readonly appended: boolean;
}

export interface SshConfigPlan {
	readonly paths: SshPaths;
	/** Current bytes of the config; undefined when there is none. */
	readonly before?: Buffer;
	readonly encoding?: FileEncoding;
	/** POSIX mode bits of the current file. */
	readonly mode?: number;
	readonly eol: LineEnding;
	readonly stray?: StrayTxt;
	readonly after: Buffer;
	/** The file's bytes change (the write, with a backup of the old file). */
	readonly contentChanged: boolean;
	/** Only the POSIX mode needs fixing (no rewrite). */
	readonly modeChanged: boolean;
	readonly otherEntries: readonly OtherEntry[];
}

async function readIfExists(file: string): Promise<{bytes: Buffer; mode: number} | undefined> {
	try {
		const [bytes, info] = await Promise.all([readFile(file), stat(file)]);
		return {bytes, mode: info.mode & 0o777};
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw error;
	}
}

function normalizeEol(text: string, eol: string): string {
	return text.replace(/\r?\n/g, eol);
}

/** Notepad's file may be in another encoding than config: move both into one document space. */
function inSpace(text: string, from: FileEncoding, to: FileEncoding): string {
	if (from === to || (from !== 'legacy-8bit' && to !== 'legacy-8bit')) return text;
	return to === 'legacy-8bit' ? asDocumentText(text, 'legacy-8bit') : text;
}

function appendText(base: string, addition: string, eol: string): string {
	if (base === '') return addition;
	let head = base;
	if (!/\n$/.test(head)) head += eol;
	if (!/(^|\n)[ \t]*\r?\n$/.test(head)) head += eol;
	return head + addition;
}

export async function planSshConfig(
	host: HostEnv,
	clusterName: string,
	entries: readonly SshHostEntry[],
): Promise<SshConfigPlan> {
	const paths = resolveSshPaths(host);
	const current = await readIfExists(paths.config);
	const strayFile = paths.strayTxt ? await readIfExists(paths.strayTxt) : undefined;

	const decoded = current ? decodeText(current.bytes) : undefined;
	const strayDecoded = strayFile ? decodeText(strayFile.bytes) : undefined;
	const encoding: FileEncoding =
		decoded?.encoding === 'legacy-8bit' || strayDecoded?.encoding === 'legacy-8bit' ? 'legacy-8bit' : 'utf8';
	// OpenSSH strips a trailing \r from every config line (Win32-OpenSSH ships its own defaults with CRLF),
	// so both styles work: keep the file's, else Notepad's when merged, else the platform's.
	const eol: LineEnding = decoded?.eol ?? strayDecoded?.eol ?? (host.platform === 'win32' ? 'crlf' : 'lf');
	const eolText = eolString(eol);

	let text = decoded ? inSpace(decoded.text, decoded.encoding, encoding) : '';
	let stray: StrayTxt | undefined;
	if (strayFile && strayDecoded && paths.strayTxt) {
		const addition = normalizeEol(inSpace(strayDecoded.text, strayDecoded.encoding, encoding), eolText);
		const trimmed = addition.trim();
		const already = trimmed === '' || normalizeEol(text, eolText).includes(trimmed);
		if (!already) text = appendText(text, /\n$/.test(addition) ? addition : addition + eolText, eolText);
		stray = {path: paths.strayTxt, encoding: strayDecoded.encoding, appended: !already};
	}

	const aliases = entries.map(entry => entry.alias);
	const block = renderSshConfigBlock(clusterName, entries).map(line => asDocumentText(line, encoding));
	const merged = upsertBlock(text, clusterName, block, aliases, eolText);
	const after = Buffer.from(merged, encoding === 'legacy-8bit' ? 'latin1' : 'utf8');
	const contentChanged = !current || !current.bytes.equals(after);
	const modeChanged = host.platform !== 'win32' && current !== undefined && !contentChanged && current.mode !== 0o600;
	return {
		paths,
		before: current?.bytes,
		encoding: decoded?.encoding,
		mode: current?.mode,
		eol,
		stray,
		after,
		contentChanged,
		modeChanged,
		otherEntries: findOtherEntries(merged, clusterName, aliases),
	};
}

/** Is there anything to do at all? */
export function planIsDone(plan: SshConfigPlan): boolean {
	return !plan.contentChanged && !plan.modeChanged && plan.stray === undefined;
}

export interface SshConfigResult {
	readonly wrote: boolean;
	readonly backup?: string;
	/** Where `config.txt` went. */
	readonly strayRenamedTo?: string;
	/** The encoding the old file had, when it was converted to UTF-8 without BOM. */
	readonly convertedFrom?: FileEncoding;
	readonly createdSshDir: boolean;
	readonly fixedSshDirMode: boolean;
}

function stamp(now: Date): string {
	const pad = (value: number) => String(value).padStart(2, '0');
	return `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
}

async function exists(file: string): Promise<boolean> {
	try {
		await stat(file);
		return true;
	} catch {
		return false;
	}
}

/** `base`, or `base-2`, `base-3`... whichever is free (bounded: a thousand tries). */
async function freeName(base: string): Promise<string> {
	if (!(await exists(base))) return base;
	for (let index = 2; index < 1000; index++) {
		const candidate = `${base}-${index}`;
		if (!(await exists(candidate))) return candidate;
	}

	throw new Error(`no free file name next to ${base}`);
}

const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Write next to the target, then rename over it, so a crash never leaves half a config. */
async function writeAtomically(host: HostEnv, file: string, bytes: Buffer): Promise<void> {
	const temporary = `${file}.pgha-tmp-${process.pid}`;
	await writeFile(temporary, bytes, {mode: 0o600});
	// Windows refuses the rename while another program (an editor, an antivirus) holds the file open.
	for (let attempt = 1; ; attempt++) {
		try {
			await rename(temporary, file);
			break;
		} catch (error) {
			if (host.platform !== 'win32' || attempt >= 5) {
				await unlink(temporary).catch(() => undefined);
				throw error;
			}

			await sleep(200 * attempt);
		}
	}

	if (host.platform !== 'win32') await chmod(file, 0o600);
}

export async function applySshConfig(
	host: HostEnv,
	plan: SshConfigPlan,
	now: () => Date = () => new Date(),
): Promise<SshConfigResult> {
	const {paths} = plan;
	const posix = host.platform !== 'win32';
	let createdSshDir = false;
	let fixedSshDirMode = false;
	const dirInfo = await stat(paths.sshDir).catch(() => undefined);
	if (!dirInfo) {
		await mkdir(paths.sshDir, {recursive: true, mode: 0o700});
		createdSshDir = true;
		if (posix) await chmod(paths.sshDir, 0o700);
	} else if (posix && (dirInfo.mode & 0o022) !== 0) {
		// OpenSSH rejects files in a folder others can write to.
		await chmod(paths.sshDir, 0o700);
		fixedSshDirMode = true;
	}

	let backup: string | undefined;
	if (plan.contentChanged) {
		if (plan.before) {
			backup = await freeName(`${paths.config}.pgha-backup-${stamp(now())}`);
			await copyFile(paths.config, backup);
			if (posix) await chmod(backup, 0o600);
		}

		// A config kept in a dotfiles repository is a symlink: write through it, do not replace it.
		const target = plan.before ? await realpath(paths.config).catch(() => paths.config) : paths.config;
		await writeAtomically(host, target, plan.after);
	} else if (plan.modeChanged) {
		await chmod(paths.config, 0o600);
	}

	let strayRenamedTo: string | undefined;
	if (plan.stray) {
		strayRenamedTo = await freeName(`${plan.stray.path}.pgha-merged`);
		await rename(plan.stray.path, strayRenamedTo);
	}

	return {
		wrote: plan.contentChanged,
		backup,
		strayRenamedTo,
		convertedFrom: plan.contentChanged && plan.encoding && isConverted(plan.encoding) ? plan.encoding : undefined,
		createdSshDir,
		fixedSshDirMode,
	};
}
