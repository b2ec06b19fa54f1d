/** What steps and the engine see of one node's SSH connection. Implemented by source/ssh/connection.ts. */

export type StreamName = 'stdout' | 'stderr';

export interface ExecOptions {
	/** Run as root: `sudo -n` when allowed, else `sudo -S -p ''` with the password on stdin. */
	readonly sudo?: boolean;
	/** Run as this user through sudo (`sudo -u USER`); implies sudo. */
	readonly asUser?: string;
	/** Extra stdin after the sudo password (if any). */
	readonly stdin?: string;
	readonly signal?: AbortSignal;
	/**
	 * Called with each complete line as it arrives (UTF-8 safe; a last line without a newline comes at
	 * the end). Registered secrets and `secrets` are already masked. A throw fails the exec.
	 */
	readonly onLine?: (line: string, stream: StreamName) => void;
	readonly timeoutMs?: number;
	/**
	 * Resolve with a non-zero code instead of throwing. Default false: non-zero throws CommandError.
	 * Cancelling (signal) rejects with an Error named AbortError; timeoutMs with SshError 'command-timeout'.
	 */
	readonly allowFailure?: boolean;
	/** Strings to mask in logs (secrets appearing in the command or output). */
	readonly secrets?: readonly string[];
}

export interface ExecResult {
	/** Exit code; 128 + n when killed by signal n (as a shell reports it); -1 when the server sent none. */
	readonly code: number;
	/** Node's spelling, e.g. 'SIGKILL', when the command was killed by a signal. */
	readonly signal?: string;
	/** Captured output, bounded (the tail is kept when huge). */
	readonly stdout: string;
	readonly stderr: string;
}

export interface UploadOptions {
	readonly mode: number;
	readonly owner?: string;
	readonly group?: string;
}

export interface Remote {
	readonly name: string;
	readonly host: string;
	exec(command: string, options?: ExecOptions): Promise<ExecResult>;
	upload(content: string | Buffer, remotePath: string, options: UploadOptions): Promise<void>;
	close(): void;
}
