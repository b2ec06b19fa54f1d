/**
 * Where an outage went: the gap between the last acknowledged write before a fault and the first
 * after it, cut at events read on the nodes. For a lost leader: its key leaves etcd (the drill's
 * watch), PostgreSQL on the new leader says it accepts connections (its log in Patroni's journal),
 * HAProxy marks it UP (HAProxy's journal), the writer's next commit. For a lost front door:
 * keepalived elsewhere becomes MASTER, it announces the address, the writer's next commit.
 *
 * Every moment is put on the client node's clock (the writer's). A phase whose end could not be read
 * is said to be unmeasured, and its time stays inside the next phase, never guessed.
 */
import type {NodeConfig} from '../core/cluster.ts';
import type {Text} from '../core/text.ts';
import {haproxyNodes} from '../cluster/front-door.ts';
import {haproxyPrimaryProxy} from '../../templates/haproxy-cfg.ts';
import type {DrillRecord} from './drill.ts';
import {remoteOf, type TestEnv} from './env.ts';
import type {MeasuredPhase, PhaseFigures, PhaseId} from './model.ts';

/** The event that ends a phase: when (null: could not be read) and what it was, where. */
export interface PhaseEnd {
	readonly id: PhaseId;
	readonly at: number | null;
	readonly evidence: Text;
}

const earlier: Text = {ru: ' (раньше предыдущего события: 0 с)', en: ' (before the previous event: counted as 0 s)'};

/**
 * Cuts [lastBefore, firstAfter] at the given ends, in order. Ends are made non-decreasing (an event
 * earlier than the previous one closes its phase at 0 s and says so); an end later than the first
 * acknowledged write is kept, so the sum then exceeds the outage and `gapMs` shows the disagreement.
 */
export function splitOutage(outage: {readonly lastBefore: number; readonly firstAfter: number}, ends: readonly PhaseEnd[]): PhaseFigures {
	const phases: MeasuredPhase[] = [];
	let from = outage.lastBefore;
	let pending: PhaseId[] = [];
	for (const end of ends) {
		if (end.at === null) {
			phases.push({id: end.id, ms: null, evidence: end.evidence});
			pending.push(end.id);
			continue;
		}

		const to = Math.max(end.at, from);
		phases.push({
			id: end.id,
			ms: to - from,
			...(pending.length > 0 ? {includes: pending} : {}),
			evidence: end.at < from ? {ru: end.evidence.ru + earlier.ru, en: end.evidence.en + earlier.en} : end.evidence,
		});
		from = to;
		pending = [];
	}

	const sumMs = phases.reduce((sum, phase) => sum + (phase.ms ?? 0), 0);
	return {phases, sumMs, gapMs: Math.abs(sumMs - (outage.firstAfter - outage.lastBefore))};
}

/** The end of the last phase: the writer's first acknowledged write after the gap. */
export function clientEnd(firstAfter: number, client: string): PhaseEnd {
	return {id: 'client', at: firstAfter, evidence: {ru: `первая подтверждённая запись пишущего зонда на ${client}`, en: `the probe writer's first acknowledged write on ${client}`}};
}

/** When the lost leader's key left etcd: the watch's first change after the fault, else a sample. */
export function keyGoneEnd(record: DrillRecord | undefined, faultAt: number, victim: string, client: string): PhaseEnd {
	const event = record?.keyEvents.find(candidate => candidate.at >= faultAt && (candidate.type === 'DELETE' || candidate.value !== victim));
	if (event?.type === 'DELETE') {
		return {id: 'detection', at: event.at, evidence: {ru: `ключ лидера ${victim} удалён из etcd (наблюдение etcdctl watch на ${client})`, en: `${victim}'s leader key deleted from etcd (etcdctl watch on ${client})`}};
	}

	if (event) {
		return {id: 'detection', at: event.at, evidence: {ru: `ключ лидера в etcd перешёл к ${event.value ?? '?'} (etcdctl watch на ${client})`, en: `the leader key in etcd passed to ${event.value ?? '?'} (etcdctl watch on ${client})`}};
	}

	const tick = record?.ticks.find(candidate => candidate.at >= faultAt && candidate.leader !== undefined && candidate.leader !== victim);
	if (tick) {
		return {id: 'detection', at: tick.at, evidence: {ru: `выборка etcd раз в 0,5 с: ключ больше не у ${victim}`, en: `etcd sampled every 0.5 s: the key no longer names ${victim}`}};
	}

	return {id: 'detection', at: null, evidence: {ru: 'наблюдение за etcd не увидело, когда ключ лидера исчез', en: 'the etcd watch did not see when the leader key went'}};
}

/** The first line (of `lines`, journalctl -o short-unix) at or after `since`, as its moment in ms. */
export function firstJournalTime(lines: readonly string[], since: number, pattern: RegExp): number | undefined {
	for (const line of lines) {
		const match = /^(\d+)(?:\.(\d+))?\s/.exec(line);
		if (!match || !pattern.test(line)) continue;
		const at = Number(match[1]) * 1000 + Math.floor(Number(`0.${match[2] ?? '0'}`) * 1000);
		if (at >= since) return at;
	}

	return undefined;
}

/**
 * The node's clock minus the client node's, when it is clearly off: measured as the middle of two
 * readings of the client's clock around one of the node's. Within the reading's own uncertainty
 * (half the round trip) it is taken as 0, so a shared clock (the lab) adds no noise.
 */
export async function clockOffsetMs(env: TestEnv, node: NodeConfig): Promise<number> {
	if (node.name === env.proxyNode.name) return 0;
	const read = async (remote: ReturnType<typeof remoteOf>) => Number((await remote.exec('date +%s%3N', {signal: env.signal, timeoutMs: 10_000})).stdout.trim());
	try {
		const before = await read(env.proxy);
		const there = await read(remoteOf(env, node.name));
		const after = await read(env.proxy);
		const offset = there - (before + after) / 2;
		return Math.abs(offset) <= (after - before) / 2 ? 0 : Math.round(offset);
	} catch {
		return 0;
	}
}

/** Lines of a unit's journal on a node since a moment (on the client's clock), with their times. */
async function journalSince(env: TestEnv, node: NodeConfig, unit: string, since: number, grep: string): Promise<{lines: string[]; offset: number} | undefined> {
	const offset = await clockOffsetMs(env, node);
	const fromSecond = Math.floor((since + offset) / 1000) - 1;
	const command = `sh -c 'journalctl -u ${unit} --since @${fromSecond} -o short-unix --no-pager | grep -E "${grep}" | head -n 50'`;
	const result = await remoteOf(env, node.name).exec(command, {sudo: true, allowFailure: true, signal: env.signal, timeoutMs: 30_000}).catch(() => undefined);
	if (!result) return undefined;
	return {lines: result.stdout.split('\n').filter(Boolean), offset};
}

/** A journal line's moment on the client's clock, or undefined. */
async function journalEvent(env: TestEnv, node: NodeConfig, unit: string, since: number, grep: string): Promise<number | undefined> {
	const found = await journalSince(env, node, unit, since, grep);
	if (!found) return undefined;
	const at = firstJournalTime(found.lines, since + found.offset, new RegExp(grep));
	return at === undefined ? undefined : at - found.offset;
}

function isPrimaryRole(role: string | undefined): boolean {
	return role === 'primary' || role === 'master';
}

/** When the new leader's PostgreSQL accepted writes: its own log line, else Patroni's sampled answer. */
export async function promotedEnd(env: TestEnv, record: DrillRecord | undefined, newLeader: NodeConfig, faultAt: number): Promise<PhaseEnd> {
	const logged = await journalEvent(env, newLeader, 'patroni', faultAt, 'database system is ready to accept connections');
	if (logged !== undefined) {
		return {id: 'election', at: logged, evidence: {
			ru: `PostgreSQL на ${newLeader.name}: «database system is ready to accept connections» (журнал patroni)`,
			en: `PostgreSQL on ${newLeader.name}: "database system is ready to accept connections" (patroni's journal)`,
		}};
	}

	const tick = record?.ticks.find(candidate => candidate.at >= faultAt && isPrimaryRole(candidate.nodes[newLeader.name]?.role) && candidate.nodes[newLeader.name]?.state === 'running');
	if (tick) {
		return {id: 'election', at: tick.at, evidence: {ru: `REST API Patroni на ${newLeader.name} ответил primary (выборка раз в 0,5 с)`, en: `Patroni's REST API on ${newLeader.name} answered primary (sampled every 0.5 s)`}};
	}

	return {id: 'election', at: null, evidence: {ru: `ни журнал ${newLeader.name}, ни его REST API не показали, когда он стал принимать запись`, en: `neither ${newLeader.name}'s journal nor its REST API showed when it began to accept writes`}};
}

/** When HAProxy on `door` marked the new leader UP for writes: its journal, else a stats sample. */
export async function routedEnd(env: TestEnv, record: DrillRecord | undefined, door: NodeConfig, newLeader: string, faultAt: number): Promise<PhaseEnd> {
	const server = `${haproxyPrimaryProxy}/${newLeader}`;
	const logged = await journalEvent(env, door, 'haproxy', faultAt, `Server ${server} is UP`);
	if (logged !== undefined) {
		return {id: 'routing', at: logged, evidence: {ru: `HAProxy на ${door.name}: «Server ${server} is UP» (журнал haproxy)`, en: `HAProxy on ${door.name}: "Server ${server} is UP" (haproxy's journal)`}};
	}

	const tick = record?.ticks.find(candidate => candidate.at >= faultAt && candidate.doors[door.name]?.[newLeader]?.startsWith('UP'));
	if (tick) {
		return {id: 'routing', at: tick.at, evidence: {ru: `статистика HAProxy на ${door.name}: ${newLeader} UP (выборка раз в 0,5 с)`, en: `HAProxy's stats on ${door.name}: ${newLeader} UP (sampled every 0.5 s)`}};
	}

	return {id: 'routing', at: null, evidence: {ru: `HAProxy на ${door.name} не показал, когда пустил запись к ${newLeader}`, en: `HAProxy on ${door.name} did not show when it let writes through to ${newLeader}`}};
}

/** Front door: when keepalived on the new holder became MASTER, and when it announced the address. */
export async function doorEnds(env: TestEnv, newHolder: NodeConfig | undefined, faultAt: number, vipSeenAt: number | null): Promise<PhaseEnd[]> {
	const master = newHolder ? await journalEvent(env, newHolder, 'keepalived', faultAt, 'Entering MASTER STATE') : undefined;
	const announced = newHolder && master !== undefined ? await journalEvent(env, newHolder, 'keepalived', master, 'Sending gratuitous ARP') : undefined;
	const name = newHolder?.name ?? '?';
	const detection: PhaseEnd = master === undefined
		? {id: 'detection', at: null, evidence: {ru: `журнал keepalived на ${name} не показал перехода в MASTER`, en: `keepalived's journal on ${name} showed no move to MASTER`}}
		: {id: 'detection', at: master, evidence: {ru: `keepalived на ${name}: «Entering MASTER STATE»`, en: `keepalived on ${name}: "Entering MASTER STATE"`}};
	const routing: PhaseEnd = announced !== undefined
		? {id: 'routing', at: announced, evidence: {ru: `keepalived на ${name} поднял адрес и разослал gratuitous ARP`, en: `keepalived on ${name} took the address and sent gratuitous ARP`}}
		: vipSeenAt !== null
			? {id: 'routing', at: vipSeenAt, evidence: {ru: `адрес увиден на ${name} (проверка раз в 0,25 с)`, en: `the address seen on ${name} (checked every 0.25 s)`}}
			: {id: 'routing', at: null, evidence: {ru: 'не видно, когда адрес переехал', en: 'the address was not seen moving'}};
	return [detection, routing];
}

/** The HAProxy the client's writes went through: the VIP's holder, else the client node's own (or the only one). */
export function doorNode(env: TestEnv, vipHolder: string | null | undefined): NodeConfig {
	const doors = haproxyNodes(env.cluster);
	return doors.find(node => node.name === vipHolder) ?? doors.find(node => node.name === env.proxyNode.name) ?? doors[0] ?? env.proxyNode;
}

/** A leader change's outage split into its four phases, or undefined when there was no outage or no new leader. */
export async function leaderChangePhases(env: TestEnv, input: {
	readonly record: DrillRecord | undefined;
	readonly faultAt: number;
	readonly victim: string;
	readonly newLeader: string | undefined;
	readonly outage: {readonly lastBefore: number; readonly firstAfter: number} | undefined;
	readonly door: NodeConfig;
}): Promise<PhaseFigures | undefined> {
	const newLeader = env.cluster.nodes.find(node => node.name === input.newLeader);
	if (!input.outage || !newLeader) return undefined;
	return splitOutage(input.outage, [
		keyGoneEnd(input.record, input.faultAt, input.victim, env.proxyNode.name),
		await promotedEnd(env, input.record, newLeader, input.faultAt),
		await routedEnd(env, input.record, input.door, newLeader.name, input.faultAt),
		clientEnd(input.outage.firstAfter, env.proxyNode.name),
	]);
}
