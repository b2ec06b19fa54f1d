/**
 * A TCP connection made from inside a network namespace: pgha lab nodes are reachable only there.
 * `ip netns exec NS socat STDIO TCP:ip:port` carries the bytes; its stdio becomes the Duplex ssh2 reads
 * and writes, and socat's exit status and stderr become a socket-like error (ECONNREFUSED, ...).
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import {Duplex} from 'node:stream';

export interface NetnsSocketOptions {
	readonly netns: string;
	readonly host: string;
	readonly port: number;
	readonly connectTimeoutMs: number;
}

/** Error codes like a net.Socket's, from socat's or ip's message. */
export function socatErrorCode(stderr: string): string {
	if (/Connection refused/i.test(stderr)) return 'ECONNREFUSED';
	if (/No route to host/i.test(stderr)) return 'EHOSTUNREACH';
	if (/Network is unreachable/i.test(stderr)) return 'ENETUNREACH';
	if (/timed out/i.test(stderr)) return 'ETIMEDOUT';
	if (/Cannot open network namespace|Invalid netns|network namespace/i.test(stderr)) return 'ENETNS';
	if (/exec of "socat" failed|socat: not found|No such file or directory/i.test(stderr)) return 'ENOSOCAT';
	if (/Connection reset/i.test(stderr)) return 'ECONNRESET';
	return 'EPIPE';
}

export class NetnsSocket extends Duplex {
	private readonly child: ChildProcessWithoutNullStreams;
	private stderr = '';

	constructor(options: NetnsSocketOptions) {
		// Like a net.Socket: when the far side is gone, close both ways (ssh2 cleans up on 'close').
		super({allowHalfOpen: false});
		const seconds = Math.max(1, Math.ceil(options.connectTimeoutMs / 1000));
		// IPv6 literals need brackets in socat's address syntax.
		const host = options.host.includes(':') ? `[${options.host}]` : options.host;
		this.child = spawn(
			'ip',
			['netns', 'exec', options.netns, 'socat', 'STDIO', `TCP:${host}:${options.port},connect-timeout=${seconds}`],
			{stdio: ['pipe', 'pipe', 'pipe']},
		);
		const {child} = this;
		child.stdout.on('data', (chunk: Buffer) => {
			if (!this.push(chunk)) child.stdout.pause();
		});
		child.stderr.setEncoding('utf8');
		child.stderr.on('data', (chunk: string) => {
			// Only the start matters for the error; keep it bounded.
			if (this.stderr.length < 4096) this.stderr += chunk;
		});
		child.stdin.on('error', () => {
			// The exit status below tells what happened; a write after socat died is not news.
		});
		child.on('error', error => this.destroy(error));
		child.on('close', code => {
			if (code === 0 || this.destroyed) {
				this.push(null);
				return;
			}
			const message = this.stderr.trim().split('\n').pop() || `socat exited with ${code}`;
			const error = Object.assign(new Error(message), {code: socatErrorCode(this.stderr)});
			this.destroy(error);
		});
	}

	/** The namespace helper and socat are child processes: their exit is the socket's close. */
	override _read(): void {
		this.child.stdout.resume();
	}

	override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		if (this.child.stdin.writable) this.child.stdin.write(chunk, () => callback());
		else callback();
	}

	override _final(callback: (error?: Error | null) => void): void {
		this.child.stdin.end();
		callback();
	}

	override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
		if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
		callback(error);
	}
}
