/** IPv4 subnets of this computer, to tell "wrong network" apart from "machine off". */
import os from 'node:os';

export function parseIpv4(address: string): number | undefined {
	const parts = address.split('.');
	if (parts.length !== 4) return undefined;
	let value = 0;
	for (const part of parts) {
		if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
		value = value * 256 + Number(part);
	}

	return value;
}

export function inCidr(address: string, cidr: string): boolean {
	const [network, bitsText] = cidr.split('/');
	const ip = parseIpv4(address);
	const base = network === undefined ? undefined : parseIpv4(network);
	const bits = Number(bitsText);
	if (ip === undefined || base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
	const size = 2 ** (32 - bits);
	return Math.floor(ip / size) === Math.floor(base / size);
}

export type InterfaceTable = NodeJS.Dict<os.NetworkInterfaceInfo[]>;

/** `name address/bits` of every IPv4 address of the host (loopback included). */
export function hostSubnets(table: InterfaceTable = os.networkInterfaces()): Array<{readonly name: string; readonly cidr: string}> {
	const subnets: Array<{name: string; cidr: string}> = [];
	for (const [name, addresses] of Object.entries(table)) {
		for (const address of addresses ?? []) {
			if (address.family === 'IPv4' && address.cidr) subnets.push({name, cidr: address.cidr});
		}
	}

	return subnets;
}
