/** One engine run against fake nodes in a temp folder, as the tests need it. */
import {runPipeline} from '../../source/engine/pipeline.ts';
import type {PipelineResult, RunOptions} from '../../source/engine/types.ts';
import type {Secrets} from '../../source/core/cluster.ts';
import type {Stage} from '../../source/core/stage.ts';
import {fakeRemotes, type FakeRemote} from './fake-remote.ts';
import {nodeNames, tempDir, testCluster, testSecrets, workPaths} from './engine-fixtures.ts';

export interface Bench {
	readonly dir: string;
	readonly secrets: Secrets;
	readonly remotes: Map<string, FakeRemote>;
	run(stages: readonly Stage[], extra?: Partial<RunOptions>): Promise<PipelineResult>;
	/** Marks of KEY on every node, in node order. */
	marks(key: string): number[];
	/** Commands every node received since the last call. */
	takeCommands(): Map<string, string[]>;
}

export function bench(): Bench {
	const dir = tempDir();
	const secrets = testSecrets();
	const remotes = fakeRemotes(nodeNames);
	const seen = new Map<string, number>();
	return {
		dir,
		secrets,
		remotes,
		run(stages, extra = {}) {
			return runPipeline({
				cluster: testCluster(dir),
				secrets,
				stages,
				remotes,
				...workPaths(dir),
				renderer: 'silent',
				retry: {delayMs: 0},
				...extra,
			});
		},
		marks(key) {
			return nodeNames.map(name => remotes.get(name)!.state.count(key));
		},
		takeCommands() {
			const out = new Map<string, string[]>();
			for (const [name, remote] of remotes) {
				const from = seen.get(name) ?? 0;
				out.set(name, remote.commands().slice(from));
				seen.set(name, remote.calls.length);
			}

			return out;
		},
	};
}
