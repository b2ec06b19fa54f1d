/** The front door in words for `pgha status`: per HAProxy node, keepalived, the VIP and the doors. */
import {entryUrl, multiHostUrl, severalHaproxies} from '../cluster/front-door.ts';
import type {ClusterConfig} from '../core/cluster.ts';
import type {Lang} from '../core/text.ts';
import type {Health} from './health.ts';

export function frontDoorLines(cluster: ClusterConfig, health: Health, lang: Lang): string[] {
	const ru = lang === 'ru';
	const lines: string[] = [];
	if (severalHaproxies(cluster) || cluster.haproxy.vip) {
		lines.push(ru ? 'Вход в кластер:' : 'Front door:');
		for (const entry of health.entries) {
			const parts = [`HAProxy ${entry.haproxyUp ? 'up' : 'DOWN'}`];
			if (entry.keepalived !== undefined) parts.push(`keepalived ${entry.keepalived}`);
			if (entry.holdsVip) parts.push(ru ? `держит ${cluster.haproxy.vip}` : `holds ${cluster.haproxy.vip}`);
			lines.push(`  ${entry.node.padEnd(12)} ${parts.join(', ')}`);
		}
	}

	lines.push(`${ru ? 'Запись' : 'Writes'}: ${entryUrl(cluster, 'write')}`, `${ru ? 'Чтение' : 'Reads'}: ${entryUrl(cluster, 'read')}`);
	if (severalHaproxies(cluster)) {
		const label = cluster.haproxy.vip ? (ru ? 'без VIP (libpq)' : 'without the VIP (libpq)') : (ru ? 'через любой HAProxy (libpq)' : 'through any HAProxy (libpq)');
		lines.push(`${ru ? 'Запись' : 'Writes'} ${label}: ${multiHostUrl(cluster, 'write')}`, `${ru ? 'Чтение' : 'Reads'} ${label}: ${multiHostUrl(cluster, 'read')}`);
	}
	return lines;
}
