/**
 * The facts collector: one bounded batch per reachable node, all nodes at once, over the session's
 * SSH connections. A node that could not be reached is kept with how it failed (silence, a refused
 * SSH port, a refused login), since that difference is itself a diagnosis.
 */
import type {ClusterConfig, Secrets} from '../core/cluster.ts';
import type {Remote} from '../core/remote.ts';
import type {SshError} from '../ssh/errors.ts';
import {secretValues} from '../config/secrets.ts';
import {doctorScript} from './batch.ts';
import {parseNodeFacts, type ClusterFacts, type NodeReport, type Unreached} from './facts.ts';
import {shellQuote} from '../ssh/quote.ts';
import {curlCredentials} from '../../steps/haproxy.ts';

/** The whole batch's bound; each tool inside has its own, shorter one. */
export const batchTimeoutMs = 60_000;

export function unreachedKind(error: SshError): Unreached {
	if (error.kind === 'refused') return 'refused';
	if (error.kind === 'timeout' || error.kind === 'unreachable' || error.kind === 'connection-lost' || error.kind === 'netns') return 'silent';
	if (error.kind === 'auth' || error.kind === 'key-file' || error.kind.startsWith('sudo') || error.kind.startsWith('host-key')) return 'login';
	return 'other';
}

async function collectNode(cluster: ClusterConfig, secrets: Secrets, name: string, remote: Remote): Promise<NodeReport> {
	const node = cluster.nodes.find(candidate => candidate.name === name)!;
	const before = Date.now();
	let arrived: number | undefined;
	let sawClock = false;
	try {
		const result = await remote.exec(`sh -c ${shellQuote(doctorScript(cluster, node))}`, {
			sudo: true,
			allowFailure: true,
			stdin: curlCredentials(secrets.haproxyStatsPassword),
			secrets: secretValues(secrets),
			timeoutMs: batchTimeoutMs,
			// The node's `date` is the line after "@@ clock": stamp when it arrives.
			onLine: line => {
				if (arrived === undefined && sawClock) arrived = Date.now();
				if (line.trim() === '@@ clock') sawClock = true;
			},
		});
		const clockLine = /@@ clock\n([\d.]+)/.exec(result.stdout)?.[1];
		const clock = clockLine && arrived !== undefined
			? {offsetMs: Number(clockLine) * 1000 - (before + arrived) / 2, uncertaintyMs: (arrived - before) / 2}
			: undefined;
		return {node: name, reached: true, facts: parseNodeFacts(result.stdout, clock)};
	} catch (error) {
		// The connection broke during the batch: the node went away between connecting and asking.
		const ssh = error as SshError;
		return {node: name, reached: false, how: ssh.kind ? unreachedKind(ssh) : 'other', error: ssh.text ?? {ru: String(error), en: String(error)}};
	}
}

export async function collectFacts(cluster: ClusterConfig, secrets: Secrets, remotes: ReadonlyMap<string, Remote>, unreachable: ReadonlyMap<string, SshError>): Promise<ClusterFacts> {
	const nodes = await Promise.all(cluster.nodes.map(async (node): Promise<NodeReport> => {
		const failure = unreachable.get(node.name);
		const remote = remotes.get(node.name);
		if (failure || !remote) {
			return {node: node.name, reached: false, how: failure ? unreachedKind(failure) : 'other', error: failure?.text ?? {ru: 'нет подключения', en: 'no connection'}};
		}

		return collectNode(cluster, secrets, node.name, remote);
	}));
	return {cluster, nodes};
}
