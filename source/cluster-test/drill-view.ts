/**
 * The drill screen: what the cluster is doing while a fault runs, as rows that fit a width (the run
 * screen's panel) and as one plain line (logs that are not a terminal). Pure: the drill feeds it
 * the watcher's latest sample, the leader key's changes and the writer's acknowledgements.
 */
import type {Lang} from '../core/text.ts';
import {rangeText} from './prediction.ts';

/** One node's own answer in a sample: Patroni's role, state and timeline, or null (no answer). */
export interface DrillNode {
	readonly role?: string;
	readonly state?: string;
	readonly tl?: number;
}

/** One sample of the watcher on the client node. */
export interface DrillTick {
	readonly at: number;
	/** Who holds the leader key (null: nobody; undefined: etcd did not answer). */
	readonly leader?: string | null;
	/** Seconds the key's lease has left. */
	readonly ttl?: number | null;
	readonly nodes: Readonly<Record<string, DrillNode | null>>;
	/** Per HAProxy node: its write proxy's servers and their status (UP, DOWN, ...), or null. */
	readonly doors: Readonly<Record<string, Readonly<Record<string, string>> | null>>;
}

/** A change of the leader key in etcd, the moment the watch reported it. */
export interface KeyEvent {
	readonly at: number;
	readonly type: 'PUT' | 'DELETE';
	readonly value?: string;
}

export interface DrillSnapshot {
	/** What is being done, e.g. "kill -9 of Patroni and PostgreSQL on the leader". */
	readonly title: string;
	/** Milliseconds since the fault (null: not injected yet). */
	readonly sinceFaultMs: number | null;
	readonly predicted?: {readonly minMs: number; readonly maxMs: number};
	/** The key's full life (Patroni's ttl), for the countdown bar. */
	readonly ttlSeconds: number;
	readonly nodes: readonly string[];
	readonly tick?: DrillTick;
	/** Key changes since the fault, with their time since the fault. */
	readonly keyChanges: readonly {readonly afterMs: number; readonly event: KeyEvent}[];
	/** The HAProxy whose view is shown (the one the client goes through). */
	readonly door?: string;
	/** Who holds the floating address (undefined: no VIP in this layout). */
	readonly vipHolder?: string | null;
	/** Acknowledged writes per second, oldest first, the last one being the current second. */
	readonly strip: readonly number[];
	readonly acked: number;
	/** Milliseconds since the last acknowledged write (null: none yet). */
	readonly sinceLastAckMs: number | null;
}

const words = {
	before: {ru: 'до отказа', en: 'before the fault'},
	predicted: {ru: 'ожидается', en: 'predicted'},
	key: {ru: 'ключ лидера в etcd', en: 'etcd leader key'},
	none: {ru: 'нет', en: 'none'},
	etcdSilent: {ru: 'etcd не ответил', en: 'etcd did not answer'},
	gone: {ru: 'удалён', en: 'gone'},
	taken: {ru: 'взял', en: 'taken by'},
	node: {ru: 'узел', en: 'node'},
	noAnswer: {ru: 'нет ответа', en: 'no answer'},
	vip: {ru: 'плавающий адрес', en: 'floating address'},
	nobody: {ru: 'ни у кого', en: 'nobody'},
	writes: {ru: 'записи/с', en: 'writes/s'},
	acked: {ru: 'подтверждено', en: 'acked'},
	stalled: {ru: 'нет записей', en: 'no writes for'},
} as const;

function sec(ms: number, lang: Lang): string {
	return `${(ms / 1000).toFixed(1)} ${lang === 'ru' ? 'с' : 's'}`;
}

function clip(line: string, width: number): string {
	return line.length <= width ? line : `${line.slice(0, Math.max(0, width - 1))}…`;
}

function pad(text: string, width: number): string {
	return text.length >= width ? `${text.slice(0, width - 1)} ` : text.padEnd(width);
}

const levels = ' ▁▂▃▄▅▆▇█';

/** Acknowledged writes per second as block heights; an empty second is a dot, so a stall shows. */
export function stripText(perSecond: readonly number[], width: number): string {
	const shown = perSecond.slice(-width);
	const top = Math.max(1, ...shown);
	return shown.map(count => (count === 0 ? '·' : levels[Math.max(1, Math.round((count / top) * 8))]!)).join('');
}

function ttlBar(left: number, total: number, width: number): string {
	const filled = Math.round(Math.min(1, Math.max(0, left / Math.max(1, total))) * width);
	return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

function keyLine(view: DrillSnapshot, lang: Lang): string {
	const tick = view.tick;
	const last = view.keyChanges.at(-1);
	const when = last ? ` (${last.event.type === 'DELETE' ? words.gone[lang] : `${words.taken[lang]} ${last.event.value ?? '?'}`} +${sec(last.afterMs, lang)})` : '';
	if (!tick) return `${words.key[lang]}: …`;
	if (tick.leader === undefined) return `${words.key[lang]}: ${words.etcdSilent[lang]}${when}`;
	if (tick.leader === null) return `${words.key[lang]}: ${words.none[lang]}${when}`;
	const ttl = typeof tick.ttl === 'number' ? ` TTL ${tick.ttl} ${lang === 'ru' ? 'с' : 's'} ${ttlBar(tick.ttl, view.ttlSeconds, 10)}` : '';
	return `${words.key[lang]}: ${tick.leader}${ttl}${when}`;
}

function nodeLine(view: DrillSnapshot, name: string, lang: Lang): string {
	const answer = view.tick?.nodes[name];
	const patroni = answer ? `${answer.role ?? '?'} ${answer.state ?? ''}${answer.tl === undefined ? '' : ` tl ${answer.tl}`}` : view.tick ? words.noAnswer[lang] : '…';
	const door = view.door ? view.tick?.doors[view.door] : undefined;
	const haproxy = view.door ? (door ? door[name] ?? '—' : view.tick ? words.noAnswer[lang] : '…') : '';
	return `${pad(name, 12)}${pad(patroni, 28)}${haproxy}`;
}

/** The drill screen's rows, most important first, each at most `width` columns. */
export function drillRows(view: DrillSnapshot, lang: Lang, width: number): string[] {
	const clock = view.sinceFaultMs === null ? words.before[lang] : `+${sec(view.sinceFaultMs, lang)}`;
	const predicted = view.predicted ? ` · ${words.predicted[lang]} ${rangeText(view.predicted.minMs, view.predicted.maxMs, lang)}` : '';
	const stalled = view.sinceLastAckMs !== null && view.sinceLastAckMs >= 1000 ? ` · ${words.stalled[lang]} ${sec(view.sinceLastAckMs, lang)}` : '';
	const stripWidth = Math.max(10, Math.min(40, width - 30));
	const rows = [
		view.title,
		`${clock}${predicted}${stalled}`,
		keyLine(view, lang),
		`${pad(words.node[lang], 12)}${pad('Patroni', 28)}${view.door ? `HAProxy ${view.door}` : ''}`,
		...view.nodes.map(name => nodeLine(view, name, lang)),
		...(view.vipHolder === undefined ? [] : [`${words.vip[lang]}: ${view.vipHolder ?? words.nobody[lang]}`]),
		`${words.writes[lang]} ${stripText(view.strip, stripWidth)} ${view.acked} ${words.acked[lang]}`,
	];
	return rows.map(row => clip(row, width));
}

/** The same, as one line with no bars, for plain output. */
export function drillLine(view: DrillSnapshot, lang: Lang): string {
	const tick = view.tick;
	const clock = view.sinceFaultMs === null ? words.before[lang] : `+${sec(view.sinceFaultMs, lang)}`;
	const key = !tick ? '…' : tick.leader === undefined ? words.etcdSilent[lang] : tick.leader === null ? words.none[lang] : `${tick.leader}${typeof tick.ttl === 'number' ? ` TTL ${tick.ttl} ${lang === 'ru' ? 'с' : 's'}` : ''}`;
	const door = view.door ? tick?.doors[view.door] : undefined;
	const nodes = view.nodes.map(name => {
		const answer = tick?.nodes[name];
		const up = door?.[name] ? ` ${door[name]}` : '';
		return `${name} ${answer ? `${answer.role ?? '?'}/${answer.state ?? '?'}` : '-'}${up}`;
	});
	const stalled = view.sinceLastAckMs !== null && view.sinceLastAckMs >= 1000 ? `, ${words.stalled[lang]} ${sec(view.sinceLastAckMs, lang)}` : '';
	return `drill ${clock}: ${words.key[lang]} ${key}; ${nodes.join(', ')}; ${view.acked} ${words.acked[lang]}${stalled}`;
}
