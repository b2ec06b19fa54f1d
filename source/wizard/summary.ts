/** What the summary screen shows, built from the health check and the cluster file. */
import type {ClusterConfig} from '../config/types.ts';
import type {Health} from '../app/health.ts';
import type {SummaryView} from '../ui/view-model.ts';

export function buildSummary(cluster: ClusterConfig, health: Health, secretsFile: string, clusterFile: string): SummaryView {
	const proxy = cluster.nodes.find(node => node.name === cluster.haproxy.node) ?? cluster.nodes[0]!;
	const url = (port: number) => `postgresql://postgres@${proxy.ip}:${port}/postgres`;
	return {
		members: health.members.map(member => ({
			name: member.name,
			host: member.host,
			role: member.role,
			state: member.state,
			timeline: member.timeline,
			lagMb: member.lag === undefined ? undefined : Math.round((member.lag / 1024 / 1024) * 10) / 10,
		})),
		writeUrl: url(cluster.ports.haproxyWrite),
		readUrl: url(cluster.ports.haproxyRead),
		statsUrl: `http://${proxy.ip}:${cluster.ports.haproxyStats}/stats (admin)`,
		secretsFile,
		nextCommand: `pgha test -c ${clusterFile}`,
	};
}
