/**
 * The report in three shapes from one TestReport: Markdown (for a student to read and keep), SVG
 * timelines (linked from it) and a compact terminal summary with a sparkline per fault. Figures are
 * formatted once (seconds with one decimal) so every shape shows the same numbers. An outage's
 * measured phases are drawn by phase-render.ts in each shape.
 */
import {evidenceLine, evidenceMarkdown} from './evidence-render.ts';
import type {Lang} from '../core/text.ts';
import {renderChart, type ChartMark} from '../report/svg-chart.ts';
import {sparkline} from '../report/sparkline.ts';
import {boundFormula} from './bounds.ts';
import {seconds} from './checks.ts';
import {allPassed, type ChartData, type FaultFigures, type FaultKind, type LoadSide, type TestReport} from './model.ts';
import {testTexts, type TestKey} from './texts.ts';
import {placeOf, predictedVsMeasured, predictOutage, rangeText, type PredictedKind, type Prediction} from './prediction.ts';
import {phaseBands, phaseMarkdown, phaseSummaryLine, type ChartPhases} from './phase-render.ts';

/** A fault that ran had what it needs: a front-door fault runs only with a floating address. */
function predictionOf(report: TestReport, kind: PredictedKind): Prediction | undefined {
	return predictOutage(report.settings, kind, {vip: true});
}

const placeWords = {
	below: {ru: 'быстрее ожидаемого', en: 'faster than predicted'},
	within: {ru: 'в пределах ожидаемого', en: 'within the prediction'},
	above: {ru: 'дольше ожидаемого', en: 'longer than predicted'},
} as const;

/** The predicted range against the figure, then each phase with its share and why it takes that long. */
function predictionMarkdown(prediction: Prediction, measuredMs: number | null, lang: Lang): string[] {
	const ru = lang === 'ru';
	const place = measuredMs === null ? '' : ` (${placeWords[placeOf(prediction, measuredMs)][lang]})`;
	return [
		`**${ru ? 'Прогноз' : 'Prediction'}:** ${predictedVsMeasured(prediction, measuredMs, lang)}${place}.`,
		'',
		ru ? '| фаза | ожидается | доля | почему |' : '| phase | expected | share | why |',
		'|---|---|---|---|',
		...prediction.phases.map(item => `| ${item.title[lang]} | ${rangeText(item.minMs, item.maxMs, lang)} | ${Math.round(item.share * 100)} % | ${item.explain[lang]} |`),
		'',
	];
}

const markStyle = {
	fault: {color: '#d62728', label: {ru: 'отказ', en: 'fault'}},
	leader: {color: '#ff7f0e', label: {ru: 'новый лидер', en: 'new leader'}},
	'first-write': {color: '#2ca02c', label: {ru: 'первая запись', en: 'first write'}},
	vip: {color: '#9467bd', label: {ru: 'адрес перешёл', en: 'VIP moved'}},
} as const;

/** The timeline of acknowledged writes; with `phases`, the measured and predicted phases under it on the same axis. */
export function chartSvg(chart: ChartData, title: string, lang: Lang, phases?: ChartPhases): string {
	const marks: ChartMark[] = chart.marks.map(mark => ({atMs: mark.atMs, label: markStyle[mark.kind].label[lang], color: markStyle[mark.kind].color}));
	return renderChart({title, buckets: chart.buckets, bucketMs: chart.bucketMs, marks, ...(phases ? phaseBands(phases, chart.startAt, lang) : {})});
}

/**
 * What a fault's or the switchover's chart draws under the writes: its measured phases and its
 * prediction, from the last acknowledged write before the outage.
 */
export function chartPhasesOf(report: TestReport, of: FaultFigures | 'switchover'): ChartPhases | undefined {
	if (of === 'switchover') {
		const w = report.switchover;
		// The switchover keeps no last write before the gap: it is the first write after, less the gap.
		const firstWrite = w?.chart?.marks.find(item => item.kind === 'first-write');
		if (!w?.chart || !firstWrite || w.gapMs === null) return undefined;
		return {measured: w.phases, prediction: predictionOf(report, 'switchover'), outageFrom: w.chart.startAt + firstWrite.atMs - w.gapMs};
	}

	if (of.skipped || of.lastAckBefore === null) return undefined;
	return {measured: of.phases, prediction: predictionOf(report, of.kind), outageFrom: of.lastAckBefore};
}

export function faultTitle(kind: FaultKind, lang: Lang): string {
	return testTexts[kind].title[lang];
}

/** "pg-node-2 → pg-node-3, outage 6.2 s" */
export function faultHeadline(fault: FaultFigures, lang: Lang): string {
	if (fault.skipped) return fault.skipped[lang];
	const outage = lang === 'ru' ? `простой ${seconds(fault.outageMs)} с` : `outage ${seconds(fault.outageMs)} s`;
	return `${fault.victim} → ${fault.newLeader ?? '—'}, ${outage}`;
}

function yes(value: boolean | null, lang: Lang): string {
	if (value === null) return '—';
	return value ? (lang === 'ru' ? 'да' : 'yes') : (lang === 'ru' ? 'нет' : 'no');
}

function mark(ok: boolean): string {
	return ok ? '✔' : '✖';
}

function testOk(report: TestReport, prefix: string): boolean {
	const checks = report.checks.filter(item => item.test === prefix);
	return checks.length > 0 && checks.every(item => item.ok);
}

function section(key: TestKey, number: string, lang: Lang): string[] {
	const text = testTexts[key];
	return [`## ${number}${text.title[lang]}`, '', text.does[lang], '', `**${lang === 'ru' ? 'Чему учит' : 'What it shows'}:** ${text.learn[lang]}`, ''];
}

/** The front door during a fault: the VIP, the other doors, the leader. */
function entryRows(fault: FaultFigures, lang: Lang): string[] {
	const ru = lang === 'ru';
	const e = fault.entry!;
	const rows = [
		`| ${ru ? 'зонды работали на' : 'the probes ran on'} | ${e.client} |`,
		`| ${ru ? 'простой записи через строку с несколькими хостами' : 'write outage through the multi-host string'} | **${seconds(e.multiHostOutageMs)} s** |`,
		`| ${ru ? 'простой чтения через порт чтения' : 'read outage through the read port'} | **${seconds(e.readOutageMs)} s** |`,
	];
	if (e.vipBefore !== null) {
		rows.push(`| ${ru ? 'плавающий адрес' : 'floating address'} | ${e.vipBefore} → ${e.vipAfter ?? (ru ? 'остался' : 'stayed')}${e.vipMovedMs === null ? '' : ` ${ru ? 'через' : 'after'} ${seconds(e.vipMovedMs)} s`} |`);
		rows.push(`| ${ru ? 'держат адрес после возвращения' : 'holding the address after the heal'} | ${e.holdersAfterHeal?.join(', ') || '—'} |`);
	}

	rows.push(`| ${ru ? 'лидер до / после' : 'leader before / after'} | ${e.leaderBefore ?? '—'} / ${e.leaderAfter ?? e.leaderBefore ?? '—'} |`);
	return rows;
}

function failsafeSection(f: NonNullable<TestReport['failsafe']>, lang: Lang): string[] {
	const ru = lang === 'ru';
	return [
		...section('failsafe', '4g. ', lang),
		`- failsafe_mode: ${f.failsafeMode ? 'on' : 'off'}; ${ru ? 'лидер' : 'leader'} ${f.leader}; etcd ${ru ? 'остановлен на' : 'stopped for'} ${seconds(f.etcdDownMs)} s`,
		`- ${ru ? 'записей подтверждено без etcd' : 'writes acknowledged without etcd'}: **${f.ackedWhileDown}**; ${ru ? 'самый длинный перерыв' : 'longest gap'}: ${seconds(f.longestGapMs)} s${f.firstFailureMs === null ? '' : `; ${ru ? 'первая ошибка записи через' : 'first failed write after'} ${seconds(f.firstFailureMs)} s`}`,
		`- ${ru ? 'повышены без etcd' : 'promoted without etcd'}: ${f.promoted.join(', ') || (ru ? 'никто' : 'nobody')}; ${ru ? 'лидер после' : 'leader after'}: ${f.leaderAfter ?? '—'}`,
		'',
		...(f.chart ? [`![${testTexts.failsafe.title[lang]}](${f.chart.file})`, ''] : []),
	];
}

/** What the application saw: the writer's errors, as table rows. */
function errorRows(writes: FaultFigures['writes'], lang: Lang): string[] {
	return (writes.errors ?? []).map(error => `| ${lang === 'ru' ? 'ошибка у клиента' : 'error the client saw'} | ${error.count} × \`${error.reason.replaceAll('|', '/')}\` |`);
}

function phaseRow(name: string, side: LoadSide, phase: 'before' | 'during' | 'after'): string {
	const p = side[phase];
	return `| ${name} | ${p.segments} | ${p.transactions} | ${p.seconds} | ${p.tps} | ${p.failedSegments} | ${p.abortedClients} | ${p.failedTransactions} |`;
}

export function renderMarkdown(report: TestReport, lang: Lang): string {
	const ru = lang === 'ru';
	const s = report.settings;
	const b = report.bounds;
	const passed = report.checks.filter(item => item.ok).length;
	const out: string[] = [
		ru ? `# Отчёт о проверке отказоустойчивости: кластер ${report.cluster}` : `# Failover test report: cluster ${report.cluster}`,
		'',
		`${ru ? 'Запуск' : 'Run'} ${report.runId}, ${report.startedAt}${report.finishedAt ? ` — ${report.finishedAt}` : ''}.`,
		'',
		`**${ru ? 'Итог' : 'Result'}: ${allPassed(report) ? (ru ? 'все проверки пройдены' : 'every check passed') : (ru ? 'есть непройденные проверки' : 'some checks failed')}${report.complete ? '' : (ru ? ' (не все тесты выполнены)' : ' (not every test ran)')}** — ${passed} / ${report.checks.length}.`,
		'',
		ru ? '## Настройки, которые объясняют цифры' : '## The settings behind the figures',
		'',
		ru ? '| настройка | значение | за что отвечает |' : '| setting | value | what it governs |',
		'|---|---|---|',
		`| ttl | ${s.ttl} s | ${ru ? 'срок жизни ключа лидера в etcd: потерянный лидер теряет роль не позже' : 'lifetime of the leader key in etcd: a lost leader loses the role after at most this'} |`,
		`| loop_wait | ${s.loopWait} s | ${ru ? 'пауза между циклами Patroni (продление ключа, проверки)' : 'pause between Patroni\'s cycles (key renewal, checks)'} |`,
		`| retry_timeout | ${s.retryTimeout} s | ${ru ? 'сколько Patroni повторяет запросы к etcd и PostgreSQL, прежде чем понизить себя' : 'how long Patroni retries etcd and PostgreSQL before demoting itself'} |`,
		`| HAProxy inter | ${s.inter} | ${ru ? 'интервал проверок /primary и /replica' : 'interval of the /primary and /replica checks'} |`,
		`| HAProxy fall | ${s.fall} | ${ru ? 'столько неудачных проверок подряд — и сервер DOWN' : 'this many failed checks in a row mark a server DOWN'} |`,
		`| HAProxy rise | ${s.rise} | ${ru ? 'столько удачных проверок подряд — и сервер снова UP' : 'this many good checks in a row mark a server UP again'} |`,
		`| synchronous_mode | ${s.synchronousMode ? 'on' : 'off'} | ${ru ? 'подтверждать запись только после синхронной реплики' : 'acknowledge a commit only once the synchronous replica has it'} |`,
		'',
		ru
			? `Теоретические границы: плановое переключение и остановка Patroni — ${boundFormula(s, 'graceful')}; kill, выключение и обрыв сети — ${boundFormula(s, 'kill')} (${b.slackMs / 1000} с — запас на само повышение реплики и новые подключения).`
			: `Theoretical bounds: a switchover and a stopped Patroni — ${boundFormula(s, 'graceful')}; a kill, a power-off and a network cut — ${boundFormula(s, 'kill')} (${b.slackMs / 1000} s of slack for the promotion itself and new connections).`,
		'',
		ru ? '## Сводка' : '## Summary',
		'',
		ru ? '| проверка | цифра | граница | итог |' : '| test | figure | bound | result |',
		'|---|---|---|---|',
	];

	if (report.replication) {
		const worst = Math.max(0, ...report.replication.replicas.map(replica => replica.visibleMs ?? Number.POSITIVE_INFINITY));
		out.push(`| ${testTexts.replication.title[lang]} | ${ru ? 'видна на всех репликах через' : 'visible on every replica after'} ${Number.isFinite(worst) ? seconds(worst) : '—'} s | ${seconds(b.replicationVisibleMs)} s | ${mark(testOk(report, 'replication'))} |`);
	}

	if (report.routing) {
		out.push(`| ${testTexts.routing.title[lang]} | ${report.routing.connections} + ${report.routing.connections} ${ru ? 'подключений' : 'connections'} | — | ${mark(testOk(report, 'routing'))} |`);
	}

	if (report.switchover) {
		const predicted = predictionOf(report, 'switchover');
		const range = predicted ? ` (${ru ? 'ожидалось' : 'predicted'} ${rangeText(predicted.minMs, predicted.maxMs, lang)})` : '';
		out.push(`| ${testTexts.switchover.title[lang]} | ${report.switchover.from} → ${report.switchover.to}, ${ru ? 'перерыв' : 'gap'} ${seconds(report.switchover.gapMs)} s${range} | ${seconds(report.switchover.boundMs)} s | ${mark(testOk(report, 'switchover'))} |`);
	}

	for (const fault of report.faults) {
		const ok = fault.skipped ? '—' : mark(testOk(report, `failover-${fault.kind}`));
		const predicted = fault.skipped ? undefined : predictionOf(report, fault.kind);
		const range = predicted ? ` (${ru ? 'ожидалось' : 'predicted'} ${rangeText(predicted.minMs, predicted.maxMs, lang)})` : '';
		out.push(`| ${faultTitle(fault.kind, lang)} | ${faultHeadline(fault, lang)}${range} | ${fault.skipped ? '—' : `${seconds(fault.boundMs)} s`} | ${ok} |`);
	}

	if (report.dataSafety) {
		const d = report.dataSafety;
		out.push(`| ${testTexts.dataSafety.title[lang]} | ${ru ? 'потеряно' : 'lost'} ${d.lost} ${ru ? 'из' : 'of'} ${d.acknowledged} | ${d.expectZeroLoss ? '0' : '—'} | ${mark(testOk(report, 'data-safety'))} |`);
	}

	if (report.load) {
		const l = report.load;
		out.push(`| ${testTexts.load.title[lang]} | rw ${l.readWrite.before.tps} / ${l.readWrite.during.tps} / ${l.readWrite.after.tps} tps, ro ${l.readOnly.before.tps} / ${l.readOnly.during.tps} / ${l.readOnly.after.tps} tps | — | ${mark(testOk(report, 'load'))} |`);
	}

	out.push('');

	if (report.replication) {
		out.push(...section('replication', '1. ', lang));
		out.push(`${ru ? 'Лидер' : 'Leader'}: ${report.replication.leader}.`, '');
		out.push(ru ? '| реплика | состояние | sync_state | отставание, байт | строка видна через |' : '| replica | state | sync_state | lag, bytes | row visible after |', '|---|---|---|---|---|');
		for (const replica of report.replication.replicas) {
			out.push(`| ${replica.name} | ${replica.state} | ${replica.syncState || '—'} | ${replica.lagBytes ?? '—'} | ${replica.visibleMs === null ? '—' : `${seconds(replica.visibleMs)} s`} |`);
		}

		out.push('');
	}

	if (report.routing) {
		const r = report.routing;
		const list = (counts: Readonly<Record<string, number>>) => Object.entries(counts).map(([server, count]) => `${server} × ${count}`).join(', ');
		out.push(...section('routing', '2. ', lang));
		out.push(`- ${ru ? 'порт записи' : 'write port'}: ${list(r.writeTargets)} (${ru ? 'лидер' : 'leader'} ${r.leaderHost})`);
		out.push(`- ${ru ? 'порт чтения' : 'read port'}: ${list(r.readTargets)}; pg_is_in_recovery() = t: ${r.readInRecovery} / ${r.connections}`);
		out.push(`- ${ru ? 'статистика HAProxy, UP' : 'HAProxy stats, UP'}: primary = ${r.statsUp.primary.join(', ') || '—'}; replicas = ${r.statsUp.replicas.join(', ') || '—'}`, '');
	}

	if (report.switchover) {
		const w = report.switchover;
		out.push(...section('switchover', '3. ', lang));
		out.push(`- ${w.from} → ${w.to}; ${ru ? 'новый лидер через' : 'new leader after'} ${w.newLeaderAt === null ? '—' : seconds(w.newLeaderAt - w.requestedAt)} s`);
		out.push(`- ${ru ? 'перерыв записи' : 'write gap'}: **${seconds(w.gapMs)} s** (${ru ? 'граница' : 'bound'} ${boundFormula(s, 'switchover')})`);
		out.push(`- /primary = 200: ${w.primaryNow.join(', ') || '—'}; /replica = 200: ${w.replicasNow.join(', ') || '—'}`);
		out.push(`- ${ru ? 'старый лидер реплицирует с нового' : 'the old leader replicates from the new one'}: ${yes(w.oldLeaderStreaming, lang)}`);
		const switchoverPrediction = predictionOf(report, 'switchover');
		out.push(`- ${ru ? 'записей подтверждено / с ошибкой' : 'writes acknowledged / failed'}: ${w.writes.acked} / ${w.writes.failed}`);
		for (const error of w.writes.errors ?? []) out.push(`  - ${error.count} × \`${error.reason}\``);
		out.push('');
		if (switchoverPrediction) out.push(...predictionMarkdown(switchoverPrediction, w.gapMs, lang));
		if (w.phases) out.push(...phaseMarkdown(w.phases, {kind: 'switchover', settings: s, prediction: switchoverPrediction, outageMs: w.gapMs}, lang));
		if (w.chart) out.push(`![${testTexts.switchover.title[lang]}](${w.chart.file})`, '');
	}

	const faultNumbers: Record<FaultKind, string> = {graceful: '4a. ', kill: '4b. ', poweroff: '4c. ', cut: '4d. ', 'entry-haproxy': '4e. ', 'entry-poweroff': '4f. '};
	for (const fault of report.faults) {
		out.push(...section(fault.kind, faultNumbers[fault.kind], lang));
		if (fault.skipped) {
			out.push(`${ru ? 'Не выполнялся' : 'Not run'}: ${fault.skipped[lang]}.`, '');
			continue;
		}

		const elected = fault.newLeaderAt === null ? '—' : seconds(fault.newLeaderAt - fault.faultAt);
		out.push(ru ? '| цифра | значение |' : '| figure | value |', '|---|---|');
		out.push(`| ${ru ? 'потерянный лидер' : 'lost leader'} | ${fault.victim} |`);
		out.push(`| ${ru ? 'новый лидер' : 'new leader'} | ${fault.newLeader ?? '—'} ${ru ? 'через' : 'after'} ${elected} s |`);
		out.push(`| ${ru ? 'простой записи (последняя подтверждённая до → первая после)' : 'write outage (last acknowledged before → first after)'} | **${seconds(fault.outageMs)} s** |`);
		out.push(`| ${ru ? 'граница' : 'bound'} | ${boundFormula(s, fault.kind)} |`);
		out.push(`| timeline | ${fault.timelineBefore ?? '—'} → ${fault.timelineAfter ?? '—'} |`);
		out.push(`| /history | ${fault.historyBefore ?? '—'} → ${fault.historyAfter ?? '—'} ${ru ? 'записей' : 'entries'} |`);
		if (fault.demotedMs !== undefined) out.push(`| ${ru ? 'отрезанный лидер сам понизил себя через' : 'the cut-off leader stepped down by itself after'} | ${fault.demotedMs === null ? '—' : `${seconds(fault.demotedMs)} s`} |`);
		out.push(`| ${ru ? 'вернулся репликой и догнал' : 'back as a replica, caught up'} | ${yes(fault.rejoined && fault.caughtUp, lang)}${fault.rejoinMs === null ? '' : `, ${seconds(fault.rejoinMs)} s`} |`);
		out.push(`| pg_rewind | ${yes(fault.rewound, lang)} |`);
		if (fault.isolatedWrite) {
			const write = fault.isolatedWrite;
			const outcome = !write.accepted ? (ru ? 'не принята' : 'refused') : write.gone === null ? '—' : write.gone ? (ru ? 'отброшена при возвращении' : 'discarded on rejoin') : (ru ? 'осталась' : 'still there');
			out.push(`| ${ru ? 'запись клиента со стороны отрезанного лидера' : "a write from a client on the cut-off leader's side"} | ${outcome} |`);
		}
		out.push(`| ${ru ? 'записей подтверждено / с ошибкой' : 'writes acknowledged / failed'} | ${fault.writes.acked} / ${fault.writes.failed} |`);
		out.push(...errorRows(fault.writes, lang));
		if (fault.entry) out.push(...entryRows(fault, lang));
		out.push('');
		if (fault.note) out.push(`> ${fault.note[lang]}`, '');
		const faultPrediction = predictionOf(report, fault.kind);
		if (faultPrediction) out.push(...predictionMarkdown(faultPrediction, fault.outageMs, lang));
		if (fault.phases) out.push(...phaseMarkdown(fault.phases, {kind: fault.kind, settings: s, prediction: faultPrediction, outageMs: fault.outageMs}, lang));
		if (fault.chart) out.push(`![${faultTitle(fault.kind, lang)}](${fault.chart.file})`, '');
	}

	if (report.failsafe) out.push(...failsafeSection(report.failsafe, lang));

	if (report.dataSafety) {
		const d = report.dataSafety;
		out.push(...section('dataSafety', '5. ', lang));
		out.push(`- ${ru ? 'подтверждённых записей' : 'acknowledged writes'}: ${d.acknowledged}; ${ru ? 'из них в таблице' : 'present in the table'}: ${d.present}; **${ru ? 'потеряно' : 'lost'}: ${d.lost}**${d.lostSample.length > 0 ? ` (${d.lostSample.join(', ')})` : ''}`);
		out.push(`- ${ru ? 'контрольная сумма подтверждённых' : 'checksum of the acknowledged'}: ${d.ackedChecksum}; ${ru ? 'найденных' : 'of those found'}: ${d.presentChecksum}`);
		out.push(`- ${ru ? 'строк в таблице' : 'table rows'}: ${d.tableRows} (${ru ? 'без подтверждения, но записаны' : 'written without an acknowledgement'}: ${d.unacknowledgedPresent})`);
		out.push(`- ${ru ? 'строк на узлах' : 'rows on the nodes'}: ${Object.entries(d.nodeRows).map(([node, count]) => `${node} ${count ?? '—'}`).join(', ')}`);
		out.push(`- synchronous_mode: ${d.expectZeroLoss ? 'on' : 'off'}`, '');
	}

	if (report.load) {
		const l = report.load;
		out.push(...section('load', '6. ', lang));
		out.push(`${ru ? 'Отказ' : 'Failure'}: ${l.victim} → ${l.newLeader ?? '—'}; ${ru ? 'клиентов' : 'clients'} ${l.clients}, ${ru ? 'отрезки по' : 'segments of'} ${l.segmentSeconds} s.`, '');
		out.push(ru ? '| фаза | отрезков | транзакций | секунд | tps | отрезков с ошибкой | оборванных клиентов | неудачных транзакций |' : '| phase | segments | transactions | seconds | tps | failed segments | aborted clients | failed transactions |', '|---|---|---|---|---|---|---|---|');
		const names = ru ? {before: 'до', during: 'во время', after: 'после'} : {before: 'before', during: 'during', after: 'after'};
		for (const [label, side] of [[`rw :${l.readWrite.port}`, l.readWrite], [`ro :${l.readOnly.port}`, l.readOnly]] as const) {
			for (const phase of ['before', 'during', 'after'] as const) out.push(phaseRow(`${label} ${names[phase]}`, side, phase));
		}

		out.push('');
	}

	out.push(...evidenceMarkdown(report.faults, lang));
	out.push(ru ? '## Все проверки' : '## Every check', '');
	for (const item of report.checks) out.push(`- ${item.slow ? '⚠' : mark(item.ok)} ${item.text[lang]}`);
	out.push('');
	return out.join('\n');
}

/** Words of the terminal summary. */
const summaryWords = {
	en: {results: 'Test results:', fault: 'fault', gap: 'gap', outage: 'outage', bound: 'bound', rejoined: 'rejoined', yes: 'yes', no: 'no', lag: 'lag', visible: 'visible', lost: 'lost', of: 'of', acknowledged: 'acknowledged', phases: 'before / during / after', report: 'Report', writes: 'writes', reads: 'reads', s: 's'},
	ru: {results: 'Итоги проверок:', fault: 'отказ', gap: 'перерыв', outage: 'простой', bound: 'граница', rejoined: 'вернулся', yes: 'да', no: 'нет', lag: 'отставание', visible: 'видна через', lost: 'потеряно', of: 'из', acknowledged: 'подтверждённых', phases: 'до / во время / после', report: 'Отчёт', writes: 'запись', reads: 'чтение', s: 'с'},
} as const;

/** The terminal summary: one line per figure, a sparkline under each timeline. */
export function renderSummary(report: TestReport, lang: Lang, reportFile?: string): string {
	const w = summaryWords[lang];
	const out: string[] = [w.results];
	const pad = (value: string) => value.padEnd(34);
	if (report.replication) {
		for (const replica of report.replication.replicas) {
			out.push(`  ${pad(`${testTexts.replication.title[lang]} ${replica.name}`)} ${replica.state}, ${w.lag} ${replica.lagBytes ?? '—'} B, ${w.visible} ${seconds(replica.visibleMs)} ${w.s}`);
		}
	}

	if (report.routing) {
		const r = report.routing;
		const total = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((sum, count) => sum + count, 0);
		out.push(`  ${pad(testTexts.routing.title[lang])} ${w.writes} ${total(r.writeTargets)} → ${Object.keys(r.writeTargets).join(', ')}; ${w.reads} ${total(r.readTargets)} → ${Object.keys(r.readTargets).join(', ')}`);
	}

	if (report.switchover) {
		const x = report.switchover;
		out.push(`  ${pad(testTexts.switchover.title[lang])} ${x.from} → ${x.to}, ${w.gap} ${seconds(x.gapMs)} ${w.s} (${w.bound} ${seconds(x.boundMs)} ${w.s})`);
		const predicted = predictionOf(report, 'switchover');
		if (predicted) out.push(`  ${pad('')} ${predictedVsMeasured(predicted, x.gapMs, lang)}`);
		if (x.phases) out.push(phaseSummaryLine(x.phases, lang));
		if (x.chart) out.push(`  ${pad('')} ${sparkline(x.chart.buckets)}`);
	}

	for (const fault of report.faults) {
		if (fault.skipped) {
			out.push(`  ${pad(`${w.fault} ${fault.kind}`)} ${fault.skipped[lang]}`);
			continue;
		}

		out.push(`  ${pad(`${w.fault} ${fault.kind}`)} ${fault.victim} → ${fault.newLeader ?? '—'}, ${w.outage} ${seconds(fault.outageMs)} ${w.s} (${w.bound} ${seconds(fault.boundMs)} ${w.s}), ${w.rejoined} ${fault.rejoined ? w.yes : w.no}${fault.rewound ? ' (pg_rewind)' : ''}`);
		if (fault.entry) {
			const e = fault.entry;
			const vip = e.vipBefore === null ? '' : `VIP ${e.vipBefore} → ${e.vipAfter ?? '—'}${e.vipMovedMs === null ? '' : ` ${seconds(e.vipMovedMs)} ${w.s}`}; `;
			out.push(`  ${pad('')} ${vip}multi-host ${seconds(e.multiHostOutageMs)} ${w.s}, ${w.reads} ${seconds(e.readOutageMs)} ${w.s}`);
		}

		const predicted = predictionOf(report, fault.kind);
		if (predicted) out.push(`  ${pad('')} ${predictedVsMeasured(predicted, fault.outageMs, lang)}`);
		if (fault.phases) out.push(phaseSummaryLine(fault.phases, lang));
		if (fault.chart) out.push(`  ${pad('')} ${sparkline(fault.chart.buckets)}`);
		if (fault.note) out.push(`  ${pad('')} ${fault.note[lang]}`);
		for (const evidence of fault.evidence ?? []) out.push(`  ${pad('')} ⚠ ${evidenceLine(evidence, lang)}`);
	}

	if (report.failsafe) {
		const f = report.failsafe;
		out.push(`  ${pad(`failsafe_mode ${f.failsafeMode ? 'on' : 'off'}`)} etcd ${seconds(f.etcdDownMs)} ${w.s}: ${w.writes} ${f.ackedWhileDown}, ${w.gap} ${seconds(f.longestGapMs)} ${w.s}, ${f.promoted.length === 0 ? (lang === 'ru' ? 'без повышений' : 'no promotion') : `${lang === 'ru' ? 'повышены' : 'promoted'} ${f.promoted.join(', ')}`}`);
	}

	if (report.dataSafety) {
		const d = report.dataSafety;
		out.push(`  ${pad(testTexts.dataSafety.title[lang])} ${w.lost} ${d.lost} ${w.of} ${d.acknowledged} ${w.acknowledged} (synchronous_mode ${d.expectZeroLoss ? 'on' : 'off'})`);
	}

	if (report.load) {
		const l = report.load;
		out.push(`  ${pad(testTexts.load.title[lang])} rw tps ${l.readWrite.before.tps} / ${l.readWrite.during.tps} / ${l.readWrite.after.tps}, ro tps ${l.readOnly.before.tps} / ${l.readOnly.during.tps} / ${l.readOnly.after.tps} (${w.phases})`);
	}

	const failed = report.checks.filter(item => !item.ok);
	out.push(lang === 'ru'
		? `  Проверок пройдено: ${report.checks.length - failed.length} из ${report.checks.length}${report.complete ? '' : ' (выполнены не все тесты)'}`
		: `  Checks passed: ${report.checks.length - failed.length} of ${report.checks.length}${report.complete ? '' : ' (not every test ran)'}`);
	for (const item of failed) out.push(`  ✖ ${item.text[lang]}`);
	for (const item of report.checks.filter(check => check.slow)) out.push(`  ⚠ ${item.text[lang]}`);
	if (reportFile) out.push(`  ${w.report}: ${reportFile}`);
	return out.join('\n');
}
