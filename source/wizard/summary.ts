/** What the summary screen shows, built from the health check and the cluster file. */
import type {ClusterConfig} from '../core/cluster.ts';
import type {Health} from '../app/health.ts';
import {entryUrl, haproxyNodes, multiHostUrl, severalHaproxies} from '../cluster/front-door.ts';
import type {SummaryView} from '../ui/ui-store.ts';

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
		doctorCommand: `pgha doctor -c ${clusterFile}`,
		practiceCommand: `pgha practice -c ${clusterFile}`,
		software: softwareLine(cluster),
		...(cluster.lab ? {lab: labLine} : {}),
	};
}

/** The lab's nodes keep running (and holding memory) until the student powers them off. */
const labLine = {
	ru: 'Лаборатория: выключить узлы (их данные пропадут) — sudo pgha lab down',
	en: 'Lab: power the nodes off (their data is gone then) with sudo pgha lab down',
};

/** "Patroni 4.0.7 (pip, pinned) · etcd 3.5.16 (release tarball)": what a student can reinstall exactly. */
export function softwareLine(cluster: ClusterConfig): {ru: string; en: string} {
	const {patroni, etcd} = cluster;
	const patroniText = patroni.source === 'package'
		? {ru: 'Patroni из пакета дистрибутива', en: 'Patroni from the distribution package'}
		: patroni.version === 'latest'
			? {ru: 'Patroni: последний из pip (без закрепления)', en: 'Patroni: the newest from pip (not pinned)'}
			: {ru: `Patroni ${patroni.version} (pip, закреплён patroni.version)`, en: `Patroni ${patroni.version} (pip, pinned by patroni.version)`};
	const etcdText = etcd.source === 'package'
		? {ru: 'etcd из пакета дистрибутива', en: 'etcd from the distribution package'}
		: {ru: `etcd ${etcd.version} (архив релиза)`, en: `etcd ${etcd.version} (release tarball)`};
	return {ru: `${patroniText.ru} · ${etcdText.ru}`, en: `${patroniText.en} · ${etcdText.en}`};
}
