/** What the summary screen shows, built from the health check and the cluster file. */
import type {ClusterConfig} from '../config/types.ts';
import type {Health} from '../app/health.ts';
import {entryUrl, haproxyNodes, multiHostUrl, severalHaproxies} from '../cluster/front-door.ts';
import type {SummaryView} from '../ui/view-model.ts';

export function buildSummary(cluster: ClusterConfig, health: Health, secretsFile: string, clusterFile: string): SummaryView {
	const proxy = haproxyNodes(cluster)[0]!;
	const holder = health.entries.find(entry => entry.holdsVip)?.node;
	return {
		members: health.members.map(member => ({
			name: member.name,
			host: member.host,
			role: member.role,
			state: member.state,
			timeline: member.timeline,
			lagMb: member.lag === undefined ? undefined : Math.round((member.lag / 1024 / 1024) * 10) / 10,
		})),
		writeUrl: entryUrl(cluster, 'write'),
		readUrl: entryUrl(cluster, 'read'),
		// The door that needs no VIP: libpq tries every HAProxy node in turn.
		...(severalHaproxies(cluster) ? {multiHostUrl: multiHostUrl(cluster, 'write')} : {}),
		...(cluster.haproxy.vip ? {vip: `${cluster.haproxy.vip} (${holder ?? '—'})`} : {}),
		statsUrl: `http://${proxy.ip}:${cluster.ports.haproxyStats}/stats (admin)`,
		secretsFile,
		nextCommand: `pgha test -c ${clusterFile}`,
	};
}
