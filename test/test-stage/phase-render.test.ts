import test from 'ava';
import type {PhaseFigures} from '../../source/cluster-test/model.ts';
import {chartPhasesOf, chartSvg, renderMarkdown, renderSummary} from '../../source/cluster-test/report-render.ts';
import {killPhases, phasedFault, sampleReport} from '../helpers/report-fixtures.ts';

// The fixture cluster: ttl 30, loop_wait 10, retry_timeout 10, HAProxy inter 1s, rise 2, fall 3.
const phasedReport = (phases: PhaseFigures = killPhases) => sampleReport({faults: [phasedFault(phases)]});

/** The detection's end was not read: its time is inside the election's. */
const unreadDetection: PhaseFigures = {
	phases: [
		{id: 'detection', ms: null, evidence: {ru: 'watch на etcd не ответил', en: 'the etcd watch did not answer'}},
		{id: 'election', ms: 22_600, includes: ['detection'], evidence: {ru: 'журнал Patroni на pg-node-3: promoted', en: "pg-node-3's Patroni journal: promoted"}},
		...killPhases.phases.slice(2),
	],
	sumMs: 24_800,
	gapMs: 0,
};

test('the Markdown puts each measured phase beside its predicted range, with the event that ended it', t => {
	const md = renderMarkdown(phasedReport(), 'en');
	t.true(md.includes('| phase | predicted | measured | what ended it |'));
	t.true(md.includes('| leader key expiry | 20–30 s | **21.4 s** | the leader key left etcd (watch on pg-node-3) |'));
	t.true(md.includes('| HAProxy checks | 1–2 s | **2.1 s** | HAProxy\'s log: pg-node-3 UP in the primary backend |'));
	t.true(md.includes('**Sum of the phases:** 24.8 s; the write probe measured an outage of 24.8 s.'));
	t.true(renderMarkdown(phasedReport(), 'ru').includes('| истечение ключа лидера | 20–30 с | **21.4 с** | ключ лидера исчез из etcd (watch на pg-node-3) |'));
});

test('the Markdown explains the biggest phase with the setting that shortens it, its risk and the cluster\'s own values', t => {
	const md = renderMarkdown(phasedReport(), 'en');
	t.true(md.includes('**The biggest phase: leader key expiry, 21.4 s of 24.8 s.**'));
	t.true(md.includes('up to ttl = 30 s after its last renewal (renewed every loop_wait = 10 s)'));
	t.true(md.includes('`preset: fast`: ttl 20, loop_wait 5, retry_timeout 5'));
	t.true(md.includes('a failover nobody needed'));
	t.true(md.includes('loop_wait + 2 × retry_timeout ≤ ttl (10 + 2 × 10 = 30 ≤ 30)'));
	const ru = renderMarkdown(phasedReport(), 'ru');
	t.true(ru.includes('**Дольше всего: истечение ключа лидера, 21.4 с из 24.8 с.**'));
	t.true(ru.includes('до ttl = 30 с после последнего продления (продлевается каждые loop_wait = 10 с)'));
});

test('when HAProxy\'s checks are the biggest phase, the explanation is about inter, rise and fall', t => {
	const phases: PhaseFigures = {...killPhases, phases: killPhases.phases.map(phase => (phase.id === 'routing' ? {...phase, ms: 23_000} : phase.id === 'detection' ? {...phase, ms: 500} : phase))};
	const md = renderMarkdown(phasedReport(phases), 'en');
	t.true(md.includes('**The biggest phase: HAProxy checks, 23.0 s of 24.8 s.**'));
	t.true(md.includes('only after rise = 2 good /primary checks, inter = 1s apart'));
	t.true(md.includes('`fall` = 3 decides how quickly HAProxy takes a dead primary out (3 × 1s = 3 s)'));
	t.false(md.includes('preset: fast'));
});

test('a phase whose end could not be read shows a dash with the reason, and the next phase says it holds that time', t => {
	const md = renderMarkdown(phasedReport(unreadDetection), 'en');
	t.true(md.includes('| leader key expiry | 20–30 s | — (inside the next phase) | the etcd watch did not answer |'));
	t.true(md.includes('| leader key expiry + election and promotion | 20.5–33 s | **22.6 s** | pg-node-3\'s Patroni journal: promoted |'));
	// The held phase is the one explained: the key's expiry, not the election.
	t.true(md.includes('**The biggest phase: leader key expiry + election and promotion, 22.6 s of 24.8 s.** The lost leader stopped renewing its key'));
	t.true(renderMarkdown(phasedReport(unreadDetection), 'ru').includes('| истечение ключа лидера | 20–30 с | — (внутри следующей фазы) | watch на etcd не ответил |'));
});

test('a sum of the phases more than 500 ms off the measured outage is said, a smaller one is not', t => {
	const off = renderMarkdown(phasedReport({...killPhases, sumMs: 23_500, gapMs: 1300}), 'en');
	t.true(off.includes('**Sum of the phases:** 23.5 s; the write probe measured an outage of 24.8 s. The evidence on the nodes and the probe disagree by 1.3 s'));
	t.true(renderMarkdown(phasedReport({...killPhases, sumMs: 23_500, gapMs: 1300}), 'ru').includes('Свидетельства с узлов и зонд расходятся на 1.3 с'));
	t.false(renderMarkdown(phasedReport({...killPhases, sumMs: 24_400, gapMs: 400}), 'en').includes('disagree'));
});

test('the switchover\'s phases are shown too, its step-down explained by the shutdown checkpoint', t => {
	const switchover = {from: 'pg-node-2', to: 'pg-node-3', requestedAt: 0, newLeaderAt: 2000, gapMs: 4200, boundMs: 17_000, primaryNow: ['pg-node-3'], replicasNow: ['pg-node-1', 'pg-node-2'], oldLeaderStreaming: true, writes: {acked: 100, failed: 3, firstSeq: 1}, chart: null, phases: {
		phases: [
			{id: 'detection' as const, ms: 2600, evidence: {ru: 'ключ лидера отдан', en: 'the leader key was released'}},
			{id: 'election' as const, ms: 600, evidence: {ru: 'promoted', en: 'promoted'}},
			{id: 'routing' as const, ms: 900, evidence: {ru: 'HAProxy UP', en: 'HAProxy UP'}},
			{id: 'client' as const, ms: 100, evidence: {ru: 'первая запись', en: 'the first write'}},
		],
		sumMs: 4200,
		gapMs: 0,
	}};
	const md = renderMarkdown(sampleReport({switchover}), 'en');
	t.true(md.includes('| the leader steps down | 0.5–3 s | **2.6 s** | the leader key was released |'));
	t.true(md.includes('**The biggest phase: the leader steps down, 2.6 s of 4.2 s.**'));
	t.true(md.includes('a CHECKPOINT just before a planned switchover'));
	t.regex(renderSummary(sampleReport({switchover}), 'en'), /predicted 2–9 s, measured 4\.2 s\n +[█▓▒░]+ detection 2\.6 · election 0\.6 · routing 0\.9 · client 0\.1 s\n/);
});

test('the chart stacks the measured phases between the last write before the outage and the first after, and the prediction from the same point', t => {
	const report = phasedReport();
	const kill = report.faults[0]!;
	const svg = chartSvg(kill.chart!, 'kill', 'en', chartPhasesOf(report, kill));
	const rects = (band: string) => [...svg.matchAll(new RegExp(`<rect class="band-${band}" x="([\\d.]+)" y="[\\d.]+" width="([\\d.]+)"[^>]*><title>([^<]+)</title>`, 'g'))]
		.map(match => ({x: Number(match[1]), end: Number(match[1]) + Number(match[2]), title: match[3]}));
	const measured = rects('measured');
	t.deepEqual(measured.map(rect => rect.title), ['leader key expiry: 21.4 s', 'election and promotion: 1.2 s', 'HAProxy checks: 2.1 s', 'client reconnect: 0.1 s']);
	// The fixture's last write before the outage is at the fault: the bar starts on the fault's line and ends on the first write's.
	const line = (color: string) => Number(new RegExp(`<line x1="([\\d.]+)"[^>]*stroke="${color}"`).exec(svg)![1]);
	t.true(Math.abs(measured[0]!.x - line('#d62728')) < 0.2);
	t.true(Math.abs(measured.at(-1)!.end - line('#2ca02c')) < 0.3);
	for (const [index, rect] of measured.slice(1).entries()) t.true(Math.abs(rect.x - measured[index]!.end) < 0.2);
	const predicted = rects('predicted');
	t.deepEqual(predicted.map(rect => rect.title), ['leader key expiry: 20–30 s', 'election and promotion: 0.5–3 s', 'HAProxy checks: 1–2 s', 'client reconnect: 0–1 s']);
	t.true(Math.abs(predicted[0]!.x - measured[0]!.x) < 0.2);
	t.true(svg.includes('>measured: 24.8 s<') && svg.includes('>predicted (middle of the range): 28.8 s<'));
	for (const name of ['leader key expiry', 'election and promotion', 'HAProxy checks', 'client reconnect']) t.true(svg.includes(`>${name}</text>`), name);
});

test('the chart of a fault without measured phases still shows its prediction, and a chart without phases is unchanged', t => {
	const report = sampleReport();
	const kill = report.faults[1]!;
	const svg = chartSvg(kill.chart!, 'kill', 'en', chartPhasesOf(report, kill));
	t.false(svg.includes('band-measured'));
	t.is([...svg.matchAll(/class="band-predicted"/g)].length, 4);
	t.true(chartSvg(kill.chart!, 'kill', 'en').includes('height="260"'));
});

test('the terminal shows the phases as one bar with their seconds under the prediction, within 80 columns in both languages', t => {
	for (const phases of [killPhases, unreadDetection]) {
		for (const lang of ['en', 'ru'] as const) {
			const summary = renderSummary(phasedReport(phases), lang);
			const lines = summary.split('\n');
			const at = lines.findIndex(line => /[█▓▒░]{8,}/.test(line));
			t.true(at > 0, summary);
			t.regex(lines[at - 1]!, lang === 'en' ? /predicted 21\.5–36 s, measured 24\.8 s/ : /ожидалось 21\.5–36 с, измерено 24\.8 с/);
			t.true([...lines[at]!].length <= 80, lines[at]);
		}
	}

	t.regex(renderSummary(phasedReport(), 'en'), /\n {2}█+▓+▒+░+ detection 21\.4 · election 1\.2 · routing 2\.1 · client 0\.1 s\n/);
	t.regex(renderSummary(phasedReport(), 'ru'), /\n {2}█+▓+▒+░+ обнаружение 21\.4 · выборы 1\.2 · маршрут 2\.1 · клиент 0\.1 с\n/);
	t.regex(renderSummary(phasedReport(unreadDetection), 'en'), / detection\+election 22\.6 · routing 2\.1 · client 0\.1 s\n/);
});
