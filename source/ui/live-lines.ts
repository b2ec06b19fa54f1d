/**
 * The live block's lines in words. Some steps stream machine records that their parsers consume (the
 * probe writer's "ack 16010 1796175270308", pgbench segments, HAProxy's stats CSV): a student should
 * read what they mean, and a run of such records is one line that changes, not a scrolling wall.
 * This is display only: the log files and the full-log viewer keep every raw line.
 */
import type {Lang} from '../core/text.ts';
import type {OutputLine} from '../engine/store.ts';

interface Said {
	/** Records of one kind in a row replace each other: only the newest is shown. */
	readonly kind?: string;
	readonly text: string;
}

const words = {
	acked: {ru: 'записей подтверждено', en: 'writes acknowledged'},
	writeFailed: {ru: 'запись не прошла', en: 'a write failed'},
	writerEnded: {ru: 'запись закончена: подтверждено {a}, не прошло {f}', en: 'the probe writer ended: {a} acknowledged, {f} failed'},
	segment: {ru: 'нагрузка pgbench, отрезок {n}: {t} транзакций, {tps} в секунду{failed}', en: 'pgbench load, segment {n}: {t} transactions, {tps} per second{failed}'},
	segmentFailed: {ru: ', с ошибкой', en: ', failed'},
	applying: {ru: 'вносим изменения', en: 'applying'},
	done: {ru: 'готово', en: 'done'},
	alreadyDone: {ru: 'уже сделано (проверка)', en: 'already done (check)'},
	checked: {ru: 'проверено: менять нечего', en: 'checked: nothing to change'},
	verified: {ru: 'сделано раньше, проверено', en: 'recorded as done and verified'},
} as const;

/** The engine's own progress notes (pipeline.ts), said in the screen's language. */
const engineNotes: Record<string, keyof typeof words> = {
	applying: 'applying',
	done: 'done',
	'already done (check)': 'alreadyDone',
	'checked: nothing to change': 'checked',
	'recorded as done and verified': 'verified',
};

function fill(template: string, values: Record<string, string | number>): string {
	return template.replace(/\{(\w+)\}/g, (_match, key: string) => String(values[key] ?? ''));
}

/** 13-digit epoch milliseconds (2017..2286) as a time of day, to the millisecond. */
function clockTimes(text: string): string {
	return text.replace(/\b1[5-9]\d{11}\b/g, value => {
		const date = new Date(Number(value));
		const pad = (number: number, size = 2) => String(number).padStart(size, '0');
		return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
	});
}

/** HAProxy stats CSV: pxname, svname, ... status is the 18th field (HAProxy's documented order). */
function statsRow(text: string): {proxy: string; server: string; status: string} | undefined {
	const fields = text.split(',');
	if (fields.length < 30) return undefined;
	const [proxy = '', server = ''] = fields;
	return {proxy, server, status: fields[17] ?? ''};
}

function sayOne(line: OutputLine, lang: Lang, servers: Map<string, string>): Said | undefined {
	if (line.stream === 'command') return undefined;
	const prefixed = /^(\(on [^)]+\) )?(.*)$/s.exec(line.text)!;
	const prefix = prefixed[1] ?? '';
	const text = prefixed[2] ?? '';
	if (line.stream === 'info' && engineNotes[text]) return {text: prefix + words[engineNotes[text]][lang]};

	const ack = /^ack (\d+) \d+$/.exec(text);
	if (ack) return {kind: 'ack', text: `${prefix}${words.acked[lang]}: ${ack[1]}`};
	const err = /^err (\d+) ?(.*)$/.exec(text);
	if (err) return {text: `${prefix}${words.writeFailed[lang]} (${clockTimes(err[1]!)}): ${err[2] ?? ''}`.trimEnd()};
	const end = /^end (\d+) (\d+)$/.exec(text);
	if (end) return {text: prefix + fill(words.writerEnded[lang], {a: end[1]!, f: end[2]!})};
	const segment = /^seg (\d+) \d+ \d+ (\d+) (\d+) (\d+) \d+ ([\d.]+)$/.exec(text);
	if (segment) {
		const failed = segment[2] !== '0' || segment[4] !== '0' ? words.segmentFailed[lang] : '';
		return {kind: 'seg', text: prefix + fill(words.segment[lang], {n: segment[1]!, t: segment[3]!, tps: segment[5]!, failed})};
	}

	if (text.startsWith('why ')) return {text: prefix + text.slice(4)};
	if (/^# ?pxname,svname,/.test(text)) {
		servers.clear();
		return undefined;
	}

	const row = statsRow(text);
	if (row) {
		if (row.server === 'FRONTEND' || row.server === 'BACKEND') return undefined;
		servers.set(`${row.proxy}\u0000${row.server}`, row.status);
		const byProxy = new Map<string, string[]>();
		for (const [key, status] of servers) {
			const [proxy = '', server = ''] = key.split('\u0000');
			byProxy.set(proxy, [...(byProxy.get(proxy) ?? []), `${server} ${status}`]);
		}

		return {kind: 'stats', text: `${prefix}HAProxy: ${[...byProxy].map(([proxy, list]) => `${proxy} ${list.join(', ')}`).join('; ')}`};
	}

	return {text: clockTimes(line.text)};
}

/** The readable form of a node's tail, oldest first, as many lines as there are things to say. */
export function readableLines(tail: readonly OutputLine[], lang: Lang): string[] {
	const said: Said[] = [];
	const servers = new Map<string, string>();
	for (const line of tail) {
		const one = sayOne(line, lang, servers);
		if (!one) continue;
		const last = said.at(-1);
		if (one.kind && last?.kind === one.kind) said[said.length - 1] = one;
		else said.push(one);
	}

	return said.map(item => item.text);
}
