/**
 * Stage "reachability from the host" (guide: `ping` from PowerShell): the node's SSH port is
 * connected to from this computer, with ping and the host's networks to explain a failure.
 */
import type {ClusterConfig} from '../source/core/cluster.ts';
import {findingsError} from '../source/host/findings.ts';
import {hostEnv, type ExistsFn, type HostEnv} from '../source/host/platform.ts';
import {defaultTimeouts, directProbeRunner, netnsProbeRunner, type ProbeRunner, type ProbeTimeouts} from '../source/host/probes.ts';
import {diagnose, probeNode, type Diagnosis} from '../source/host/reachability.ts';
import type {RunFile} from '../source/host/run-file.ts';
import {hostSubnets, type InterfaceTable} from '../source/host/subnets.ts';
import {bilingual} from '../source/core/text.ts';
import type {Stage, Step, StepContext} from './types.ts';

export interface ReachabilityStageOptions {
	readonly host?: Partial<HostEnv>;
	readonly run?: RunFile;
	readonly exists?: ExistsFn;
	readonly timeouts?: ProbeTimeouts;
	/** How probes travel; default: direct, or through the lab's namespace when cluster.lab is set. */
	readonly probeRunner?: (cluster: ClusterConfig) => ProbeRunner;
	/** The host's interfaces (os.networkInterfaces()). */
	readonly interfaces?: () => InterfaceTable;
}

export function createReachabilityStage(options: ReachabilityStageOptions = {}): Stage {
	const host = hostEnv(options.host);
	const timeouts = options.timeouts ?? defaultTimeouts;
	const runnerOptions = {host, run: options.run, exists: options.exists, timeouts};
	const runnerFor = (cluster: ClusterConfig): ProbeRunner =>
		options.probeRunner?.(cluster) ??
		(cluster.lab ? netnsProbeRunner(cluster.lab.netns, runnerOptions) : directProbeRunner(runnerOptions));

	const inspect = async (ctx: StepContext): Promise<Diagnosis[]> => {
		const runner = runnerFor(ctx.cluster);
		// Lab addresses live in their own namespace: the host's subnets say nothing about them.
		const subnets = ctx.cluster.lab ? undefined : hostSubnets(options.interfaces?.());
		const reaches = await Promise.all(ctx.cluster.nodes.map(async node => probeNode(node, runner, subnets)));
		return reaches.map(reach => diagnose(reach, Math.ceil(timeouts.connectMs / 1000)));
	};

	const step: Step = {
		id: 'host-reachability',
		title: {ru: 'Связь с узлами с этого компьютера', en: 'Reaching the nodes from this computer'},
		explain: {
			ru: 'pgha подключается к SSH-порту каждого узла с этого компьютера (как VS Code). Если не вышло, ping и сети компьютера подсказывают причину: сетевой мост не на той сетевой карте, SSH-сервер не запущен, брандмауэр или выключенная ВМ.',
			en: "pgha connects to every node's SSH port from this computer (as VS Code will). When that fails, ping and this computer's networks tell why: the bridged adapter on the wrong network card, no SSH server, a firewall or a VM that is off.",
		},
		scope: 'host',
		safeToSkip: true,
		async check(ctx) {
			return (await inspect(ctx)).every(diagnosis => diagnosis.ok);
		},
		plan() {
			return [];
		},
		async apply() {
			// Read-only: nothing on the host is changed to reach the nodes.
		},
		async verify(ctx) {
			const diagnoses = await inspect(ctx);
			for (const diagnosis of diagnoses) ctx.log(bilingual(diagnosis.summary));
			const findings = diagnoses.flatMap(diagnosis => (diagnosis.finding ? [diagnosis.finding] : []));
			if (findings.length > 0) throw findingsError(findings);
		},
	};

	return {
		id: 'reachability',
		title: {ru: 'Доступность узлов', en: 'Node reachability'},
		explain: {
			ru: 'Проверяет, что с этого компьютера открывается SSH на каждом узле, и объясняет, почему нет.',
			en: 'Checks that SSH on every node can be reached from this computer, and explains why not.',
		},
		differsFromGuide: {
			ru: 'Руководство проверяет только ping; pgha проверяет сам порт SSH, потому что ping проходит и тогда, когда SSH-сервер не запущен.',
			en: 'The guide only pings; pgha checks the SSH port itself, because ping succeeds even when no SSH server runs.',
		},
		steps: [step],
	};
}

export const reachabilityStage: Stage = createReachabilityStage();
