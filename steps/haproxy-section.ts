/**
 * The front door's part of the cluster file: the `haproxy` section. One reader for the whole
 * section, so its messages keep one order; `vip` belongs to keepalived, whose readVip this calls.
 */
import {defaultHaproxyTiming} from '../source/config/defaults.ts';
import {frontDoorMsg} from '../source/config/front-door-messages.ts';
import {msg} from '../source/config/messages.ts';
import {readVip, type HaproxyPlacement} from './keepalived-section.ts';
import type {Dict, Reader, SectionReader} from './types.ts';

export const haproxySection: SectionReader = {
	field: 'haproxy',
	read(r, {root, names, nodes, subnet}) {
		const section = r.section(root, 'haproxy', '', ['node', 'nodes', 'vip', 'inter', 'fall', 'rise']);
		if (!section) return undefined;
		const layout = readHaproxyNodes(r, section, names);
		const vip = readVip(r, section, layout, nodes, subnet);
		let inter: string | undefined = defaultHaproxyTiming.inter;
		if (section.inter !== undefined && section.inter !== null) {
			inter = typeof section.inter === 'string' && /^\d+(us|ms|s|m|h|d)?$/.test(section.inter) ? section.inter : undefined;
			if (inter === undefined) r.errors.push(msg.badDuration('haproxy.inter', section.inter));
		}

		const fall = r.integer(section, 'fall', 'haproxy', defaultHaproxyTiming.fall, 1);
		const rise = r.integer(section, 'rise', 'haproxy', defaultHaproxyTiming.rise, 1);
		if (!layout || vip === null || inter === undefined || fall === undefined || rise === undefined) return undefined;
		return {nodes: layout.nodes, ...(vip ? {vip} : {}), timing: {inter, fall, rise}};
	},
};

/** `node: X` (the course: one HAProxy) or `nodes: all | [names]` (HAProxy on several nodes). */
function readHaproxyNodes(r: Reader, section: Dict, names: readonly string[] | undefined): HaproxyPlacement | undefined {
	const hasNode = section.node !== undefined && section.node !== null;
	const hasNodes = section.nodes !== undefined && section.nodes !== null;
	if (hasNode && hasNodes) {
		r.errors.push(frontDoorMsg.nodeAndNodes('haproxy'));
		return undefined;
	}

	if (!hasNodes) {
		const node = r.string(section, 'node', 'haproxy', names?.[0] ?? '');
		if (node === undefined) return undefined;
		if (names && !names.includes(node)) {
			r.errors.push(msg.notANode('haproxy.node', node, names));
			return undefined;
		}

		return {nodes: [node], several: false};
	}

	if (section.nodes === 'all') return names ? {nodes: [...names], several: true} : undefined;
	if (!Array.isArray(section.nodes)) {
		r.errors.push(frontDoorMsg.badNodes('haproxy.nodes', section.nodes));
		return undefined;
	}

	if (section.nodes.length === 0) {
		r.errors.push(frontDoorMsg.emptyNodes('haproxy.nodes'));
		return undefined;
	}

	const chosen: string[] = [];
	for (const [index, item] of section.nodes.entries()) {
		const field = `haproxy.nodes[${index}]`;
		if (typeof item !== 'string') r.errors.push(msg.notString(field, item));
		else if (names && !names.includes(item)) r.errors.push(msg.notANode(field, item, names));
		else if (chosen.includes(item)) r.errors.push(frontDoorMsg.repeatedNode(field, item));
		else chosen.push(item);
	}

	if (chosen.length !== section.nodes.length || !names) return undefined;
	// Cluster-file order, so the first HAProxy node is the same whichever way the list was written.
	return {nodes: names.filter(name => chosen.includes(name)), several: true};
}
