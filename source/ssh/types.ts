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
	/** Called with each complete line as it arrives (UTF-8 safe). */
	readonly onLine?: (line: string, stream: StreamName) => void;
	readonly timeoutMs?: number;
	/** Resolve with a non-zero code instead of throwing. Default false: non-zero throws CommandError. */
	readonly allowFailure?: boolean;
	/** Strings to mask in logs (secrets appearing in the command or output). */
	readonly secrets?: readonly string[];
}

export interface ExecResult {
	readonly code: number;
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
