/** Shapes of values in the cluster file, shared by validate.ts and the stages' section readers. */

/** Dotted quad, no leading zeros (some tools read 010 as octal). */
export function isIpv4(value: string): boolean {
	return /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(value);
}

export function isUserName(value: string): boolean {
	return /^[a-z_][a-z0-9_-]{0,31}$/.test(value);
}

export function ipToInt(ip: string): number {
	return ip.split('.').reduce((sum, octet) => ((sum << 8) | Number(octet)) >>> 0, 0);
}

export function intToIp(value: number): string {
	return [24, 16, 8, 0].map(shift => (value >>> shift) & 255).join('.');
}

export function maskOf(prefix: number): number {
	return prefix === 0 ? 0 : (0xFF_FF_FF_FF << (32 - prefix)) >>> 0;
}

/** The /24 of the node IPs, or the smallest subnet holding them all when they span several /24s. */
export function coveringSubnet(ips: readonly string[]): string {
	const values = ips.map(ipToInt);
	let prefix = 24;
	while (prefix > 0 && new Set(values.map(value => (value & maskOf(prefix)) >>> 0)).size > 1) prefix--;
	return `${intToIp((values[0]! & maskOf(prefix)) >>> 0)}/${prefix}`;
}
