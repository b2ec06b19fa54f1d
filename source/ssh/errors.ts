/**
 * SSH failures as one sentence in Russian and English that names the node and says what to do.
 * Raw errors (socket codes, ssh2 messages, sudo's stderr) are translated here and nowhere else.
 */
import {LocalizedError} from '../core/error.ts';
import type {Text} from '../core/text.ts';

export type SshErrorKind =
	| 'refused'
	| 'timeout'
	| 'unreachable'
	| 'dns'
	| 'auth'
	| 'key-file'
	| 'host-key-changed'
	| 'host-key-rejected'
	| 'netns'
	| 'tool-missing'
	| 'connection-lost'
	| 'sudo-password'
	| 'sudo-password-needed'
	| 'sudo-denied'
	| 'sudo-missing'
	| 'command-failed'
	| 'command-timeout'
	| 'upload'
	| 'unknown';

/** Kinds worth retrying after a pause: the network or the machine may come back by itself. */
const TRANSIENT = new Set<SshErrorKind>(['refused', 'timeout', 'unreachable', 'connection-lost']);

/** Who the sentence is about: a node name and where pgha tried to reach it. */
export interface Target {
	readonly name: string;
	readonly host: string;
	readonly port: number;
	readonly user: string;
}

export class SshError extends LocalizedError {
	readonly kind: SshErrorKind;
	readonly node: string;
	/** A retry after a pause may succeed (network or machine trouble, not a wrong setting). */
	readonly transient: boolean;

	constructor(kind: SshErrorKind, node: string, text: Text, options?: {cause?: unknown}) {
		super(text, {cause: options?.cause});
		this.name = 'SshError';
		this.kind = kind;
		this.node = node;
		this.transient = TRANSIENT.has(kind);
	}
}

/** A command that ended with a non-zero code (or with no code at all). */
export class CommandError extends SshError {
	/** The command as the user wrote it, secrets masked. */
	readonly command: string;
	/** -1 when the server sent no exit status; 128 + n for signal n, as a shell reports it. */
	readonly code: number;
	readonly signal?: string;
	readonly stdout: string;
	readonly stderr: string;

	constructor(
		target: Target,
		details: {command: string; code: number; signal?: string; stdout: string; stderr: string},
	) {
		super('command-failed', target.name, commandFailedText(target, details));
		this.name = 'CommandError';
		this.command = details.command;
		this.code = details.code;
		this.signal = details.signal;
		this.stdout = details.stdout;
		this.stderr = details.stderr;
	}
}

function where(target: Target): string {
	return target.port === 22 ? target.host : `${target.host}:${target.port}`;
}

/** Long commands make unreadable sentences: the first line, shortened. */
function shortCommand(command: string): string {
	const first = command.trim().split('\n')[0] ?? '';
	const short = first.length > 120 ? `${first.slice(0, 117)}...` : first;
	return command.trim().includes('\n') && short === first ? `${short} ...` : short;
}

/** The last few non-empty stderr lines: usually the reason. */
export function lastLines(text: string, count = 3): string {
	return text
		.split('\n')
		.map(line => line.trim())
		.filter(Boolean)
		.slice(-count)
		.join(' | ');
}

function commandFailedText(
	target: Target,
	details: {command: string; code: number; signal?: string; stderr: string; stdout: string},
): Text {
	const command = shortCommand(details.command);
	// The sentence adds its own full stop.
	const tail = (lastLines(details.stderr) || lastLines(details.stdout, 2)).replace(/[.\s]+$/, '');
	const enTail = tail ? `: ${tail}` : ' (no error output)';
	const ruTail = tail ? `: ${tail}` : ' (без вывода ошибок)';
	if (details.signal) {
		return {
			en: `On ${target.name} the command "${command}" was killed by ${details.signal}${enTail}.`,
			ru: `На ${target.name} команда «${command}» убита сигналом ${details.signal}${ruTail}.`,
		};
	}
	if (details.code === -1) {
		return {
			en: `On ${target.name} the command "${command}" ended without an exit status, so pgha cannot tell whether it worked${enTail}; run pgha again.`,
			ru: `На ${target.name} команда «${command}» завершилась без кода возврата, поэтому нельзя понять, сработала ли она${ruTail}; запустите pgha ещё раз.`,
		};
	}
	return {
		en: `On ${target.name} the command "${command}" failed with exit code ${details.code}${enTail}.`,
		ru: `На ${target.name} команда «${command}» завершилась с кодом ${details.code}${ruTail}.`,
	};
}

export function commandTimeoutError(target: Target, command: string, timeoutMs: number): SshError {
	const seconds = Math.round(timeoutMs / 1000);
	const short = shortCommand(command);
	return new SshError('command-timeout', target.name, {
		en: `On ${target.name} the command "${short}" did not finish within ${seconds} s and was stopped; check the node's load and network, then run pgha again.`,
		ru: `На ${target.name} команда «${short}» не завершилась за ${seconds} с и была остановлена; проверьте нагрузку и сеть узла и запустите pgha ещё раз.`,
	});
}

export function connectionLostError(target: Target, cause?: unknown): SshError {
	return new SshError(
		'connection-lost',
		target.name,
		{
			en: `The SSH connection to ${target.name} (${where(target)}) was lost while a command was running; check that the VM is still on, then run pgha again (finished steps are kept).`,
			ru: `SSH-соединение с ${target.name} (${where(target)}) оборвалось во время выполнения команды; проверьте, что ВМ включена, и запустите pgha ещё раз (выполненные шаги сохранятся).`,
		},
		{cause},
	);
}

export function hostKeyChangedError(target: Target, known: string, offered: string, file: string): SshError {
	return new SshError('host-key-changed', target.name, {
		en: `The host key of ${target.name} (${where(target)}) has changed: pgha knows ${known}, the server now shows ${offered}; if you reinstalled this VM, delete its line from ${file}, otherwise someone may be intercepting the connection, so do not continue.`,
		ru: `Ключ хоста ${target.name} (${where(target)}) изменился: pgha знает ${known}, сервер сейчас показывает ${offered}; если вы переустановили эту ВМ, удалите её строку из ${file}, иначе соединение может быть перехвачено — не продолжайте.`,
	});
}

export function hostKeyRejectedError(target: Target, offered: string): SshError {
	return new SshError('host-key-rejected', target.name, {
		en: `You did not trust the host key ${offered} of ${target.name} (${where(target)}), so pgha did not connect; compare it with the output of "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub" on the VM.`,
		ru: `Вы не подтвердили ключ хоста ${offered} узла ${target.name} (${where(target)}), поэтому pgha не подключился; сравните его с выводом «ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub» на ВМ.`,
	});
}

export function keyFileError(target: Target, file: string, cause: unknown): SshError {
	const reason = cause instanceof Error ? cause.message : String(cause);
	return new SshError(
		'key-file',
		target.name,
		{
			en: `The SSH key file ${file} for ${target.name} cannot be used (${reason}); check the path in the cluster file or switch the node to password login.`,
			ru: `Файл SSH-ключа ${file} для ${target.name} не подходит (${reason}); проверьте путь в файле кластера или переключите узел на вход по паролю.`,
		},
		{cause},
	);
}

export function netnsError(target: Target, netns: string, detail: string): SshError {
	return new SshError('netns', target.name, {
		en: `The lab network namespace "${netns}" is not available (${detail}), so ${target.name} cannot be reached; start the lab with "pgha lab up" (as root).`,
		ru: `Сетевое пространство имён лаборатории «${netns}» недоступно (${detail}), поэтому до ${target.name} не добраться; запустите лабораторию командой «pgha lab up» (от root).`,
	});
}

export function sudoError(
	kind: 'sudo-password' | 'sudo-password-needed' | 'sudo-denied' | 'sudo-missing',
	target: Target,
): SshError {
	const texts: Record<typeof kind, Text> = {
		'sudo-password': {
			en: `sudo on ${target.name} rejected the password of user "${target.user}"; enter that user's own login password (the one you type in the VM's console).`,
			ru: `sudo на ${target.name} не принял пароль пользователя «${target.user}»; введите его собственный пароль входа (тот, что вы вводите в консоли ВМ).`,
		},
		'sudo-password-needed': {
			en: `sudo on ${target.name} asks for the password of user "${target.user}" but pgha has none; enter it when pgha asks, or set PGHA_SSH_PASSWORD.`,
			ru: `sudo на ${target.name} спрашивает пароль пользователя «${target.user}», а у pgha его нет; введите его, когда pgha спросит, или задайте PGHA_SSH_PASSWORD.`,
		},
		'sudo-denied': {
			en: `User "${target.user}" may not use sudo on ${target.name}; in the VM's console, as a user with sudo rights, run "sudo usermod -aG sudo ${target.user}", then run pgha again.`,
			ru: `Пользователю «${target.user}» нельзя пользоваться sudo на ${target.name}; в консоли ВМ от пользователя с правами sudo выполните «sudo usermod -aG sudo ${target.user}» и запустите pgha ещё раз.`,
		},
		'sudo-missing': {
			en: `sudo is not installed on ${target.name}; in the VM's console log in as root and run "apt install sudo", then run pgha again.`,
			ru: `На ${target.name} не установлен sudo; в консоли ВМ войдите как root и выполните «apt install sudo», затем запустите pgha ещё раз.`,
		},
	};
	return new SshError(kind, target.name, texts[kind]);
}

/** What sudo's stderr says went wrong (LC_ALL=C is set, so the messages are English). */
export function sudoProblem(stderr: string): 'sudo-password' | 'sudo-password-needed' | 'sudo-denied' | 'sudo-missing' | undefined {
	if (/not in the sudoers file|is not allowed to run sudo|may not run sudo/i.test(stderr)) return 'sudo-denied';
	if (/incorrect password|Sorry, try again|no password was provided|Authentication failure/i.test(stderr)) {
		return 'sudo-password';
	}
	if (/a password is required|a terminal is required/i.test(stderr)) return 'sudo-password-needed';
	if (/sudo: (command )?not found|sudo: No such file/i.test(stderr)) return 'sudo-missing';
	return undefined;
}

interface RawError {
	readonly code?: unknown;
	readonly level?: unknown;
	readonly message?: unknown;
}

/** The kind of a failure to connect, from a socket error code or an ssh2 error. */
export function classifyConnectError(error: unknown): SshErrorKind {
	const raw = (error ?? {}) as RawError;
	const code = typeof raw.code === 'string' ? raw.code : '';
	const message = typeof raw.message === 'string' ? raw.message : String(error);
	if (code === 'ECONNREFUSED' || /connection refused/i.test(message)) return 'refused';
	if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || /no route to host|network is unreachable/i.test(message)) {
		return 'unreachable';
	}
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'dns';
	if (code === 'ETIMEDOUT' || /timed out|timeout/i.test(message)) return 'timeout';
	if (raw.level === 'client-authentication' || /authentication methods failed/i.test(message)) return 'auth';
	if (code === 'ECONNRESET' || code === 'EPIPE' || /connection lost|socket (closed|ended)|no response from server|not connected/i.test(message)) {
		return 'connection-lost';
	}
	return 'unknown';
}

/** One clear sentence for a failure to connect to a node. */
export function connectError(target: Target, error: unknown, timeoutMs: number): SshError {
	if (error instanceof SshError) return error;
	const kind = classifyConnectError(error);
	const at = `${target.name} (${where(target)})`;
	const seconds = Math.round(timeoutMs / 1000);
	const reason = error instanceof Error ? error.message : String(error);
	const texts: Partial<Record<SshErrorKind, Text>> = {
		refused: {
			en: `${at} refused the SSH connection: no SSH server is running there; do the "SSH server" stage on that VM ("sudo apt install openssh-server", then "sudo systemctl enable --now ssh") and check the port in the cluster file.`,
			ru: `${at} отклонил SSH-подключение: SSH-сервер там не запущен; выполните на этой ВМ этап «SSH-сервер» («sudo apt install openssh-server», затем «sudo systemctl enable --now ssh») и проверьте порт в файле кластера.`,
		},
		timeout: {
			en: `${at} did not answer within ${seconds} s; check that the VM is running, that its IP address is right ("ip addr" on the VM) and that its network adapter is in bridged mode.`,
			ru: `${at} не ответил за ${seconds} с; проверьте, что ВМ запущена, что её IP-адрес верный («ip addr» на ВМ) и что сетевой адаптер в режиме «Сетевой мост».`,
		},
		unreachable: {
			en: `There is no route to ${at}: this computer and the VM are not on one network; check the VM's bridged adapter and its address ("ip addr" on the VM).`,
			ru: `Нет маршрута до ${at}: этот компьютер и ВМ не в одной сети; проверьте сетевой мост ВМ и её адрес («ip addr» на ВМ).`,
		},
		dns: {
			en: `The name of ${at} cannot be resolved; put the VM's IP address in the cluster file instead.`,
			ru: `Имя ${at} не удаётся разрешить; укажите в файле кластера IP-адрес ВМ.`,
		},
		auth: {
			en: `${at} rejected the login of user "${target.user}": the password or key is wrong, or the user does not exist; check the user name in the cluster file and the password.`,
			ru: `${at} не пустил пользователя «${target.user}»: неверный пароль или ключ, либо такого пользователя нет; проверьте имя пользователя в файле кластера и пароль.`,
		},
		'connection-lost': {
			en: `The SSH connection to ${at} broke off (${reason}); check that the VM is still running, then run pgha again.`,
			ru: `SSH-соединение с ${at} оборвалось (${reason}); проверьте, что ВМ работает, и запустите pgha ещё раз.`,
		},
	};
	const text = texts[kind] ?? {
		en: `SSH to ${at} failed: ${reason}; check the VM and the node's entry in the cluster file.`,
		ru: `Не удалось подключиться по SSH к ${at}: ${reason}; проверьте ВМ и запись узла в файле кластера.`,
	};
	return new SshError(kind, target.name, text, {cause: error});
}

export function uploadError(target: Target, remotePath: string, cause: unknown): SshError {
	const reason = cause instanceof Error ? cause.message : String(cause);
	return new SshError(
		'upload',
		target.name,
		{
			en: `Copying a file to ${remotePath} on ${target.name} failed (${reason}); check free space in /tmp on the node ("df -h /tmp").`,
			ru: `Не удалось скопировать файл в ${remotePath} на ${target.name} (${reason}); проверьте свободное место в /tmp на узле («df -h /tmp»).`,
		},
		{cause},
	);
}

/** A failure not reported yet in a translated form, for the local executor. */
export function toolMissingError(target: Target, tool: string, hint: Text): SshError {
	return new SshError('tool-missing', target.name, {
		en: `${tool} is missing on this computer, so ${target.name} cannot be reached; ${hint.en}`,
		ru: `На этом компьютере нет ${tool}, поэтому до ${target.name} не добраться; ${hint.ru}`,
	});
}
