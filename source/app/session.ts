/**
 * Everything a command needs before stages run: the cluster file, secrets, paths, the SSH password
 * and one connection per node. Commands open one session and close it once.
 */
import {password as askPassword} from '@inquirer/prompts';
import {loadClusterFile} from '../config/load.ts';
import {loadOrCreateSecrets, sshPassword} from '../config/secrets.ts';
import {ensurePghaDirs, pghaPaths, type PghaPaths} from '../config/paths.ts';
import {LocalizedError} from '../core/error.ts';
import type {Text} from '../core/text.ts';
import type {ClusterConfig, ConfigIssue, Secrets} from '../core/cluster.ts';
import {issue} from '../config/messages.ts';
import {guardSecrets} from '../config/secrets-guard.ts';
import {readState, setAsideUnusableState} from '../engine/state.ts';
import {secretStageIds} from '../../steps/index.ts';
import {closeAll, connectAll, connectEach} from '../ssh/pool.ts';
import type {SshError} from '../ssh/errors.ts';
import {localRemote} from '../ssh/local.ts';
import type {Remote} from '../core/remote.ts';
import type {NodeConfig} from '../core/cluster.ts';
import type {Lang} from '../core/text.ts';

export interface Session {
	readonly cluster: ClusterConfig;
	/** What the user should read before the run: cluster file warnings, a widened secrets file, a state file set aside. */
	readonly warnings: readonly ConfigIssue[];
	readonly secrets: Secrets;
	readonly paths: PghaPaths;
	readonly remotes: ReadonlyMap<string, Remote>;
	readonly hostRemote: Remote;
	/** With `partial`: the nodes that could not be reached, each with its reason (they have no remote). */
	readonly unreachable: ReadonlyMap<string, SshError>;
	/** The SSH/sudo password, to be masked in logs; undefined with key auth. */
	readonly password?: string;
	close(): void;
}

export interface OpenOptions {
	readonly configFile: string;
	readonly lang: Lang;
	readonly interactive: boolean;
	readonly onNewHostKey?: (fingerprint: string, node: NodeConfig) => Promise<boolean>;
	/** Told the warnings as soon as they are known: before the password prompt and the connections, which may fail. */
	readonly onWarnings?: (warnings: readonly ConfigIssue[]) => void;
	/** Connect to the nodes (not needed for `runbook`). Default true. */
	readonly connect?: boolean;
	/** Go on with the nodes that answer and report the others in `unreachable` (for `pgha doctor`). Default false: any node failing stops the command. */
	readonly partial?: boolean;
}

/** The command cannot run as asked (e.g. no way to get the SSH password): exit 2, nothing was done. */
export class UsageError extends LocalizedError {
	override readonly name = 'UsageError';
	constructor(text: Text) {
		super(text, {exit: 'usage'});
	}
}

function needsPassword(cluster: ClusterConfig): boolean {
	return cluster.nodes.some(node => node.auth.kind === 'password');
}

/** The password comes from PGHA_SSH_PASSWORD or a prompt; it is never written anywhere. */
/** Whether a usable password can be had at all: decided before anything is written, asked or connected. */
function checkPasswordSource(cluster: ClusterConfig, lang: Lang, interactive: boolean): void {
	// sudo reads the password up to the first line break: such a value can never be the right one. Never echoed.
	if (/[\u0000-\u001f\u007f]/.test(process.env.PGHA_SSH_PASSWORD ?? '')) {
		throw new UsageError({
			ru: 'PGHA_SSH_PASSWORD содержит перевод строки или другой управляющий символ; пароль SSH/sudo таким быть не может. Задайте переменную заново (значение не показывается).',
			en: 'PGHA_SSH_PASSWORD contains a line break or another control character, which an SSH/sudo password cannot; set it again (the value is not shown).',
		});
	}

	if (sshPassword() === undefined && needsPassword(cluster) && !interactive) {
		throw new UsageError({
			ru: 'Нужен пароль SSH/sudo: задайте переменную окружения PGHA_SSH_PASSWORD (терминала нет, спросить некому).',
			en: 'The SSH/sudo password is needed: set PGHA_SSH_PASSWORD (there is no terminal to ask in).',
		});
	}
}

async function obtainPassword(cluster: ClusterConfig, lang: Lang): Promise<string | undefined> {
	const fromEnv = sshPassword();
	if (fromEnv !== undefined || !needsPassword(cluster)) return fromEnv;
	const user = cluster.nodes[0]!.sshUser;
	return askPassword({message: lang === 'ru' ? `Пароль SSH и sudo пользователя ${user}` : `SSH and sudo password of ${user}`, mask: false});
}

export async function openSession(options: OpenOptions): Promise<Session> {
	const {config: cluster, warnings: clusterWarnings} = await loadClusterFile(options.configFile);
	if (options.connect !== false) checkPasswordSource(cluster, options.lang, options.interactive);
	const paths = pghaPaths(cluster.file);
	await ensurePghaDirs(paths);
	const stateNotice = await setAsideUnusableState(paths.stateFile);
	// The stages that put a generated password on the nodes: after them, the secrets file must not be lost.
	await guardSecrets(paths.secretsFile, paths.stateFile, await readState(paths.stateFile), secretStageIds());
	const {secrets, warnings: secretWarnings} = await loadOrCreateSecrets(cluster.file);
	const warnings = [...clusterWarnings, ...secretWarnings, ...(stateNotice ? [issue('', stateNotice.en, stateNotice.ru)] : [])];
	options.onWarnings?.(warnings);
	const hostRemote = localRemote();
	if (options.connect === false) {
		return {cluster, warnings, secrets, paths, remotes: new Map(), hostRemote, unreachable: new Map(), close() {}};
	}

	const password = await obtainPassword(cluster, options.lang);
	const connectOptions = {password, knownHostsFile: paths.knownHostsFile, onNewHostKey: options.onNewHostKey};
	const {remotes, failures: unreachable} = options.partial
		? await connectEach(cluster, connectOptions)
		: {remotes: await connectAll(cluster, connectOptions), failures: new Map<string, SshError>()};
	return {
		cluster,
		warnings,
		secrets,
		paths,
		remotes,
		hostRemote,
		unreachable,
		password,
		close: () => closeAll(remotes),
	};
}
