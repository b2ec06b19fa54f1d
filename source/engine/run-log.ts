/**
 * One log file per node per run: every command (masked) and every output line, with time and the
 * stage/step it belongs to. Buffered briefly so a 200k-line apt output costs few system calls;
 * a SIGKILL loses at most the last fraction of a second.
 */
import {closeSync, mkdirSync, openSync, writeSync} from 'node:fs';
import path from 'node:path';
import type {Masker} from './mask.ts';

export type LogKind = 'command' | 'stdout' | 'stderr' | 'info';

const marks: Record<LogKind, string> = {command: '$', stdout: ' ', stderr: '!', info: '#'};
const flushBytes = 64 * 1024;
const flushMs = 100;

export class NodeLog {
	readonly file: string;
	private fd: number | undefined;
	private buffer: string[] = [];
	private bytes = 0;
	private timer: NodeJS.Timeout | undefined;
	private readonly masker: Masker;

	constructor(file: string, masker: Masker) {
		this.file = file;
		this.masker = masker;
	}

	/** `tag` is "stage/step"; text is masked here, so callers cannot forget it. */
	write(tag: string, kind: LogKind, text: string): void {
		const entry = `${clock()} [${tag}] ${marks[kind]} ${this.masker.mask(text)}\n`;
		this.buffer.push(entry);
		this.bytes += entry.length;
		if (this.bytes >= flushBytes) this.flush();
		else this.timer ??= setTimeout(() => this.flush(), flushMs).unref();
	}

	flush(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		if (this.buffer.length === 0) return;
		this.fd ??= openSync(this.file, 'a', 0o600);
		writeSync(this.fd, this.buffer.join(''));
		this.buffer = [];
		this.bytes = 0;
	}

	close(): void {
		this.flush();
		if (this.fd !== undefined) closeSync(this.fd);
		this.fd = undefined;
	}
}

export class RunLogs {
	readonly dir: string;
	private readonly masker: Masker;
	private readonly logs = new Map<string, NodeLog>();

	constructor(dir: string, masker: Masker) {
		this.dir = dir;
		this.masker = masker;
		mkdirSync(dir, {recursive: true, mode: 0o700});
	}

	fileFor(participant: string): string {
		return path.join(this.dir, `${participant}.log`);
	}

	get(participant: string): NodeLog {
		let log = this.logs.get(participant);
		if (!log) {
			log = new NodeLog(this.fileFor(participant), this.masker);
			this.logs.set(participant, log);
		}

		return log;
	}

	closeAll(): void {
		for (const log of this.logs.values()) log.close();
	}
}

function clock(): string {
	const now = new Date();
	const pad = (value: number, size = 2) => String(value).padStart(size, '0');
	return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}`;
}
