/**
 * One SSH connection per node, reused for the whole run (ssh2 Client).
 *
 * - Auth: password (also answered to keyboard-interactive prompts, which PAM-based sshd uses) or a key file.
 * - Host keys: trust on first use into pgha's known-hosts file, verified on every later connection.
 * - exec: streams stdout and stderr as complete lines, keeps a bounded tail, returns the exit code;
 *   sudo through `sudo -n` or `sudo -S` with the password on stdin (see command.ts).
 * - A connection found dead when a command is about to start is re-opened once, transparently;
 *   a connection lost while a command runs is an error (the command may or may not have run).
 */
import {randomBytes} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {constants as osConstants} from 'node:os';
import {Client, type ClientChannel, type ConnectConfig, type SFTPWrapper} from 'ssh2';
import type {NodeConfig} from '../core/cluster.ts';
import {killSessionScript, parseSessionMarker, wrapCommand, type SudoMode} from './command.ts';
import {
	CommandError,
	SshError,
	commandTimeoutError,
	connectError,
	connectionLostError,
	hostKeyChangedError,
	hostKeyRejectedError,
	keyFileError,
	netnsError,
	sudoError,
	sudoProblem,
	toolMissingError,
	uploadError,
	type Target,
} from './errors.ts';
import {addHostKey, checkHostKey, preferredHostKeyAlgorithms} from './known-hosts.ts';
import {LineSplitter, OutputSink} from './lines.ts';
import {maskSecrets, registerSecret} from './mask.ts';
import {NetnsSocket} from './netns-socket.ts';
import {shellQuote} from './quote.ts';
import type {ExecOptions, ExecResult, Remote, StreamName, UploadOptions} from '../core/remote.ts';

export const PASSWORD_ENV = 'PGHA_SSH_PASSWORD';

/** The SSH/sudo password from the environment (for scripted runs); never stored anywhere by pgha. */
export function passwordFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
	const value = env[PASSWORD_ENV];
	return value === undefined || value === '' ? undefined : value;
}

export interface ConnectOptions {
	/** Login password (password auth) and sudo password. Defaults to $PGHA_SSH_PASSWORD. */
	readonly password?: string;
	/** When sudo's password differs from the login password (key auth, for instance). */
	readonly sudoPassword?: string;
	/** Passphrase of an encrypted key file. */
	readonly passphrase?: string;
	/** pgha's known-hosts file (see known-hosts.ts for the default location). */
	readonly knownHostsFile: string;
	/**
	 * Asked when a node's host key is not in the file yet; true trusts and records it. No connection
	 * to that node is open while it waits, so the answer may take as long as it takes.
	 * Default: trust and record (trust on first use).
	 */
	readonly onNewHostKey?: (fingerprint: string, node: NodeConfig) => Promise<boolean>;
	/** TCP connect + SSH handshake + login. Default 20 s. */
	readonly connectTimeoutMs?: number;
	/** Default 10 s; after keepaliveCountMax unanswered ones (default 3) the connection counts as dead. */
	readonly keepaliveIntervalMs?: number;
	readonly keepaliveCountMax?: number;
	/** Reach the node from inside this network namespace (pgha lab). Needs root, `ip` and `socat`. */
	readonly netns?: string;
	/** Characters of each stream's output kept in ExecResult (the tail). Default 1 MiB. */
	readonly maxCapture?: number;
	/**
	 * Commands (and uploads) running at once on this connection. OpenSSH allows 10 sessions; the rest
	 * is left for cancelling (which opens a channel) and for sessions sshd has not freed yet. Default 6.
	 */
	readonly maxChannels?: number;
	/** ssh2's protocol trace, for troubleshooting (it contains no passwords). */
	readonly debug?: (message: string) => void;
}

/** ssh2's default host key algorithms, in its order (Node 20 supports Ed25519). */
const HOST_KEY_ALGORITHMS = [
	'ssh-ed25519',
	'ecdsa-sha2-nistp256',
	'ecdsa-sha2-nistp384',
	'ecdsa-sha2-nistp521',
	'rsa-sha2-512',
	'rsa-sha2-256',
	'ssh-rsa',
];

const DEFAULT_CAPTURE = 1024 * 1024;

/** Refused channel opens on a live connection tried again (50 ms, 100 ms, ... about 5 s in all). */
const OPEN_RETRIES = 14;

/** Opens the connection to a node (host key checked, logged in) and returns its Remote. */
export async function connect(node: NodeConfig, options: ConnectOptions): Promise<SshRemote> {
	const remote = new SshRemote(node, options);
	await remote.open();
	return remote;
}

/**
 * A node's host key that is not known yet. The handshake that met it is given up before the question
 * is asked: sshd drops a connection that has not logged in within LoginGraceTime (2 min by default),
 * and a student may read a fingerprint, or be away, for longer than that.
 */
class UntrustedHostKey extends Error {
	constructor(
		readonly key: Buffer,
		readonly fingerprint: string,
	) {
		super('host key not trusted yet');
		this.name = 'UntrustedHostKey';
	}
}

/** Limits the channels open at once. */
class Slots {
	private free: number;
	private readonly waiting: Array<() => void> = [];

	constructor(count: number) {
		this.free = count;
	}

	async acquire(): Promise<() => void> {
		if (this.free > 0) this.free--;
		else await new Promise<void>(resolve => this.waiting.push(resolve));
		let released = false;
		return () => {
			if (released) return;
			released = true;
			const next = this.waiting.shift();
			if (next) next();
			else this.free++;
		};
	}
}

function abortError(signal: AbortSignal): Error {
	const error = new Error('The operation was aborted', {cause: signal.reason});
	error.name = 'AbortError';
	return error;
}

function signalNumber(name: string): number | undefined {
	return (osConstants.signals as Record<string, number | undefined>)[name];
}

/** ssh2 refuses to send a channel signal once stdin is closed, which is always the case here. */
function sendChannelSignal(channel: ClientChannel, name: string): void {
	try {
		const internal = channel as unknown as {
			_client?: {_protocol?: {signal?: (id: number, signal: string) => void}};
			outgoing?: {id?: number; state?: string};
		};
		const id = internal.outgoing?.id;
		const protocol = internal._client?._protocol;
		if (typeof id === 'number' && internal.outgoing?.state !== 'closed' && typeof protocol?.signal === 'function') {
			protocol.signal(id, name);
		} else {
			channel.signal(name);
		}
	} catch {
		// The process-tree kill that follows does the job anyway.
	}
}

/** The exit status, once the server sent it. */
interface ExitRecord {
	status?: {code: number | null; signal?: string};
}

interface Job {
	/** What the caller asked for, secrets masked: for errors. */
	readonly display: string;
	readonly remoteCommand: string;
	readonly stdin: string;
	readonly elevated: boolean;
	readonly options: ExecOptions;
}

/** The node's sshd hung up during the login: say who did it and what makes sshd do that. */
function closedBeforeLogin(target: Target): SshError {
	const at = `${target.name} (${target.port === 22 ? target.host : `${target.host}:${target.port}`})`;
	return new SshError('connection-lost', target.name, {
		en: `The SSH server of ${at} closed the connection before the login finished (its LoginGraceTime or MaxStartups limit, or a rule such as fail2ban); the VM itself answered. Run pgha again.`,
		ru: `SSH-сервер ${at} закрыл соединение, не дождавшись входа (его ограничение LoginGraceTime или MaxStartups либо правило вроде fail2ban); сама ВМ отвечает. Запустите pgha ещё раз.`,
	});
}

export class SshRemote implements Remote {
	readonly name: string;
	readonly host: string;
	readonly port: number;
	readonly user: string;
	/** SHA256 fingerprint of the node's host key, once connected. */
	hostKeyFingerprint: string | undefined;

	private client: Client | undefined;
	private opening: Promise<Client> | undefined;
	private closed = false;
	private sudo: Promise<SudoMode> | undefined;
	private readonly slots: Slots;
	private readonly password: string | undefined;
	private sudoPassword: string | undefined;
	private readonly timeoutMs: number;
	private readonly target: Target;

	constructor(
		readonly node: NodeConfig,
		private readonly options: ConnectOptions,
	) {
		this.name = node.name;
		this.host = node.ip;
		this.port = node.sshPort;
		this.user = node.sshUser;
		this.target = {name: node.name, host: node.ip, port: node.sshPort, user: node.sshUser};
		this.password = options.password ?? passwordFromEnv();
		this.sudoPassword = options.sudoPassword ?? this.password;
		registerSecret(this.password);
		registerSecret(this.sudoPassword);
		registerSecret(options.passphrase);
		this.timeoutMs = options.connectTimeoutMs ?? 20_000;
		this.slots = new Slots(options.maxChannels ?? 6);
	}

	/** Whether the SSH connection is up right now (exec re-opens it when it is not). */
	get connected(): boolean {
		return this.client !== undefined;
	}

	/** Connects (or returns the live connection). */
	async open(): Promise<void> {
		await this.ensureClient();
	}

	close(): void {
		this.closed = true;
		const client = this.client;
		this.client = undefined;
		client?.end();
	}

	async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
		return this.execJob(command, options, false);
	}

	async upload(content: string | Buffer, remotePath: string, options: UploadOptions): Promise<void> {
		const temp = `/tmp/pgha-upload-${randomBytes(8).toString('hex')}`;
		const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
		const release = await this.slots.acquire();
		try {
			const client = await this.ensureClient();
			const sftp = await new Promise<SFTPWrapper>((resolve, reject) => {
				client.sftp((error, session) => (error ? reject(error) : resolve(session)));
			});
			try {
				await new Promise<void>((resolve, reject) => {
					// 'wx': never write through a file or link someone else prepared at that name.
					sftp.writeFile(temp, data, {mode: 0o600, flag: 'wx'}, error => (error ? reject(error) : resolve()));
				});
			} finally {
				sftp.end();
			}
		} catch (error) {
			if (error instanceof SshError) throw error;
			throw uploadError(this.target, remotePath, error);
		} finally {
			release();
		}
		try {
			const mode = (options.mode & 0o7777).toString(8).padStart(4, '0');
			const owner = options.owner ? ` -o ${shellQuote(options.owner)}` : '';
			const group = options.group ? ` -g ${shellQuote(options.group)}` : '';
			// Install beside the target, then rename: readers never see a half-written file.
			const staged = `${remotePath}.pgha-new`;
			await this.exec(
				`install -m ${mode}${owner}${group} -T ${shellQuote(temp)} ${shellQuote(staged)} && mv -f -T ${shellQuote(staged)} ${shellQuote(remotePath)}`,
				{sudo: true},
			);
		} finally {
			await this.exec(`rm -f ${shellQuote(temp)}`, {allowFailure: true}).catch(() => undefined);
		}
	}

	/** A new sudo password (after a 'sudo-password' error the user typed it again): sudo is probed anew. */
	setSudoPassword(password: string): void {
		registerSecret(password);
		this.sudoPassword = password;
		this.sudo = undefined;
	}

	/** How sudo works here; found once per connection object and kept across reconnects. */
	async sudoMode(): Promise<SudoMode> {
		if (!this.sudo) {
			const probe = this.probeSudo();
			this.sudo = probe;
			// A broken connection is no answer about sudo: ask again next time.
			probe.catch(error => {
				if (this.sudo === probe && !(error instanceof SshError && error.kind.startsWith('sudo-'))) this.sudo = undefined;
			});
		}
		return this.sudo;
	}

	private async probeSudo(): Promise<SudoMode> {
		if (this.user === 'root') return 'root';
		const quiet = await this.runJob({
			display: 'sudo -n true',
			remoteCommand: wrapCommand('true', {sudo: 'nopasswd'}),
			stdin: '',
			elevated: false,
			options: {allowFailure: true},
		});
		if (quiet.code === 0) return 'nopasswd';
		const problem = sudoProblem(quiet.stderr);
		if (problem === 'sudo-missing' || quiet.code === 127) throw sudoError('sudo-missing', this.target);
		if (this.sudoPassword === undefined) throw sudoError(problem ?? 'sudo-password-needed', this.target);
		const withPassword = await this.runJob({
			display: "sudo -S -p '' true",
			remoteCommand: wrapCommand('true', {sudo: 'password'}),
			stdin: `${this.sudoPassword}\n`,
			elevated: false,
			options: {allowFailure: true},
		});
		if (withPassword.code === 0) return 'password';
		throw sudoError(sudoProblem(withPassword.stderr) ?? 'sudo-denied', this.target);
	}

	private async execJob(command: string, options: ExecOptions, internal: boolean): Promise<ExecResult> {
		if (options.signal?.aborted) throw abortError(options.signal);
		const elevated = options.sudo === true || options.asUser !== undefined;
		const mode = elevated ? await this.sudoMode() : undefined;
		const job: Job = {
			display: maskSecrets(command, options.secrets),
			remoteCommand: wrapCommand(command, {sudo: mode, asUser: options.asUser}),
			stdin: (mode === 'password' ? `${this.sudoPassword}\n` : '') + (options.stdin ?? ''),
			elevated,
			options,
		};
		return this.runJob(job, internal);
	}

	private async runJob(job: Job, internal = false): Promise<ExecResult> {
		const release = internal ? () => undefined : await this.slots.acquire();
		try {
			// Waiting for a free channel or for the sudo probe may outlast the caller's patience.
			if (job.options.signal?.aborted) throw abortError(job.options.signal);
			const {client, channel, exit} = await this.openChannel(job.remoteCommand);
			return await this.drive(client, channel, exit, job);
		} finally {
			release();
		}
	}

	/**
	 * A new exec channel; a connection found dead on the way is re-opened once. sshd frees a finished
	 * session a moment after its channel closes, so a refused channel on a live connection is tried
	 * again a few times (bounded) before it counts as an error.
	 */
	private async openChannel(remoteCommand: string): Promise<{client: Client; channel: ClientChannel; exit: ExitRecord}> {
		let reconnected = false;
		for (let refused = 0; ; ) {
			const client = await this.ensureClient();
			try {
				const exit: ExitRecord = {};
				const channel = await new Promise<ClientChannel>((resolve, reject) => {
					try {
						client.exec(remoteCommand, (error, stream) => {
							if (error) return reject(error);
							// A quick command's exit status can arrive in the same packet batch as the
							// exec reply, before any later listener exists: record it right here.
							stream.on('exit', (code: number | null, signal?: string) => {
								exit.status = {code: typeof code === 'number' ? code : null, signal: signal ?? undefined};
							});
							resolve(stream);
						});
					} catch (error) {
						reject(error);
					}
				});
				return {client, channel, exit};
			} catch (error) {
				// "Not connected": the socket ended but ssh2 has not reported the close yet.
				const died = this.client !== client || /Not connected|No response from server/.test(String(error));
				if (died && this.client === client) {
					this.client = undefined;
					client.destroy();
				}
				if (died && !reconnected) {
					reconnected = true;
					continue;
				}
				if (!died && /Channel open failure/.test(String(error)) && refused < OPEN_RETRIES) {
					refused++;
					await new Promise(resolve => setTimeout(resolve, 50 * refused));
					continue;
				}
				throw died ? connectionLostError(this.target, error) : connectError(this.target, error, this.timeoutMs);
			}
		}
	}

	private drive(client: Client, channel: ClientChannel, record: ExitRecord, job: Job): Promise<ExecResult> {
		const {options} = job;
		const limit = this.options.maxCapture ?? DEFAULT_CAPTURE;
		const sink = new OutputSink(limit, options.onLine, options.secrets);
		let sessionId: number | undefined;
		let announce: () => void = () => undefined;
		const announced = new Promise<void>(resolve => (announce = resolve));
		const out = new LineSplitter((line, complete) => sink.deliver(line, 'stdout', complete));
		const err = new LineSplitter((line, complete) => {
			if (sessionId === undefined) {
				const id = parseSessionMarker(line);
				if (id !== undefined) {
					sessionId = id;
					announce();
					return;
				}
			}
			sink.deliver(line, 'stderr', complete);
		});

		return new Promise<ExecResult>((resolve, reject) => {
			let closed = false;
			let stderrEnded = false;
			let stopping: 'abort' | 'timeout' | undefined;
			let settled = false;
			let killed = false;
			let grace: NodeJS.Timeout | undefined;

			const timer = options.timeoutMs ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined;
			const onAbort = (): void => stop('abort');
			options.signal?.addEventListener('abort', onAbort, {once: true});
			// Aborted while the channel was opening: the listener above will never fire.
			if (options.signal?.aborted) queueMicrotask(onAbort);

			const settle = (action: () => void): void => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				clearTimeout(grace);
				options.signal?.removeEventListener('abort', onAbort);
				action();
			};
			const stopped = (): void =>
				settle(() => {
					if (stopping === 'timeout') reject(commandTimeoutError(this.target, job.display, options.timeoutMs ?? 0));
					else reject(abortError(options.signal!));
				});

			const stop = (reason: 'abort' | 'timeout'): void => {
				if (stopping || settled) return;
				stopping = reason;
				sendChannelSignal(channel, 'TERM');
				// Stopped right after the start, the session id may still be on its way.
				const known =
					sessionId !== undefined
						? Promise.resolve()
						: Promise.race([announced, new Promise<void>(resolve => setTimeout(resolve, 5_000).unref())]);
				const kill = known
					.then(() => {
						if (sessionId === undefined) return undefined;
						return this.execJob(killSessionScript(sessionId), {sudo: job.elevated, allowFailure: true, timeoutMs: 30_000}, true);
					})
					.then(
						() => undefined,
						() => undefined,
					);
				void kill.then(() => {
					killed = true;
					if (closed) return stopped();
					try {
						channel.close();
					} catch {}
					// The channel closes once its process is gone; do not wait forever for a stuck one.
					grace = setTimeout(stopped, 5_000);
				});
			};

			const finish = (): void => {
				if (!closed || !stderrEnded || settled) return;
				out.end();
				err.end();
				if (stopping) {
					// The process tree is gone once the kill script returned: settle after it.
					if (killed) stopped();
					return;
				}
				const stdout = sink.stdout.toString();
				const stderr = sink.stderr.toString();
				if (sink.callbackError) return settle(() => reject(sink.callbackError));
				const exit = record.status;
				if (!exit && this.client !== client) return settle(() => reject(connectionLostError(this.target)));
				const signal = exit?.signal;
				const number = signal ? signalNumber(signal) : undefined;
				const code = exit?.code ?? (number !== undefined ? 128 + number : -1);
				const result: ExecResult = {code, signal, stdout, stderr};
				// allowFailure also covers a missing exit status: the code is then -1, still a failure.
				if (code === 0 || options.allowFailure) return settle(() => resolve(result));
				settle(() =>
					reject(
						new CommandError(this.target, {
							command: job.display,
							code,
							signal,
							stdout: maskSecrets(stdout, options.secrets),
							stderr: maskSecrets(stderr, options.secrets),
						}),
					),
				);
			};

			channel.on('data', (chunk: Buffer) => out.write(chunk));
			channel.stderr.on('data', (chunk: Buffer) => err.write(chunk));
			channel.stderr.on('end', () => {
				stderrEnded = true;
				finish();
			});
			channel.on('close', () => {
				closed = true;
				announce();
				// ssh2 ends stderr together with the channel; a destroyed one never emits 'end'.
				if (channel.stderr.destroyed || channel.stderr.readableEnded) stderrEnded = true;
				setImmediate(() => {
					stderrEnded = true;
					finish();
				});
				finish();
			});
			channel.on('error', () => {
				// Reported through 'close' and the missing exit status.
			});
			channel.stderr.on('error', () => {});

			if (job.stdin !== '') channel.write(job.stdin);
			// Always end stdin: a command that reads it must not wait forever.
			channel.end();
		});
	}

	private async ensureClient(): Promise<Client> {
		if (this.closed) throw new Error(`${this.name}: the SSH connection was closed by pgha`);
		if (this.client) return this.client;
		this.opening ??= this.handshakeTrusting().finally(() => {
			this.opening = undefined;
		});
		return this.opening;
	}

	/** A new host key is asked about with no connection open, then the handshake starts over. */
	private async handshakeTrusting(): Promise<Client> {
		try {
			return await this.handshake();
		} catch (error) {
			if (!(error instanceof UntrustedHostKey)) throw error;
			const {node, options, target} = this;
			let trusted: boolean;
			try {
				trusted = await options.onNewHostKey!(error.fingerprint, node);
			} catch (askError) {
				throw askError instanceof SshError ? askError : hostKeyRejectedError(target, error.fingerprint);
			}

			if (!trusted) throw hostKeyRejectedError(target, error.fingerprint);
			if (this.closed) throw new Error(`${this.name}: the SSH connection was closed by pgha`);
			addHostKey(options.knownHostsFile, node.ip, node.sshPort, error.key);
			// The key is known now: a node that offers another one this time is a changed key, not a question.
			return this.handshake();
		}
	}

	private handshake(): Promise<Client> {
		const {node, options, target} = this;
		const file = options.knownHostsFile;
		return new Promise<Client>((resolve, reject) => {
			const client = new Client();
			let settled = false;
			let verifyFailure: SshError | UntrustedHostKey | undefined;
			// The server answered (it showed its host key): a close before login is its decision, not a VM that is off.
			let serverAnswered = false;

			const fail = (error: unknown): void => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				client.destroy();
				reject(verifyFailure ?? translate(error));
			};
			const translate = (error: unknown): SshError => {
				const code = (error as {code?: unknown} | undefined)?.code;
				if (options.netns && code === 'ENETNS') {
					return netnsError(target, options.netns, error instanceof Error ? error.message : String(error));
				}
				if (code === 'ENOSOCAT') {
					return toolMissingError(target, 'socat', {
						en: 'install it with "apt install socat".',
						ru: 'установите его командой «apt install socat».',
					});
				}
				return connectError(target, error, this.timeoutMs);
			};
			const timer = setTimeout(() => {
				fail(Object.assign(new Error('Timed out while connecting'), {code: 'ETIMEDOUT'}));
			}, this.timeoutMs);

			client.on('error', error => {
				if (!settled) fail(error);
				// After login an error means the connection is gone; 'close' follows and marks it.
			});
			const gone = (): void => {
				if (this.client === client) this.client = undefined;
			};
			// 'end' comes first when the server goes away; a new exec must not pick this client then.
			client.on('end', gone);
			client.on('close', () => {
				gone();
				if (settled) return;
				if (serverAnswered && !verifyFailure) verifyFailure = closedBeforeLogin(target);
				fail(Object.assign(new Error('Connection lost before login'), {code: 'ECONNRESET'}));
			});
			client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
				// PAM asks "Password:" this way; answer only when there is a password to give.
				finish(prompts.map(() => this.password ?? ''));
			});
			client.on('ready', () => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				if (this.closed) {
					client.end();
					reject(new Error(`${this.name}: the SSH connection was closed by pgha`));
					return;
				}
				this.client = client;
				resolve(client);
			});

			const hostVerifier = (key: Buffer, verify: (valid: boolean) => void): void => {
				serverAnswered = true;
				const status = checkHostKey(file, node.ip, node.sshPort, key);
				this.hostKeyFingerprint = status.fingerprint;
				if (status.status === 'known') return verify(true);
				if (status.status === 'changed') {
					verifyFailure = hostKeyChangedError(target, status.known.join(', '), status.fingerprint, file);
					return verify(false);
				}
				if (options.onNewHostKey) {
					// Asked with this handshake given up (handshakeTrusting): nothing half-open waits on the answer.
					verifyFailure = new UntrustedHostKey(key, status.fingerprint);
					return verify(false);
				}
				addHostKey(file, node.ip, node.sshPort, key);
				verify(true);
			};

			const config: ConnectConfig = {
				username: node.sshUser,
				hostVerifier,
				readyTimeout: 0,
				debug: options.debug,
				keepaliveInterval: options.keepaliveIntervalMs ?? 10_000,
				keepaliveCountMax: options.keepaliveCountMax ?? 3,
				algorithms: {
					serverHostKey: preferredHostKeyAlgorithms(file, node.ip, node.sshPort, HOST_KEY_ALGORITHMS) as never,
				},
			};
			if (node.auth.kind === 'key') {
				try {
					config.privateKey = readFileSync(node.auth.keyFile);
				} catch (error) {
					fail(keyFileError(target, node.auth.keyFile, error));
					return;
				}
				if (options.passphrase !== undefined) config.passphrase = options.passphrase;
			} else {
				config.password = this.password ?? '';
				config.tryKeyboard = true;
			}
			if (options.netns) {
				const sock = new NetnsSocket({
					netns: options.netns,
					host: node.ip,
					port: node.sshPort,
					connectTimeoutMs: this.timeoutMs,
				});
				sock.on('error', () => {
					// ssh2 listens too and reports it as the client's error.
				});
				config.sock = sock;
			} else {
				config.host = node.ip;
				config.port = node.sshPort;
			}
			try {
				client.connect(config);
			} catch (error) {
				// ssh2 throws synchronously on a key it cannot parse.
				if (node.auth.kind === 'key') fail(keyFileError(target, node.auth.keyFile, error));
				else fail(error);
			}
		});
	}
}
