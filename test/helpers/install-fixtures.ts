/** A sample cluster, secrets, a scripted Remote and step contexts for the install-stage tests. */
import {execFile} from 'node:child_process';
import path from 'node:path';
import {promisify} from 'node:util';
import {parseClusterFile} from '../../source/config/load.ts';
import type {ClusterConfig, NodeConfig, Secrets} from '../../source/core/cluster.ts';
import type {ExecOptions, ExecResult, Remote, UploadOptions} from '../../source/core/remote.ts';
import type {Facts, StepContext} from '../../source/core/step.ts';

export const run = promisify(execFile);

/** A cluster as the course builds it: three nodes on 192.168.0.30-32, plus YAML overrides. */
export function sampleCluster(overrides = '', file = '/work/lab/pgha.yaml'): ClusterConfig {
	const source = [
		'name: pg-cluster',
		'nodes:',
		'  - {name: pg-node-1, ip: 192.168.0.30, ssh: {user: student}}',
		'  - {name: pg-node-2, ip: 192.168.0.31, ssh: {user: student}}',
		'  - {name: pg-node-3, ip: 192.168.0.32, ssh: {user: student}}',
		overrides,
	].join('\n');
	return parseClusterFile(source, file, {checkFiles: false}).config;
}

/** Fresh generated secrets, as the secrets file would hold them. */
export {testSecrets as sampleSecrets} from './engine-fixtures.ts';

/** Secrets full of characters that break naive quoting in YAML, shells, HAProxy and curl configs. */
export const awkwardSecrets: Secrets = {
	adminUserPassword: `it's "quoted" $HOME`,
	superuserPassword: 'on',
	replicationPassword: '123456',
	rewindPassword: 'a: b # c',
	restApiPassword: 'yes',
	haproxyStatsPassword: `p"a\\s$s w'rd#1`,
	vrrpPassword: 'v"r$r p',
};

export interface RecordedCall {
	readonly kind: 'exec' | 'upload';
	readonly command: string;
	readonly options?: ExecOptions;
	readonly upload?: {readonly path: string; readonly content: string | Buffer; readonly options: UploadOptions};
}

export type Responder = (command: string, options: ExecOptions) => Partial<ExecResult> | undefined;

/**
 * A Remote that answers commands from a list of responders (first match wins; unmatched commands
 * succeed with empty output) and records every call, so a test can see what a step ran.
 */
export class ScriptedRemote implements Remote {
	readonly calls: RecordedCall[] = [];
	readonly host: string;
	private readonly responders: Responder[] = [];

	constructor(readonly name = 'pg-node-1', host = '192.168.0.30') {
		this.host = host;
	}

	/** Answer commands containing `fragment` (a string) or matching a RegExp. */
	on(match: string | RegExp, result: Partial<ExecResult> | ((command: string, options: ExecOptions) => Partial<ExecResult>)): this {
		this.responders.push((command, options) => {
			const hit = typeof match === 'string' ? command.includes(match) : match.test(command);
			if (!hit) return undefined;
			return typeof result === 'function' ? result(command, options) : result;
		});
		return this;
	}

	async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
		this.calls.push({kind: 'exec', command, options});
		let answer: Partial<ExecResult> | undefined;
		for (const responder of this.responders) {
			answer = responder(command, options);
			if (answer) break;
		}

		const result: ExecResult = {code: answer?.code ?? 0, stdout: answer?.stdout ?? '', stderr: answer?.stderr ?? ''};
		if (result.code !== 0 && !options.allowFailure) throw new Error(`command failed (${result.code}): ${command}`);
		return result;
	}

	async upload(content: string | Buffer, remotePath: string, options: UploadOptions): Promise<void> {
		this.calls.push({kind: 'upload', command: `upload ${remotePath}`, upload: {path: remotePath, content, options}});
	}

	close(): void {}

	commands(): string[] {
		return this.calls.filter(call => call.kind === 'exec').map(call => call.command);
	}

	uploads(): string[] {
		return this.calls.filter(call => call.kind === 'upload').map(call => call.upload!.path);
	}
}

export interface ContextOptions {
	readonly node?: NodeConfig;
	readonly facts?: Facts;
	readonly yes?: boolean;
	readonly remotes?: ReadonlyMap<string, Remote>;
	readonly log?: string[];
}

export function stepContext(cluster: ClusterConfig, secrets: Secrets, remote: Remote, options: ContextOptions = {}): StepContext {
	const node = options.node ?? cluster.nodes.find(candidate => candidate.name === remote.name) ?? cluster.nodes[0]!;
	const facts = options.facts ?? new Map<string, string>();
	const allFacts = new Map<string, Facts>(cluster.nodes.map(candidate => [candidate.name, candidate.name === node.name ? facts : new Map()]));
	const log = options.log ?? [];
	return {
		cluster,
		secrets,
		node,
		facts,
		remote,
		remotes: options.remotes ?? new Map([[node.name, remote]]),
		allFacts,
		log: line => log.push(line),
		signal: new AbortController().signal,
		yes: options.yes ?? false,
	};
}

/** Runs a command string the way the SSH layer does (`sh -c`), locally, never throwing. */
export async function runLocally(command: string, options: {input?: string; env?: NodeJS.ProcessEnv; cwd?: string} = {}): Promise<ExecResult> {
	return new Promise(resolve => {
		const child = execFile('sh', ['-c', command], {env: options.env ?? process.env, cwd: options.cwd, maxBuffer: 16 * 1024 * 1024}, (error, stdout, stderr) => {
			const code = error ? (typeof (error as {code?: unknown}).code === 'number' ? (error as {code: number}).code : 1) : 0;
			resolve({code, stdout, stderr});
		});
		// A command that never reads stdin may exit first: that EPIPE is not an error of the test.
		child.stdin?.on('error', () => undefined);
		child.stdin?.end(options.input ?? '');
	});
}

export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
