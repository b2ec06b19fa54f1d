/**
 * An outage's measured phases in the report's three shapes: a Markdown table beside the prediction
 * with a few words on the biggest phase (what shortens it and what that costs), stacked bars under
 * the SVG timeline, and one line of the terminal summary. The measuring itself is elsewhere; this
 * only shows PhaseFigures, next to predictOutage's phases of the same ids.
 */
import type {Lang, Text} from '../core/text.ts';
import {timingPresets} from '../config/defaults.ts';
import type {ChartBand, ChartLegendItem} from '../report/svg-chart.ts';
import {seconds} from './checks.ts';
import type {MeasuredPhase, PhaseFigures, PhaseId, TimingSettings} from './model.ts';
import {rangeText, type PredictedKind, type PredictedPhase, type Prediction} from './prediction.ts';

export const phaseOrder: readonly PhaseId[] = ['detection', 'election', 'routing', 'client'];

/** One color per phase in every chart, measured and predicted alike. */
export const phaseColors: Readonly<Record<PhaseId, string>> = {
	detection: '#f28e2b',
	election: '#e15759',
	routing: '#76b7b2',
	client: '#59a14f',
};

/** One shade per phase in the terminal, darkest first (the first phase is usually the longest). */
const phaseShades: Readonly<Record<PhaseId, string>> = {detection: '█', election: '▓', routing: '▒', client: '░'};

/** Short names for the terminal, where every column counts. */
const shortNames: Readonly<Record<PhaseId, Text>> = {
	detection: {ru: 'обнаружение', en: 'detection'},
	election: {ru: 'выборы', en: 'election'},
	routing: {ru: 'маршрут', en: 'routing'},
	client: {ru: 'клиент', en: 'client'},
};

/** The prediction's title for a phase (it knows the fault: "leader key expiry", "keepalived notices"), else a short name. */
export function phaseTitle(id: PhaseId, prediction: Prediction | undefined, lang: Lang): string {
	return prediction?.phases.find(item => item.id === id)?.title[lang] ?? shortNames[id][lang];
}

/** "leader key expiry + election and promotion" for a phase that holds earlier unmeasured ones. */
function measuredTitle(phase: MeasuredPhase, prediction: Prediction | undefined, lang: Lang): string {
	return [...(phase.includes ?? []), phase.id].map(id => phaseTitle(id, prediction, lang)).join(' + ');
}

function unit(lang: Lang): string {
	return lang === 'ru' ? 'с' : 's';
}

function cell(text: string): string {
	return text.replaceAll('|', '/').replaceAll('\n', ' ');
}

/** The predicted range of a row: its own phase and those it holds, added up. */
function predictedRange(ids: readonly PhaseId[], prediction: Prediction | undefined, lang: Lang): string {
	const phases = ids.map(id => prediction?.phases.find(item => item.id === id)).filter((item): item is PredictedPhase => item !== undefined);
	if (phases.length === 0) return '—';
	return rangeText(phases.reduce((sum, item) => sum + item.minMs, 0), phases.reduce((sum, item) => sum + item.maxMs, 0), lang);
}

/** The measured phase that took longest (one that could not be read has no length to compare). */
export function biggestPhase(figures: PhaseFigures): MeasuredPhase | undefined {
	let biggest: MeasuredPhase | undefined;
	for (const phase of figures.phases) {
		if (phase.ms !== null && (biggest === undefined || phase.ms > biggest.ms!)) biggest = phase;
	}

	return biggest;
}

type FaultClass = 'planned' | 'lost' | 'entry';

function classOf(kind: PredictedKind): FaultClass {
	if (kind === 'switchover' || kind === 'graceful') return 'planned';
	return kind === 'entry-haproxy' || kind === 'entry-poweroff' ? 'entry' : 'lost';
}

function sec(ms: number): string {
	const value = ms / 1000;
	return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** What a phase is made of, what in the cluster file shortens it and what that costs, with this cluster's values. */
function advice(id: PhaseId, kind: PredictedKind, s: TimingSettings): Text {
	const type = classOf(kind);
	if (id === 'detection' && type === 'lost') {
		const fast = timingPresets.fast;
		const hint = s.ttl > fast.ttl || s.loopWait > fast.loopWait;
		const sum = s.loopWait + 2 * s.retryTimeout;
		const rule = `loop_wait + 2 × retry_timeout ≤ ttl (${s.loopWait} + 2 × ${s.retryTimeout} = ${sum} ${sum <= s.ttl ? '≤' : '>'} ${s.ttl})`;
		return {
			ru: `Потерянный лидер перестал продлевать свой ключ в etcd, а занять его место никто не может, пока ключ не истечёт: до ttl = ${s.ttl} с после последнего продления (продлевается каждые loop_wait = ${s.loopWait} с). Меньшие \`ttl\` и \`loop_wait\` в разделе \`timing:\` файла кластера сокращают эту фазу${hint ? ` (например, \`preset: fast\`: ttl ${fast.ttl}, loop_wait ${fast.loopWait}, retry_timeout ${fast.retryTimeout})` : ''}. Цена: лидер, который лишь ненадолго притормозил (занятый диск, сбой сети, долгая пауза), тоже теряет ключ, и случается переключение, которое никому не было нужно; к тому же Patroni требует ${rule}.`,
			en: `The lost leader stopped renewing its key in etcd, and nobody may take over until the key expires: up to ttl = ${s.ttl} s after its last renewal (renewed every loop_wait = ${s.loopWait} s). A smaller \`ttl\` and \`loop_wait\` in the cluster file's \`timing:\` section shorten it${hint ? ` (e.g. \`preset: fast\`: ttl ${fast.ttl}, loop_wait ${fast.loopWait}, retry_timeout ${fast.retryTimeout})` : ''}. The price: a leader that is only briefly slow (a busy disk, a network blip, a long pause) loses its key too, and you get a failover nobody needed; Patroni also requires ${rule}.`,
		};
	}

	if (id === 'detection' && type === 'planned') {
		return {
			ru: 'Старый лидер отдаёт роль только после чистой остановки PostgreSQL, а при ней пишется контрольная точка: сначала на диск уходят все страницы, изменённые после предыдущей. Файл кластера здесь не поможет, поможет меньший объём незаписанных данных: CHECKPOINT прямо перед плановым переключением или более частые контрольные точки (checkpoint_timeout, max_wal_size в PostgreSQL). Цена частых контрольных точек — больше записи на диск всё время, а не только при переключении.',
			en: 'The old leader hands over only once PostgreSQL has stopped cleanly, and a clean stop writes a checkpoint: every page changed since the previous one goes to disk first. The cluster file cannot shorten that; less unwritten data can: a CHECKPOINT just before a planned switchover, or more frequent checkpoints (PostgreSQL\'s checkpoint_timeout, max_wal_size). The price of frequent checkpoints: more disk writes all the time, not only at a switchover.',
		};
	}

	if (id === 'detection') {
		const how: Text = kind === 'entry-haproxy'
			? {ru: 'keepalived замечает упавший HAProxy по своему скрипту проверки: раз в секунду (interval 1), сдаётся после 2 неудач подряд (fall 2).',
				en: 'keepalived notices a dead HAProxy through its check script: once a second (interval 1), given up after 2 failures in a row (fall 2).'}
			: {ru: 'Остальные узлы замечают замолчавшего владельца адреса, когда пропадают его объявления VRRP: раз в секунду (advert_int 1), адрес забирают примерно после трёх пропущенных.',
				en: 'The other nodes notice a silent address holder when its VRRP announcements stop: one a second (advert_int 1), the address taken over after about three missed.'};
		return {
			ru: `${how.ru} Эти значения заданы в шаблоне keepalived у pgha, а не в файле кластера; с меньшими адрес переезжает от любого краткого сбоя, и на миг его могут держать два узла сразу.`,
			en: `${how.en} These values are in pgha's keepalived template, not in the cluster file; smaller ones move the address on a mere blip, and for a moment two nodes may both hold it.`,
		};
	}

	if (id === 'election' && type === 'entry') {
		return {
			ru: `С synchronous_mode COMMIT ждал, пока Patroni назначит новый синхронный резерв вместо пропавшего: до двух циклов loop_wait = ${s.loopWait} с. Меньший \`loop_wait\` (раздел \`timing:\` файла кластера) сокращает это ожидание с той же ценой, что и короткий ttl; без synchronous_mode ожидания нет, зато при переключении можно потерять подтверждённые записи.`,
			en: `With synchronous_mode, COMMIT waited until Patroni named another synchronous standby in place of the lost one: up to two loops of loop_wait = ${s.loopWait} s. A smaller \`loop_wait\` (the cluster file's \`timing:\` section) shortens the wait at the same price as a short ttl; without synchronous_mode there is no wait, but a failover may then lose acknowledged writes.`,
		};
	}

	if (id === 'election') {
		const silent = kind === 'poweroff' || kind === 'cut';
		return {
			ru: `Реплики состязаются за ключ лидера, и PostgreSQL победителя выходит из восстановления; это около секунды и почти не зависит от настроек${silent ? ', но вопросы к молча пропавшему узлу сначала ждут 2 с тайм-аута подключения Patroni' : ''}. Файл кластера эту фазу не сокращает; заметно более долгие выборы обычно значат, что новый лидер был занят (нагруженный диск) или узлы не могли достучаться до REST API друг друга.`,
			en: `The replicas race for the leader key and the winner's PostgreSQL leaves recovery; that takes about a second and hardly depends on settings${silent ? ', but questions to a node gone without a word first wait out Patroni\'s 2 s connect timeout' : ''}. The cluster file does not shorten it; a much longer election usually means the new leader was busy (a loaded disk) or the members could not reach one another's REST API.`,
		};
	}

	if (id === 'routing' && type === 'entry') {
		return {
			ru: 'keepalived на другом узле поднимает плавающий адрес и объявляет его в сети (gratuitous ARP); это не настраивается и обычно занимает меньше секунды. Если дольше — смотрите на коммутатор или мост гипервизора: они могут какое-то время помнить MAC-адрес прежнего владельца.',
			en: 'keepalived on another node takes the floating address and announces it to the network (gratuitous ARP); nothing to tune, and it usually takes under a second. If it takes longer, look at the switch or the hypervisor\'s bridge, which may remember the old holder\'s MAC address for a while.',
		};
	}

	if (id === 'routing') {
		const out = `${s.fall} × ${s.inter} = ${sec(s.fall * s.interMs)}`;
		return {
			ru: `HAProxy пускает запись к новому лидеру только после rise = ${s.rise} удачных проверок /primary с интервалом inter = ${s.inter}. Меньшие \`inter\` или \`rise\` в разделе \`haproxy:\` файла кластера сокращают эту фазу; цена — больше проверок на каждом узле, а при малом rise узел, мигающий от краткого сбоя, то входит в работу, то выпадает. А \`fall\` = ${s.fall} решает, как быстро HAProxy уберёт мёртвый primary (${out} с).`,
			en: `HAProxy sends writes to the new leader only after rise = ${s.rise} good /primary checks, inter = ${s.inter} apart. A smaller \`inter\` or \`rise\` in the cluster file's \`haproxy:\` section shortens it; the price is more checks on every node, and with a low rise a node that flickers on a blip goes in and out of service. \`fall\` = ${s.fall} decides how quickly HAProxy takes a dead primary out (${out} s).`,
		};
	}

	if (kind === 'entry-poweroff') {
		return {
			ru: 'Клиент бросил открытое подключение к выключенному узлу по TCP keepalive (у зонда: 1 с тишины, 3 пробы раз в секунду) и подключился к новому владельцу адреса. У настоящего приложения эти значения по умолчанию — часы (у ядра Linux 2 часа): задайте keepalives_idle, keepalives_interval и keepalives_count в строке подключения; цена — немного служебного трафика и разрыв подключений при короткой паузе в сети.',
			en: 'The client gave up its open connection to the dead node on TCP keepalives (the probe: 1 s idle, 3 probes a second apart) and connected to the new holder. A real application\'s defaults are hours (Linux: 2 hours): set keepalives_idle, keepalives_interval and keepalives_count in the connection string, at the price of a little extra traffic and of dropped connections on a short network pause.',
		};
	}

	return {
		ru: 'Зонд пробует снова каждые 50 мс, так что эта фаза — цена нового подключения и первого COMMIT. Настоящее приложение ждёт столько, сколько велит политика переподключения его пула (часто секунды), и это ожидание добавляется к каждому простою: переподключайтесь быстро и повторяйте неудавшуюся транзакцию. Цена слишком частых повторов: множество клиентов разом заваливают запросами нового лидера, едва он поднялся.',
		en: 'The probe tries again every 50 ms, so this phase is the cost of a new connection and its first COMMIT. A real application waits as long as its pool\'s reconnect or retry policy says (often seconds), and that wait adds to every outage: reconnect soon and retry the failed transaction. The price of retrying too eagerly: many clients at once hammer the new leader just as it comes up.',
	};
}

/** Of the phases a measured one holds, the one the prediction expects to be longest is the one to explain. */
function topicOf(phase: MeasuredPhase, prediction: Prediction | undefined): PhaseId {
	const ids = [...(phase.includes ?? []), phase.id];
	const middle = (id: PhaseId) => {
		const predicted = prediction?.phases.find(item => item.id === id);
		return predicted ? (predicted.minMs + predicted.maxMs) / 2 : -1;
	};
	return ids.reduce((best, id) => (middle(id) > middle(best) ? id : best), ids[0]!);
}

export interface PhaseContext {
	readonly kind: PredictedKind;
	readonly settings: TimingSettings;
	readonly prediction?: Prediction;
	/** The outage the writer measured (a fault's outageMs, the switchover's gapMs). */
	readonly outageMs: number | null;
}

/** The biggest measured phase in a few sentences: what it is, what shortens it and what that costs. */
export function biggestPhaseText(figures: PhaseFigures, context: PhaseContext): Text | undefined {
	const biggest = biggestPhase(figures);
	if (!biggest) return undefined;
	const explain = advice(topicOf(biggest, context.prediction), context.kind, context.settings);
	const of = (lang: Lang) => (context.outageMs === null ? '' : ` ${lang === 'ru' ? 'из' : 'of'} ${seconds(context.outageMs)} ${unit(lang)}`);
	return {
		ru: `**Дольше всего: ${measuredTitle(biggest, context.prediction, 'ru')}, ${seconds(biggest.ms)} с${of('ru')}.** ${explain.ru}`,
		en: `**The biggest phase: ${measuredTitle(biggest, context.prediction, 'en')}, ${seconds(biggest.ms)} s${of('en')}.** ${explain.en}`,
	};
}

/** Differences up to this are the resolution of the logs and the writer's 50 ms steps. */
export const phaseGapNoteMs = 500;

/**
 * The measured phases beside the predicted ones: a table, the sum against the outage, and the
 * biggest phase explained.
 */
export function phaseMarkdown(figures: PhaseFigures, context: PhaseContext, lang: Lang): string[] {
	const ru = lang === 'ru';
	const {prediction} = context;
	const rows: string[] = [];
	const shown = new Set<PhaseId>();
	for (const phase of figures.phases) {
		const ids = [...(phase.includes ?? []), phase.id];
		for (const id of ids) shown.add(id);
		const measured = phase.ms === null ? `— (${ru ? 'внутри следующей фазы' : 'inside the next phase'})` : `**${seconds(phase.ms)} ${unit(lang)}**`;
		rows.push(`| ${measuredTitle(phase, prediction, lang)} | ${predictedRange(ids, prediction, lang)} | ${measured} | ${cell(phase.evidence[lang])} |`);
	}

	// A predicted phase the evidence says nothing about still gets its row, so the two columns compare.
	for (const predicted of prediction?.phases ?? []) {
		if (!shown.has(predicted.id)) rows.push(`| ${predicted.title[lang]} | ${rangeText(predicted.minMs, predicted.maxMs, lang)} | — | ${ru ? 'не измерялась' : 'not measured'} |`);
	}

	const outage = context.outageMs === null ? '—' : `${seconds(context.outageMs)} ${unit(lang)}`;
	let sum = ru
		? `**Сумма фаз:** ${seconds(figures.sumMs)} с; зонд записи измерил простой ${outage}.`
		: `**Sum of the phases:** ${seconds(figures.sumMs)} s; the write probe measured an outage of ${outage}.`;
	if (figures.gapMs > phaseGapNoteMs) {
		sum += ru
			? ` Свидетельства с узлов и зонд расходятся на ${seconds(figures.gapMs)} с, так что границы фаз приблизительны.`
			: ` The evidence on the nodes and the probe disagree by ${seconds(figures.gapMs)} s, so take the phase boundaries as approximate.`;
	}

	const explain = biggestPhaseText(figures, context);
	return [
		ru ? '**Фазы простоя, измеренные по узлам:**' : '**The outage\'s phases, measured on the nodes:**',
		'',
		ru ? '| фаза | ожидается | измерено | чем закончилась |' : '| phase | predicted | measured | what ended it |',
		'|---|---|---|---|',
		...rows,
		'',
		sum,
		'',
		...(explain ? [explain[lang], ''] : []),
	];
}

/**
 * One terminal line: a stacked bar of the measured phases (one shade each) and their seconds, in
 * `columns` characters at most (the bar gives way to the words, within 8..40 cells).
 */
export function phaseSummaryLine(figures: PhaseFigures, lang: Lang, columns = 80): string {
	const measured = figures.phases.filter((phase): phase is MeasuredPhase & {ms: number} => phase.ms !== null);
	const words = measured
		.map(phase => `${[...(phase.includes ?? []), phase.id].map(id => shortNames[id][lang]).join('+')} ${seconds(phase.ms)}`)
		.join(' · ');
	const text = `${words} ${unit(lang)}`;
	const indent = '  ';
	const width = Math.max(8, Math.min(40, columns - indent.length - 1 - text.length));
	return `${indent}${phaseBar(measured, width)} ${text}`;
}

/** Cells proportional to each phase; a phase that took any time keeps at least one. */
function phaseBar(phases: readonly {id: PhaseId; ms: number}[], width: number): string {
	const total = phases.reduce((sum, phase) => sum + phase.ms, 0);
	if (total <= 0) return ' '.repeat(width);
	const cells = phases.map(phase => (phase.ms > 0 ? Math.max(1, Math.round((phase.ms / total) * width)) : 0));
	// Rounding leaves the sum a cell or two off: the longest phase takes up the difference.
	const longest = cells.indexOf(Math.max(...cells));
	cells[longest] = Math.max(1, cells[longest]! + width - cells.reduce((sum, count) => sum + count, 0));
	return phases.map((phase, index) => phaseShades[phase.id].repeat(cells[index]!)).join('').slice(0, width).padEnd(width);
}

/** What the chart needs to put the phases on its time axis. */
export interface ChartPhases {
	readonly measured?: PhaseFigures;
	readonly prediction?: Prediction;
	/** The last acknowledged write before the outage (epoch ms, the writer's clock): both bars start there. */
	readonly outageFrom?: number;
}

/** The measured and predicted bars (each predicted phase at the middle of its range) and their legend. */
export function phaseBands(phases: ChartPhases, chartStartAt: number, lang: Lang): {bands: ChartBand[]; legend: ChartLegendItem[]} {
	if (phases.outageFrom === undefined) return {bands: [], legend: []};
	const fromMs = phases.outageFrom - chartStartAt;
	const {prediction} = phases;
	const bands: ChartBand[] = [];
	const used = new Set<PhaseId>();
	if (phases.measured) {
		const segments = phases.measured.phases
			.filter((phase): phase is MeasuredPhase & {ms: number} => phase.ms !== null)
			.map(phase => {
				const title = measuredTitle(phase, prediction, lang);
				used.add(phase.id);
				return {ms: phase.ms, color: phaseColors[phase.id], title: `${title}: ${seconds(phase.ms)} ${unit(lang)}`, label: `${seconds(phase.ms)} ${unit(lang)}`};
			});
		bands.push({id: 'measured', label: lang === 'ru' ? `измерено: ${seconds(phases.measured.sumMs)} с` : `measured: ${seconds(phases.measured.sumMs)} s`, fromMs, segments});
	}

	if (prediction) {
		const segments = prediction.phases.map(phase => {
			const middle = (phase.minMs + phase.maxMs) / 2;
			used.add(phase.id);
			return {ms: middle, color: phaseColors[phase.id], faint: true, title: `${phase.title[lang]}: ${rangeText(phase.minMs, phase.maxMs, lang)}`, label: `${seconds(middle)} ${unit(lang)}`};
		});
		const middle = (prediction.minMs + prediction.maxMs) / 2;
		bands.push({id: 'predicted', label: lang === 'ru' ? `прогноз (середина диапазона): ${seconds(middle)} с` : `predicted (middle of the range): ${seconds(middle)} s`, fromMs, segments});
	}

	const legend = phaseOrder.filter(id => used.has(id)).map(id => ({label: phaseTitle(id, prediction, lang), color: phaseColors[id]}));
	return {bands, legend};
}
