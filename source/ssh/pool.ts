/** Connections to every node of a cluster, opened in parallel and closed together. */
import {LocalizedError} from '../core/error.ts';
import type {Text} from '../core/text.ts';
import type {ClusterConfig, NodeConfig} from '../core/cluster.ts';
import {connect, SshRemote, type ConnectOptions} from './connection.ts';
import {SshError, connectError} from './errors.ts';
import {defaultKnownHostsFile} from './known-hosts.ts';
import type {Remote} from '../core/remote.ts';

export interface ConnectAllOptions extends Omit<ConnectOptions, 'knownHostsFile' | 'netns'> {
	/** Default: .pgha/known_hosts beside the cluster file. */
	readonly knownHostsFile?: string;
	/** Only these nodes (by name); default all. */
	readonly nodes?: readonly string[];
}

/** Some nodes could not be reached; every node's reason is in `failures`, in cluster order. */
export class ConnectAllError extends LocalizedError {
	readonly failures: ReadonlyMap<string, SshError>;

	constructor(failures: ReadonlyMap<string, SshError>) {
		const list = [...failures.values()];
		const text: Text = {
			en: list.map(error => error.text.en).join('\n'),
			ru: list.map(error => error.text.ru).join('\n'),
		};
		super(text);
		this.name = 'ConnectAllError';
		this.failures = failures;
	}
}

/** Every node's connection or the reason it could not be opened, in cluster order. */
export interface ConnectEachResult {
	readonly remotes: Map<string, SshRemote>;
	readonly failures: Map<string, SshError>;
}

/**
 * Opens one connection per node, all at once, and keeps what worked: a diagnosis (`pgha doctor`)
 * must go on with the nodes it reaches and say why the others cannot be reached. New host key
 * questions are asked one at a time (several prompts at once would fight over the terminal).
 */
export async function connectEach(
	cluster: Pick<ClusterConfig, 'file' | 'nodes' | 'lab'>,
	options: ConnectAllOptions,
): Promise<ConnectEachResult> {
	const wanted = options.nodes ? cluster.nodes.filter(node => options.nodes!.includes(node.name)) : cluster.nodes;
	let queue: Promise<unknown> = Promise.resolve();
	const ask = options.onNewHostKey;
	const onNewHostKey = ask
		? (fingerprint: string, node: NodeConfig): Promise<boolean> => {
				const answer = queue.then(() => ask(fingerprint, node));
				queue = answer.catch(() => undefined);
				return answer;
			}
		: undefined;
	const connectOptions: ConnectOptions = {
		...options,
		knownHostsFile: options.knownHostsFile ?? defaultKnownHostsFile(cluster.file),
		netns: cluster.lab?.netns,
		onNewHostKey,
	};
	const results = await Promise.allSettled(wanted.map(node => connect(node, connectOptions)));
	const remotes = new Map<string, SshRemote>();
	const failures = new Map<string, SshError>();
	results.forEach((result, index) => {
		const node = wanted[index]!;
		if (result.status === 'fulfilled') remotes.set(node.name, result.value);
		else {
			const target = {name: node.name, host: node.ip, port: node.sshPort, user: node.sshUser};
			failures.set(node.name, connectError(target, result.reason, options.connectTimeoutMs ?? 20_000));
		}
	});
	return {remotes, failures};
}

/**
 * Opens one connection per node, all at once. If any node fails, the others are closed again and
 * a ConnectAllError lists every failure.
 */
export async function connectAll(
	cluster: Pick<ClusterConfig, 'file' | 'nodes' | 'lab'>,
	options: ConnectAllOptions,
): Promise<Map<string, SshRemote>> {
	const {remotes, failures} = await connectEach(cluster, options);
	if (failures.size > 0) {
		closeAll(remotes);
		throw new ConnectAllError(failures);
	}
	return remotes;
}

/** Closes every connection (safe to call twice). */
export function closeAll(remotes: ReadonlyMap<string, Remote> | Iterable<Remote>): void {
	const list = remotes instanceof Map ? [...remotes.values()] : [...(remotes as Iterable<Remote>)];
	for (const remote of list) {
		try {
			remote.close();
		} catch {
			// Closing is best effort.
		}
	}
}
