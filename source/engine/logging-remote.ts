/**
 * Wraps a node's Remote for one step so that every command and every output line reaches the run
 * log, the screen's store and the failure report, masked, without steps doing anything for it.
 */
import type {Panel} from '../core/panel.ts';
import type {Progress} from '../core/progress.ts';
import type {ExecOptions, ExecResult, Remote, StreamName, UploadOptions} from '../core/remote.ts';

export interface CommandSink {
	command(text: string): void;
	line(text: string, stream: StreamName): void;
	info(text: string): void;
	/** Figures a step read from its tool's output (see StepContext.progress). */
	progress?(figures: Progress): void;
	/** A live block to keep on the screen, undefined to take it away (see StepContext.panel). */
	panel?(panel: Panel | undefined): void;
}

/** The command as the user could type it on the node: `sudo ...`, `sudo -u postgres ...`. */
export function displayCommand(command: string, options: Pick<ExecOptions, 'sudo' | 'asUser'> = {}): string {
	if (options.asUser) return `sudo -u ${options.asUser} ${command}`;
	if (options.sudo) return `sudo ${command}`;
	return command;
}

export function displayUpload(remotePath: string, bytes: number, options: UploadOptions): string {
	const owner = options.owner ? `, owner ${options.owner}${options.group ? `:${options.group}` : ''}` : '';
	return `write ${remotePath} (mode ${options.mode.toString(8).padStart(4, '0')}${owner}, ${bytes} bytes)`;
}

export function loggingRemote(remote: Remote, sink: CommandSink, context: {signal: AbortSignal; secrets: readonly string[]; prefix?: string}): Remote {
	const prefix = context.prefix ? `(${context.prefix}) ` : '';
	return {
		name: remote.name,
		host: remote.host,
		async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
			sink.command(prefix + displayCommand(command, options));
			try {
				const result = await remote.exec(command, {
					...options,
					signal: options.signal ?? context.signal,
					secrets: [...(options.secrets ?? []), ...context.secrets],
					onLine(line, stream) {
						sink.line(prefix + line, stream);
						options.onLine?.(line, stream);
					},
				});
				if (result.code !== 0) sink.info(`${prefix}exit code ${result.code}${result.signal ? ` (${result.signal})` : ''}`);
				return result;
			} catch (error) {
				sink.info(`${prefix}failed: ${error instanceof Error ? error.message : String(error)}`);
				throw error;
			}
		},
		async upload(content: string | Buffer, remotePath: string, options: UploadOptions): Promise<void> {
			// The content is not logged: it may hold passwords (patroni.yml); its path and size are enough.
			sink.command(prefix + displayUpload(remotePath, Buffer.byteLength(content), options));
			try {
				await remote.upload(content, remotePath, options);
			} catch (error) {
				sink.info(`${prefix}failed: ${error instanceof Error ? error.message : String(error)}`);
				throw error;
			}
		},
		close() {
			// Connections belong to the caller; a step must not close them.
		},
	};
}
