/**
 * A root command inside a lab node through its namespaces (nsenter), so it works when the node's
 * network is cut. Outside the lab, or without root, nothing can look inside: code 127.
 */
import type {NodeConfig} from '../core/cluster.ts';
import type {TestEnv} from './env.ts';

export async function insideNode(env: TestEnv, node: NodeConfig, command: string): Promise<{code: number; stdout: string}> {
	if (!env.cluster.lab || process.getuid?.() !== 0) return {code: 127, stdout: ''};
	const {nodeExecArgv, pickNode} = await import('../lab/lab.ts');
	const {readState, layoutOf} = await import('../lab/state.ts');
	const {run} = await import('../lab/process.ts');
	const state = readState();
	if (!state) return {code: 127, stdout: ''};
	return run('nsenter', nodeExecArgv(pickNode(layoutOf(state), node.name), [command]), {allowFailure: true, timeoutMs: 60_000});
}
