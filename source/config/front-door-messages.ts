/** The sentences about the `haproxy` section's front-door layout (several HAProxy nodes and a VIP). */
import {issue, show} from './messages.ts';

export const frontDoorMsg = {
	nodeAndNodes: (field: string) =>
		issue(field, 'give either "node" (one HAProxy, the course\'s layout) or "nodes" (HAProxy on several nodes), not both',
			'укажите либо "node" (один HAProxy, как в методичке), либо "nodes" (HAProxy на нескольких узлах), но не оба'),
	badNodes: (field: string, value: unknown) =>
		issue(field, `${show(value).en} must be "all" or a list of node names`, `${show(value).ru} должно быть "all" или списком имён узлов`),
	emptyNodes: (field: string) =>
		issue(field, 'the list is empty; name the nodes that run HAProxy, or use nodes: all', 'список пуст; перечислите узлы с HAProxy или укажите nodes: all'),
	repeatedNode: (field: string, value: string) =>
		issue(field, `${show(value).en} is listed twice`, `${show(value).ru} указан дважды`),
	vipNeedsTwo: (field: string, count: number) =>
		issue(field, `a floating address needs HAProxy on at least 2 nodes, but ${count} given; use nodes: all`,
			`плавающему адресу нужен HAProxy хотя бы на 2 узлах, а задано ${count}; укажите nodes: all`),
	vipIsNode: (field: string, value: string, nodeField: string) =>
		issue(field, `${value} is the address of ${nodeField}; the floating address must be a free address of its own`,
			`${value} — это адрес ${nodeField}; плавающий адрес должен быть отдельным свободным адресом`),
	vipOutsideSubnet: (field: string, value: string, subnet: string) =>
		issue(field, `${value} is outside the nodes' subnet ${subnet}; keepalived can only move an address within the nodes' own network`,
			`${value} вне подсети узлов ${subnet}; keepalived может переносить адрес только внутри сети самих узлов`),
	vipIsNetworkOrBroadcast: (field: string, value: string, subnet: string) =>
		issue(field, `${value} is the network or broadcast address of ${subnet}`, `${value} — адрес сети или широковещательный адрес подсети ${subnet}`),
	vipWithOneHaproxy: (field: string) =>
		issue(field, 'a floating address needs "nodes" (HAProxy on several nodes), not "node"',
			'плавающему адресу нужен "nodes" (HAProxy на нескольких узлах), а не "node"'),
	noVip: (field: string) =>
		issue(field, 'HAProxy runs on several nodes without a floating address: clients must use the multi-host connection string (pgha prints it) to survive the loss of a node',
			'HAProxy работает на нескольких узлах без плавающего адреса: чтобы пережить потерю узла, клиентам нужна строка подключения с несколькими хостами (pgha её покажет)'),
};
