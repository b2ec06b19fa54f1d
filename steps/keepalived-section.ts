/** The keepalived stage's part of the cluster file: `haproxy.vip`, read inside the haproxy section. */
import type {NodeConfig} from '../source/core/cluster.ts';
import {ipToInt, isIpv4, maskOf} from '../source/core/values.ts';
import {frontDoorMsg} from '../source/config/front-door-messages.ts';
import {msg} from '../source/config/messages.ts';
import type {Dict, Reader} from './types.ts';

/** Where HAProxy runs, as read from `haproxy.node` / `haproxy.nodes`. */
export interface HaproxyPlacement {
	readonly nodes: string[];
	readonly several: boolean;
}

/** The floating address: undefined when there is none, null when it is wrong (already reported). */
export function readVip(r: Reader, section: Dict, layout: HaproxyPlacement | undefined, nodes: readonly NodeConfig[] | undefined, subnet: string | undefined): string | undefined | null {
	if (section.vip === undefined || section.vip === null) {
		if (layout?.several && layout.nodes.length > 1) r.warnings.push(frontDoorMsg.noVip('haproxy.vip'));
		return undefined;
	}

	const vip = r.string(section, 'vip', 'haproxy');
	if (vip === undefined) return null;
	if (!isIpv4(vip)) {
		r.errors.push(msg.notIpv4('haproxy.vip', vip));
		return null;
	}

	let ok = true;
	if (layout && !layout.several) {
		r.errors.push(frontDoorMsg.vipWithOneHaproxy('haproxy.vip'));
		ok = false;
	} else if (layout && layout.nodes.length < 2) {
		r.errors.push(frontDoorMsg.vipNeedsTwo('haproxy.nodes', layout.nodes.length));
		ok = false;
	}

	const owner = nodes?.findIndex(node => node.ip === vip) ?? -1;
	if (owner >= 0) {
		r.errors.push(frontDoorMsg.vipIsNode('haproxy.vip', vip, `nodes[${owner}].ip`));
		ok = false;
	}

	if (subnet) {
		const [network = '', bits = '32'] = subnet.split('/');
		const prefix = Number(bits);
		const value = ipToInt(vip);
		const base = ipToInt(network);
		if (((value & maskOf(prefix)) >>> 0) !== base) {
			r.errors.push(frontDoorMsg.vipOutsideSubnet('haproxy.vip', vip, subnet));
			ok = false;
		} else if (prefix < 31 && (value === base || value === ((base | ~maskOf(prefix)) >>> 0))) {
			r.errors.push(frontDoorMsg.vipIsNetworkOrBroadcast('haproxy.vip', vip, subnet));
			ok = false;
		}
	}

	return ok ? vip : null;
}
