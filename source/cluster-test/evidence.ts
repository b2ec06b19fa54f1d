/**
 * Evidence for a wait that ran past its bound: each node's own answer (Patroni's /patroni, asked from
 * the HAProxy node, or from inside a cut-off lab node) and the last lines of Patroni's journal on the
 * node the wait is about. Read at the moment the bound runs out, so the report can say whether the
 * cluster was slow (right, and later) or wrong (a second leader, a node that never came back).
 */
import type {NodeConfig} from '../core/cluster.ts';
import type {Text} from '../core/text.ts';
import {shellQuote} from '../ssh/quote.ts';
import {remoteOf, type TestEnv} from './env.ts';
import {insideNode} from './lab-inside.ts';
import type {Evidence, NodeAnswer} from './model.ts';

const journalLines = 12;

/** One line per host: "<ip> <json or nothing>", each asked with a 2 s limit. */
export function answersCommand(ips: readonly string[], port: number): string {
	const script = `for ip in ${ips.map(ip => shellQuote(ip)).join(' ')}; do printf '%s ' "$ip"; curl -s --max-time 2 "http://$ip:${port}/patroni" | tr -d '\\n'; echo; done`;
	return `sh -c ${shellQuote(script)}`;
}

export function parseAnswer(name: string, body: string | undefined, inside = false): NodeAnswer {
	try {
		const json = JSON.parse(body ?? '') as {role?: unknown; state?: unknown; timeline?: unknown};
		return {
			name,
			answered: true,
			...(typeof json.role === 'string' ? {role: json.role} : {}),
			...(typeof json.state === 'string' ? {state: json.state} : {}),
			...(typeof json.timeline === 'number' ? {timeline: json.timeline} : {}),
			...(inside ? {inside} : {}),
		};
	} catch {
		return {name, answered: false, ...(inside ? {inside} : {})};
	}
}

export function parseAnswers(stdout: string, nodes: readonly Pick<NodeConfig, 'name' | 'ip'>[]): NodeAnswer[] {
	const bodies = new Map<string, string>();
	for (const line of stdout.split('\n')) {
		const space = line.indexOf(' ');
		if (space > 0) bodies.set(line.slice(0, space), line.slice(space + 1));
	}

	return nodes.map(node => parseAnswer(node.name, bodies.get(node.ip)));
}

async function nodeAnswers(env: TestEnv, isolated?: NodeConfig): Promise<NodeAnswer[]> {
	const port = env.cluster.ports.patroniApi;
	const result = await env.proxy.exec(answersCommand(env.cluster.nodes.map(node => node.ip), port), {allowFailure: true, signal: env.signal, timeoutMs: 30_000}).catch(() => undefined);
	const answers = parseAnswers(result?.stdout ?? '', env.cluster.nodes);
	if (!isolated) return answers;
	// A cut-off node cannot be asked from outside: ask it from inside (the lab only).
	const inside = await insideNode(env, isolated, `curl -s --max-time 2 http://${isolated.ip}:${port}/patroni`);
	return answers.map(answer => (answer.name === isolated.name && inside.code !== 127 ? parseAnswer(answer.name, inside.stdout, true) : answer));
}

async function journalTail(env: TestEnv, node: NodeConfig, isolated: boolean): Promise<string[] | undefined> {
	const command = `journalctl -u patroni -n ${journalLines} --no-pager -o short-iso`;
	if (isolated) {
		const result = await insideNode(env, node, command);
		return result.code === 0 ? result.stdout.split('\n').filter(Boolean) : undefined;
	}

	const result = await remoteOf(env, node.name).exec(command, {sudo: true, allowFailure: true, signal: env.signal, timeoutMs: 20_000}).catch(() => undefined);
	return result?.code === 0 ? result.stdout.split('\n').filter(Boolean) : undefined;
}

export interface EvidenceRequest {
	readonly wait: Text;
	readonly boundMs: number;
	/** The fault's moment on the HAProxy node's clock. */
	readonly faultAt: number;
	/** Whose journal to read. */
	readonly about: NodeConfig;
	/** The node is cut off: read it from inside. */
	readonly isolated?: boolean;
	readonly now: () => Promise<number>;
}

export async function gatherEvidence(env: TestEnv, request: EvidenceRequest): Promise<Evidence> {
	const at = await request.now().catch(() => request.faultAt + request.boundMs);
	const [nodes, lines] = await Promise.all([
		nodeAnswers(env, request.isolated ? request.about : undefined),
		journalTail(env, request.about, request.isolated ?? false).catch(() => undefined),
	]);
	return {
		wait: request.wait,
		boundMs: request.boundMs,
		afterMs: at - request.faultAt,
		nodes,
		...(lines ? {journal: {node: request.about.name, lines}} : {}),
	};
}

/**
 * Reads the evidence once if `work` is still going when the bound runs out. `result()` waits for
 * that reading to finish; undefined when the work ended in time.
 */
export class BoundWatch {
	private readonly timer: NodeJS.Timeout;
	private reading: Promise<Evidence | undefined> | undefined;

	constructor(remainingMs: number, read: () => Promise<Evidence>) {
		this.timer = setTimeout(() => {
			this.reading = read().catch(() => undefined);
		}, Math.max(0, remainingMs));
	}

	async result(): Promise<Evidence | undefined> {
		clearTimeout(this.timer);
		return this.reading;
	}
}
