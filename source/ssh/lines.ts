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

/**
 * Keeps the last `limit` characters of what is appended (the end of a long output is what explains
 * it), as UTF-8 in one buffer reused as a ring: a long output (200,000 apt lines) passes through
 * without its lines living long enough to reach V8's old space, where they would pile up as garbage
 * and raise the peak memory. Three bytes per character hold any text (a 4-byte character is 2).
 */
export class TailBuffer {
	private ring = Buffer.alloc(0);
	/** Where the next byte goes; once the ring is full, also where the oldest byte is. */
	private end = 0;
	private full = false;
	private dropped = false;

	private readonly capacity: number;

	constructor(private readonly limit: number) {
		this.capacity = 3 * limit;
	}

	append(text: string): void {
		const bytes = Buffer.byteLength(text);
		if (bytes === 0) return;
		if (!this.full && this.end + bytes > this.ring.length && this.ring.length < this.capacity) this.grow(this.end + bytes);
		const size = this.ring.length;
		// A full ring overwrites its oldest bytes with every append.
		if (this.full) this.dropped = true;
		if (this.end + bytes <= size) {
			this.ring.write(text, this.end);
			this.end += bytes;
		} else {
			// Wraps around, or is longer than the whole ring: only its last bytes can stay.
			const encoded = Buffer.from(text).subarray(Math.max(0, bytes - size));
			const first = Math.min(encoded.length, size - this.end);
			encoded.copy(this.ring, this.end, 0, first);
			encoded.copy(this.ring, 0, first);
			this.end = (this.end + encoded.length) % size;
			this.full = true;
			this.dropped = true;
		}

		if (this.end === size && size >= this.capacity) {
			this.end = 0;
			this.full = true;
		}
	}

	get truncated(): boolean {
		return this.dropped || this.decoded().length > this.limit;
	}

	toString(): string {
		const text = this.decoded();
		return text.length > this.limit ? text.slice(-this.limit) : text;
	}

	private decoded(): string {
		const held = this.full ? Buffer.concat([this.ring.subarray(this.end), this.ring.subarray(0, this.end)]) : this.ring.subarray(0, this.end);
		// The oldest character may have lost its first bytes to the ring: it is not shown half.
		let start = 0;
		if (this.dropped) while (start < held.length && (held[start]! & 0xc0) === 0x80) start++;
		return held.toString('utf8', start);
	}

	private grow(needed: number): void {
		let size = Math.max(1024, this.ring.length);
		while (size < needed && size < this.capacity) size *= 2;
		const next = Buffer.alloc(Math.min(size, this.capacity));
		this.ring.copy(next, 0, 0, this.end);
		this.ring = next;
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
