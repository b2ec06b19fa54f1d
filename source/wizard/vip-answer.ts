/** The wizard's floating-address question: a suggestion and the check while typing. */
import type {Lang} from '../core/text.ts';
import {isIpv4} from '../core/values.ts';

function prefix24(ip: string): string {
	return ip.split('.').slice(0, 3).join('.');
}

/** The course's nodes are .30-.32: .40 of the same /24 (the next free ten above the nodes otherwise). */
export function suggestVip(nodeIps: readonly string[]): string {
	const base = prefix24(nodeIps[0] ?? '192.168.0.30');
	const hosts = new Set(nodeIps.filter(ip => prefix24(ip) === base).map(ip => Number(ip.split('.')[3])));
	for (let host = 40; host < 255; host += 10) {
		if (!hosts.has(host)) return `${base}.${host}`;
	}

	return `${base}.250`;
}

export function checkVip(value: string, nodeIps: readonly string[], lang: Lang): true | string {
	const ip = value.trim();
	const ru = lang === 'ru';
	if (!isIpv4(ip)) return ru ? `«${ip}» — не IPv4-адрес (пример: 192.168.0.40)` : `"${ip}" is not an IPv4 address (e.g. 192.168.0.40)`;
	if (nodeIps.includes(ip)) return ru ? `${ip} — адрес одного из узлов; нужен отдельный свободный адрес` : `${ip} is one of the nodes' addresses; a separate free address is needed`;
	const host = Number(ip.split('.')[3]);
	if (nodeIps.length > 0 && !nodeIps.some(node => prefix24(node) === prefix24(ip))) {
		return ru ? `${ip} не в сети узлов (${prefix24(nodeIps[0]!)}.x)` : `${ip} is not in the nodes' network (${prefix24(nodeIps[0]!)}.x)`;
	}

	if (host === 0 || host === 255) return ru ? `${ip} — адрес сети или широковещательный` : `${ip} is a network or broadcast address`;
	return true;
}
