/**
 * etcd rules: a member that does not answer, quorum lost, members that belong to different etcd
 * clusters, and a member list that is not the planned one. Each node's etcdctl asked its own
 * member only, so a finding names the node it is about.
 */
import {t} from '../../core/text.ts';
import {etcdDataDir} from '../../../templates/etcd-config.ts';
import {finding, type Finding, type FindingDefinition} from '../finding.ts';
import type {ClusterFacts, EtcdMember} from '../facts.ts';
import {plannedPeerUrls, reachedNodes, type Reached} from './common.ts';

export const etcdDown: FindingDefinition = {
	id: 'etcd-down', severity: 'error',
	title: t('Участник etcd не отвечает', 'An etcd member does not answer'),
	symptom: t('etcdctl endpoint health на этом узле ругается на таймаут или отказ в подключении.', 'etcdctl endpoint health on this node reports a timeout or a refused connection.'),
	remedy: t('etcd на узле остановлен или упал при старте; причину пишет журнал (journalctl -u etcd). Пока живо большинство участников, кластер работает, но запас прочности исчерпан.',
		'etcd on the node is stopped or failed at start; the journal says why (journalctl -u etcd). While a majority of members lives the cluster works, but its margin is gone.'),
	runbook: {stage: 'etcd', step: 'etcd.health'},
};

export const etcdQuorum: FindingDefinition = {
	id: 'etcd-quorum', severity: 'error',
	title: t('etcd потерял кворум', 'etcd has lost its quorum'),
	symptom: t('Patroni не может обновить ключ лидера; без failsafe_mode лидер становится репликой и запись прекращается.', 'Patroni cannot renew the leader key; without failsafe_mode the leader steps down and writes stop.'),
	remedy: t('Работает меньше половины участников etcd. Верните остановленные участники — кворум восстановится сам.', 'Fewer than half of the etcd members work. Bring the stopped members back and the quorum returns by itself.'),
	runbook: {stage: 'etcd', step: 'etcd.health'},
};

export const etcdClusterId: FindingDefinition = {
	id: 'etcd-cluster-id', severity: 'error',
	title: t('Участники etcd из разных кластеров', 'etcd members of different clusters'),
	symptom: t('В журнале etcd «cluster ID mismatch»; участник не присоединяется к остальным.', 'etcd\'s journal says "cluster ID mismatch"; the member does not join the others.'),
	remedy: t('Каталог данных участника остался от прошлой попытки (другой initial-cluster или token). Его нужно очистить и создать кластер etcd заново.',
		'The member\'s data directory is left from an earlier attempt (another initial-cluster or token). It must be cleared and the etcd cluster created again.'),
	runbook: {stage: 'etcd', step: 'etcd.configure'},
};

export const etcdMembers: FindingDefinition = {
	id: 'etcd-members', severity: 'error',
	title: t('Состав кластера etcd не тот, что в pgha.yaml', 'The etcd member list is not the planned one'),
	symptom: t('etcdctl member list показывает лишних участников, не показывает нужных или с другими адресами.', 'etcdctl member list shows extra members, misses planned ones, or lists other addresses.'),
	remedy: t('Лишнего участника удаляют (etcdctl member remove ID), недостающего добавляют (member add) или пересоздают кластер etcd.',
		'An extra member is removed (etcdctl member remove ID), a missing one added (member add), or the etcd cluster is created again.'),
	runbook: {stage: 'etcd', step: 'etcd.health'},
};

export const etcdDefinitions = [etcdDown, etcdQuorum, etcdClusterId, etcdMembers];

/** The data directory of the node's etcd: what its running process has open, else pgha's. */
function dataDirOf(cluster: ClusterFacts['cluster'], item: Reached): string {
	const etcdHolder = [...item.facts.holders.values()].find(holder => holder.etcdData !== '');
	return etcdHolder?.etcdData || etcdDataDir(cluster.name);
}

/** etcdctl against the node's own member, as the fix lines print it. */
const etcdctlAt = (cluster: ClusterFacts['cluster']): string => `etcdctl --endpoints=http://127.0.0.1:${cluster.ports.etcdClient}`;

/**
 * The guide's etcd: no enabled service (or one not running) and a ~/etcdN.conf on the node, or a
 * running etcd whose command line names that file. Then `systemctl start etcd` is the wrong advice.
 */
function handStarted(item: Reached): {owner: string; path: string} | undefined {
	const {etcd} = item.facts;
	if (etcd.unit === 'active' || etcd.handConfigs.length === 0) return undefined;
	const named = etcd.handConfigs.find(config => etcd.processes.some(line => line.includes(config.path)));
	if (named) return named;
	return etcd.processes.length === 0 && etcd.enabled !== 'enabled' ? etcd.handConfigs[0] : undefined;
}

/** ~/etcd1.conf logs to ~/etcd1.log, as the guide does. */
const logOf = (config: string): string => config.replace(/\.conf$/, '.log');

/** The guide's start line, run as the file's owner (directly when that is the login pgha uses). */
function startByHand(loginUser: string, config: {owner: string; path: string}): string {
	const line = `nohup etcd --config-file ${config.path} >> ${logOf(config.path)} 2>&1 < /dev/null &`;
	return config.owner === loginUser ? line : `sudo -u ${config.owner} sh -c '${line}'`;
}

export function etcdDownRule(facts: ClusterFacts): Finding[] {
	const etcdctlLocal = etcdctlAt(facts.cluster);
	return reachedNodes(facts).flatMap(item => {
		const {etcd} = item.facts;
		if (etcd.status) return [];
		const running = etcd.unit === 'active' || etcd.processes.length > 0;
		const evidence = [
			`systemctl is-active etcd: ${etcd.unit}`,
			etcd.processes.length > 0 ? `pgrep -a etcd: ${etcd.processes[0]}` : 'pgrep -a etcd: (none)',
			...(etcd.statusError ? [`${etcdctlLocal} endpoint status: ${etcd.statusError}`] : []),
			...etcd.log.slice(-2),
		];
		const stale = etcd.log.some(line => /cluster ?ID mismatch|has already been bootstrapped|member count is unequal/i.test(line));
		if (stale) {
			const dir = dataDirOf(facts.cluster, item);
			return [finding(etcdClusterId, item.node.name,
				t(`etcd на ${item.node.name} не присоединяется: его каталог данных ${dir} от другого состава кластера.`, `etcd on ${item.node.name} cannot join: its data directory ${dir} belongs to another member set.`),
				evidence,
				['# every node / на каждом узле:', `sudo systemctl stop etcd && sudo rm -rf ${dir} ${dir}.pgha-identity`, 'pgha apply --from etcd'])];
		}

		const byHand = handStarted(item);
		if (byHand) {
			const handEvidence = [...evidence.slice(0, 1), `systemctl is-enabled etcd: ${etcd.enabled || '(no unit)'}`, `${byHand.path} (${byHand.owner})`, ...evidence.slice(1)];
			const start = startByHand(item.node.sshUser, byHand);
			return [finding(etcdDown, item.node.name,
				running
					? t(`etcd на ${item.node.name}, запущенный вручную с ${byHand.path}, не отвечает на ${etcdctlLocal.split('=')[1]}.`, `etcd on ${item.node.name}, started by hand with ${byHand.path}, does not answer on ${etcdctlLocal.split('=')[1]}.`)
					: t(`etcd на ${item.node.name} не запущен; он запускался вручную с ${byHand.path}, а не службой.`, `etcd on ${item.node.name} is not running; it was started by hand with ${byHand.path}, not as a service.`),
				handEvidence,
				running ? [`sudo kill ${etcd.processes[0]!.split(' ')[0]}`, start] : [start, `tail -n 20 ${logOf(byHand.path)}`])];
		}

		return [finding(etcdDown, item.node.name,
			running
				? t(`etcd на ${item.node.name} запущен, но не отвечает на ${etcdctlLocal.split('=')[1]}.`, `etcd on ${item.node.name} runs but does not answer on ${etcdctlLocal.split('=')[1]}.`)
				: t(`etcd на ${item.node.name} не запущен.`, `etcd on ${item.node.name} is not running.`),
			evidence,
			running ? ['sudo journalctl -u etcd -n 50 --no-pager', 'sudo systemctl restart etcd'] : ['sudo systemctl start etcd', 'sudo journalctl -u etcd -n 50 --no-pager'])];
	});
}

export function etcdQuorumRule(facts: ClusterFacts): Finding[] {
	const etcdctlLocal = etcdctlAt(facts.cluster);
	const reached = reachedNodes(facts);
	const total = facts.cluster.nodes.length;
	const majority = Math.floor(total / 2) + 1;
	const healthy = reached.filter(item => item.facts.etcd.status && item.facts.etcd.status.leader !== '0' && item.facts.etcd.healthy !== false);
	const answering = reached.filter(item => item.facts.etcd.status).length;
	const unknown = facts.nodes.filter(report => !report.reached).length;
	const leaderless = reached.filter(item => item.facts.etcd.status?.leader === '0');
	// Certain only when even the unreached nodes could not make up a majority, or a member says it has no leader.
	if (healthy.length + unknown >= majority && leaderless.length === 0) return [];
	if (reached.length === 0) return [];
	const evidence = reached.map(item => {
		const {etcd} = item.facts;
		if (!etcd.status) return `${item.node.name}: etcd does not answer (${etcd.unit})`;
		if (etcd.status.leader === '0') return `${item.node.name}: endpoint status: no leader`;
		return `${item.node.name}: endpoint health: ${etcd.healthy === false ? `unhealthy ${etcd.healthError}`.trim() : 'healthy'}`;
	});
	return [finding(etcdQuorum, undefined,
		t(`отвечают ${answering} из ${total} участников etcd, а лидер есть у ${healthy.length}; нужно не меньше ${majority}: кворума нет.`, `${answering} of ${total} etcd members answer and ${healthy.length} of them have a leader; ${majority} are needed: there is no quorum.`),
		evidence,
		['# on each node where etcd is down / на каждом узле, где etcd остановлен:', 'sudo systemctl start etcd', `${etcdctlLocal} endpoint health --cluster`])];
}

/** The members that share the most common cluster ID are the cluster; the others are strays. */
export function etcdClusterIdRule(facts: ClusterFacts): Finding[] {
	const answering = reachedNodes(facts).filter(item => item.facts.etcd.status);
	const groups = new Map<string, Reached[]>();
	for (const item of answering) groups.set(item.facts.etcd.status!.clusterId, [...groups.get(item.facts.etcd.status!.clusterId) ?? [], item]);
	if (groups.size < 2) return [];
	const ordered = [...groups.entries()].sort((a, b) => b[1].length - a[1].length);
	const [mainId, main] = ordered[0]!;
	const strays = ordered[0]![1].length === ordered[1]![1].length ? ordered : ordered.slice(1);
	return strays.flatMap(([id, items]) => items.map(item => {
		const dir = dataDirOf(facts.cluster, item);
		return finding(etcdClusterId, item.node.name,
			t(`etcd на ${item.node.name} — отдельный кластер (ID ${id}), не тот, что у ${main.filter(other => other !== item).map(other => other.node.name).join(', ')} (ID ${mainId}).`,
				`etcd on ${item.node.name} is a cluster of its own (ID ${id}), not the one of ${main.filter(other => other !== item).map(other => other.node.name).join(', ')} (ID ${mainId}).`),
			answering.map(other => `${other.node.name}: endpoint status cluster_id ${other.facts.etcd.status!.clusterId}`),
			['# every node / на каждом узле:', `sudo systemctl stop etcd && sudo rm -rf ${dir} ${dir}.pgha-identity`, 'pgha apply --from etcd']);
	}));
}

function describeMembers(members: readonly EtcdMember[]): string {
	return members.map(member => `${member.name || '(unstarted)'} ${member.peerUrls.join(',')}`).join('; ');
}

/** Compared by peer address: a hand-built cluster may call its members etcd1..3, which is fine. */
export function etcdMembersRule(facts: ClusterFacts, skip: ReadonlySet<string> = new Set()): Finding[] {
	const etcdctlLocal = etcdctlAt(facts.cluster);
	const planned = plannedPeerUrls(facts.cluster);
	const wrong = reachedNodes(facts).flatMap(item => {
		const members = item.facts.etcd.members;
		if (!members || skip.has(item.node.name)) return [];
		const urls = members.flatMap(member => member.peerUrls);
		const extra = members.filter(member => !member.peerUrls.some(url => planned.includes(url)));
		const missing = planned.filter(url => !urls.includes(url));
		return extra.length > 0 || missing.length > 0 ? [{item, extra, missing, members}] : [];
	});
	if (wrong.length === 0) return [];
	const say = (entry: typeof wrong[number]): {ru: string; en: string} => {
		const ru = [entry.extra.length > 0 ? `лишние: ${describeMembers(entry.extra)}` : '', entry.missing.length > 0 ? `нет: ${entry.missing.join(', ')}` : ''].filter(Boolean).join('; ');
		const en = [entry.extra.length > 0 ? `extra: ${describeMembers(entry.extra)}` : '', entry.missing.length > 0 ? `missing: ${entry.missing.join(', ')}` : ''].filter(Boolean).join('; ');
		return {ru, en};
	};

	const fix = (entry: typeof wrong[number]) => [
		...entry.extra.map(member => `${etcdctlLocal} member remove ${BigInt(member.id).toString(16)}`),
		...entry.missing.map(url => `${etcdctlLocal} member add <name> --peer-urls=${url}`),
	];
	// Every answering member agreeing on one wrong list is one finding about the cluster.
	const signatures = new Set(wrong.map(entry => describeMembers(entry.members)));
	const answering = reachedNodes(facts).filter(item => item.facts.etcd.members && !skip.has(item.node.name));
	if (signatures.size === 1 && wrong.length === answering.length && answering.length > 1) {
		const entry = wrong[0]!;
		return [finding(etcdMembers, undefined,
			t(`состав кластера etcd не тот, что в pgha.yaml (${say(entry).ru}).`, `the etcd member list is not the one pgha.yaml plans (${say(entry).en}).`),
			[`member list: ${describeMembers(entry.members)}`], fix(entry))];
	}

	return wrong.map(entry => finding(etcdMembers, entry.item.node.name,
		t(`etcd на ${entry.item.node.name} видит другой состав кластера (${say(entry).ru}).`, `etcd on ${entry.item.node.name} sees another member list (${say(entry).en}).`),
		[`member list: ${describeMembers(entry.members)}`], fix(entry)));
}
