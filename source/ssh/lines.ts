/** Turning a byte stream into complete lines as it arrives, and keeping a bounded tail of it. */
import {StringDecoder} from 'node:string_decoder';
import {maskSecrets} from './mask.ts';

/** A line longer than this is passed on in pieces, so one endless line cannot eat the memory. */
const MAX_LINE = 1024 * 1024;

/**
 * Splits chunks into lines. The decoder holds back an incomplete UTF-8 sequence at a chunk's end,
 * and the carry holds back an incomplete line, so a character or a line split across chunks stays whole.
 */
export class LineSplitter {
	private readonly decoder = new StringDecoder('utf8');
	private carry = '';

	/** `complete` is false for the last piece without a newline and for pieces of an over-long line. */
	constructor(private readonly onLine: (line: string, complete: boolean) => void) {}

	write(chunk: Buffer | string): void {
		const text = this.carry + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
		let start = 0;
		for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
			this.emit(text.slice(start, end));
			start = end + 1;
		}
		this.carry = text.slice(start);
		while (this.carry.length > MAX_LINE) {
			this.onLine(this.carry.slice(0, MAX_LINE), false);
			this.carry = this.carry.slice(MAX_LINE);
		}
	}

	/** Flushes what is left: a last line without a newline, or bytes of a truncated character (as U+FFFD). */
	end(): void {
		const rest = this.carry + this.decoder.end();
		this.carry = '';
		if (rest !== '') this.onLine(rest, false);
	}

	private emit(line: string): void {
		this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line, true);
	}
}

/** Keeps the last `limit` characters of what is appended (the end of a long output is what explains it). */
export class TailBuffer {
	private pieces: string[] = [];
	private length = 0;
	private dropped = false;

	constructor(private readonly limit: number) {}

	append(text: string): void {
		this.pieces.push(text);
		this.length += text.length;
		if (this.length > 2 * this.limit) this.compact();
	}

	get truncated(): boolean {
		return this.dropped || this.length > this.limit;
	}

	toString(): string {
		this.compact();
		return this.pieces.join('');
	}

	private compact(): void {
		let joined = this.pieces.join('');
		if (joined.length > this.limit) {
			joined = joined.slice(joined.length - this.limit);
			this.dropped = true;
		}
		this.pieces = [joined];
		this.length = joined.length;
	}
}

/**
 * A command's output as every Remote handles it: a bounded tail of each stream for the result, and
 * each line, secrets masked, to the caller's `onLine`. A throwing callback is kept for the caller to
 * report once the command has ended, so it never breaks the stream.
 */
export class OutputSink {
	readonly stdout: TailBuffer;
	readonly stderr: TailBuffer;
	callbackError: unknown;

	constructor(
		limit: number,
		private readonly onLine: ((line: string, stream: 'stdout' | 'stderr') => void) | undefined,
		private readonly secrets: readonly string[] | undefined,
	) {
		this.stdout = new TailBuffer(limit);
		this.stderr = new TailBuffer(limit);
	}

	deliver(line: string, stream: 'stdout' | 'stderr', complete: boolean): void {
		this[stream].append(complete ? `${line}\n` : line);
		if (!this.onLine) return;
		try {
			this.onLine(maskSecrets(line, this.secrets), stream);
		} catch (error) {
			this.callbackError ??= error;
		}
	}
}
