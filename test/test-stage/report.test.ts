import test from 'ava';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {allPassed} from '../../source/cluster-test/model.ts';
import {writeReport} from '../../source/cluster-test/report-files.ts';
import {faultChecks} from '../../source/cluster-test/failover-test.ts';
import {chartSvg, renderMarkdown, renderSummary} from '../../source/cluster-test/report-render.ts';
import {bounds, fault, phasedFault, sampleReport, settings} from '../helpers/report-fixtures.ts';

test('the Markdown report shows every figure as measured, with the settings and the bound formulas', t => {
	const report = sampleReport();
	const md = renderMarkdown(report, 'en');
	for (const expected of [
		'| ttl | 30 s |', '| loop_wait | 10 s |', '| retry_timeout | 10 s |', '| HAProxy inter | 1s |', '| HAProxy fall | 3 |', '| HAProxy rise | 2 |', '| synchronous_mode | on |',
		'loop_wait + rise × inter + 5 s = 10 + 2 + 5 = 17 s', 'ttl + loop_wait + rise × inter + 5 s = 30 + 10 + 2 + 5 = 47 s',
		'| pg-node-3 | streaming | async | 152 | 0.2 s |',
		'pg-node-2 → pg-node-3, outage 4.2 s', 'pg-node-2 → pg-node-3, outage 27.1 s', 'pg-node-2 → pg-node-3, outage 38.1 s',
		'| write outage (last acknowledged before → first after) | **27.1 s** |', '| timeline | 4 → 5 |', '| /history | 3 → 4 entries |',
		'| the cut-off leader stepped down by itself after | 61.1 s |', '> a workaround', '![Failure: kill -9 of Patroni and PostgreSQL](kill.svg)',
		'**lost: 0**', 'lost 0 of 527', '| rw :5000 during | 4 | 476 | 8 | 59.5 | 3 | 2 | 0 |', 'rw 500.1 / 59.5 / 689.5 tps',
		'- ✔ the row is visible',
		'| error the client saw | 12 × `server closed the connection / unexpectedly` |',
	]) {
		t.true(md.includes(expected), `missing: ${expected}`);
	}

	t.false(md.includes('Not run'));
	const ru = renderMarkdown(report, 'ru');
	t.true(ru.includes('простой 27.1 с'));
	t.true(ru.includes('**потеряно: 0**'));
});

test('the terminal summary prints the same figures, a sparkline per fault and the failed checks', t => {
	const report = sampleReport({checks: [{test: 'failover-kill', ok: false, text: {ru: 'простой велик', en: 'the outage is too long'}}]});
	const summary = renderSummary(report, 'en', '/x/report.md');
	t.true(summary.includes('fault kill'));
	t.regex(summary, /fault kill +pg-node-2 → pg-node-3, outage 27\.1 s \(bound 47\.0 s\), rejoined yes \(pg_rewind\)/);
	t.regex(summary, /fault graceful +pg-node-2 → pg-node-3, outage 4\.2 s \(bound 17\.0 s\), rejoined yes$/m);
	t.true(summary.includes('lost 0 of 527 acknowledged (synchronous_mode on)'));
	t.true(summary.includes('rw tps 500.1 / 59.5 / 689.5, ro tps 6663.7 / 8441.5 / 8284.9'));
	t.true(summary.includes('Checks passed: 0 of 1'));
	t.true(summary.includes('✖ the outage is too long'));
	t.true(summary.includes('Report: /x/report.md'));
	// A sparkline per timeline: blanks where nothing was acknowledged, bars around them.
	const sparks = summary.split('\n').filter(line => /[▁▂▃▄▅▆▇█]/.test(line));
	t.is(sparks.length, 3);
	t.regex(sparks[1]!, /[▁▂▃▄▅▆▇█] {10,}[▁▂▃▄▅▆▇█]/);
	t.true(renderSummary(report, 'ru').includes('простой 27.1 с (граница 47.0 с)'));
});

test('a report passes only when complete and every check holds', t => {
	t.true(allPassed(sampleReport()));
	t.false(allPassed(sampleReport({complete: false})));
	t.false(allPassed(sampleReport({checks: [{test: 'x', ok: true, text: {ru: '', en: ''}}, {test: 'y', ok: false, text: {ru: '', en: ''}}]})));
});

test('the timeline chart marks the fault, the new leader and the first write where they happened', t => {
	const kill = fault('kill', 27_071);
	const svg = chartSvg(kill.chart!, 'kill', 'en');
	const lines = [...svg.matchAll(/<line x1="([\d.]+)" y1="40" x2="[\d.]+" y2="220" stroke="(#[0-9a-f]+)" stroke-width="2" stroke-dasharray/g)].map(match => ({x: Number(match[1]), color: match[2]}));
	t.deepEqual(lines.map(line => line.color), ['#d62728', '#ff7f0e', '#2ca02c']);
	const total = kill.chart!.buckets.length * kill.chart!.bucketMs;
	const xOf = (ms: number) => 50 + (ms / total) * 730;
	t.true(Math.abs(lines[0]!.x - xOf(kill.faultAt - kill.chart!.startAt)) < 0.2);
	t.true(Math.abs(lines[1]!.x - xOf(kill.newLeaderAt! - kill.chart!.startAt)) < 0.2);
	t.true(Math.abs(lines[2]!.x - xOf(kill.firstAckAfter! - kill.chart!.startAt)) < 0.2);
	t.true(svg.includes('>fault<') && svg.includes('>new leader<') && svg.includes('>first write<'));
	t.true(chartSvg(kill.chart!, 'kill', 'ru').includes('>новый лидер<'));
	// A label at the right edge grows leftwards and stays inside the picture.
	const late = chartSvg({...kill.chart!, marks: [{kind: 'leader', atMs: total}]}, 'x', 'en');
	t.true(late.includes('text-anchor="end">new leader<'));
});

test('the report folder holds the JSON (every figure), both Markdown files and one SVG per timeline', async t => {
	const dir = mkdtempSync(path.join(tmpdir(), 'pgha-report-'));
	try {
		const report = sampleReport();
		const files = await writeReport(path.join(dir, 'run'), report);
		t.deepEqual(JSON.parse(readFileSync(files.json, 'utf8')), JSON.parse(JSON.stringify(report)));
		t.is(readFileSync(files.markdown, 'utf8'), renderMarkdown(report, 'en'));
		t.is(readFileSync(files.markdownRu, 'utf8'), renderMarkdown(report, 'ru'));
		t.deepEqual(files.charts.map(file => path.basename(file)), ['graceful.svg', 'kill.svg', 'cut.svg']);
		for (const file of files.charts) t.true(existsSync(file) && readFileSync(file, 'utf8').startsWith('<svg'));
		t.true(readFileSync(path.join(dir, 'run', 'kill.svg'), 'utf8').includes('outage 27.1 s'));
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});

test('the SVG written for a fault with measured phases has their bars under the writes', async t => {
	const dir = mkdtempSync(path.join(tmpdir(), 'pgha-report-'));
	try {
		await writeReport(dir, sampleReport({faults: [phasedFault()]}));
		const svg = readFileSync(path.join(dir, 'kill.svg'), 'utf8');
		t.deepEqual([...svg.matchAll(/class="band-measured"[^>]*><title>([^<]+)</g)].map(match => match[1]), ['leader key expiry: 21.4 s', 'election and promotion: 1.2 s', 'HAProxy checks: 2.1 s', 'client reconnect: 0.1 s']);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});

test('a write the cut-off leader accepted passes only when it is gone after the rejoin', t => {
	const gone = faultChecks(fault('cut', 38_050, {isolatedWrite: {token: 'isolated-1', accepted: true, gone: true}}), settings, bounds.rejoinMs);
	const kept = faultChecks(fault('cut', 38_050, {isolatedWrite: {token: 'isolated-1', accepted: true, gone: false}}), settings, bounds.rejoinMs);
	const refused = faultChecks(fault('cut', 38_050, {isolatedWrite: {token: 'isolated-1', accepted: false, gone: null}}), settings, bounds.rejoinMs);
	const about = (checks: readonly {text: {en: string}; ok: boolean}[]) => checks.filter(check => check.text.en.includes('accepted after the cut'));
	t.deepEqual(about(gone).map(check => check.ok), [true]);
	t.regex(about(gone)[0]!.text.en, /pg_rewind discarded it/);
	t.deepEqual(about(kept).map(check => check.ok), [false]);
	t.deepEqual(about(refused), []);
});

test('the report says what became of the write on the cut-off side', t => {
	const report = sampleReport({faults: [fault('cut', 38_050, {isolatedWrite: {token: 'isolated-1', accepted: true, gone: true}})]});
	t.true(renderMarkdown(report, 'en').includes("| a write from a client on the cut-off leader's side | discarded on rejoin |"));
	t.true(renderMarkdown(report, 'ru').includes('| запись клиента со стороны отрезанного лидера | отброшена при возвращении |'));
});

test('each fault and the switchover show the predicted outage beside the measured one, with the phases and why (information, not a check)', t => {
	const report = sampleReport();
	const md = renderMarkdown(report, 'en');
	// The fixture: ttl 30, loop_wait 10, HAProxy inter 1s rise 2; kill 27.1 s, cut 38.1 s, graceful 4.2 s.
	t.true(md.includes('pg-node-2 → pg-node-3, outage 27.1 s (predicted 21.5–36 s)'));
	t.true(md.includes('**Prediction:** predicted 21.5–36 s, measured 27.1 s (within the prediction).'));
	t.true(md.includes('**Prediction:** predicted 22–40 s, measured 38.1 s (within the prediction).'));
	t.true(md.includes('| leader key expiry | 20–30 s | 87 % | The lost leader no longer renews its key in etcd (it did every loop_wait = 10 s)'));
	t.true(md.includes('| HAProxy checks | 1–2 s | 5 % | HAProxy asks every node\'s /primary each inter = 1s'));
	const ru = renderMarkdown(report, 'ru');
	t.true(ru.includes('**Прогноз:** ожидалось 21.5–36 с, измерено 27.1 с (в пределах ожидаемого).'));
	t.true(ru.includes('| истечение ключа лидера | 20–30 с | 87 % | Потерянный лидер больше не продлевает свой ключ'));
	const summary = renderSummary(report, 'en');
	t.regex(summary, /fault kill .*\n +predicted 21\.5–36 s, measured 27\.1 s\n/);
	t.regex(summary, /fault graceful .*\n +predicted 2–9 s, measured 4\.2 s\n/);
	t.true(renderSummary(report, 'ru').includes('ожидалось 21.5–36 с, измерено 27.1 с'));
	// A measured outage outside the range is said, and the checks (pass/fail) stay as they were.
	const slow = sampleReport({faults: report.faults.map(item => (item.kind === 'kill' ? {...item, outageMs: 41_000} : item))});
	t.true(renderMarkdown(slow, 'en').includes('measured 41.0 s (longer than predicted)'));
	t.deepEqual(slow.checks, report.checks);
	const switchover = {from: 'pg-node-2', to: 'pg-node-3', requestedAt: 0, newLeaderAt: 2000, gapMs: 4200, boundMs: 17_000, primaryNow: ['pg-node-3'], replicasNow: ['pg-node-1', 'pg-node-2'], oldLeaderStreaming: true, writes: {acked: 100, failed: 3, firstSeq: 1}, chart: null};
	const withSwitchover = sampleReport({switchover});
	t.true(renderMarkdown(withSwitchover, 'en').includes('**Prediction:** predicted 2–9 s, measured 4.2 s (within the prediction).'));
	t.true(renderMarkdown(withSwitchover, 'en').includes('| the leader steps down | 0.5–3 s |'));
	t.regex(renderSummary(withSwitchover, 'en'), /gap 4\.2 s \(bound 17\.0 s\)\n +predicted 2–9 s, measured 4\.2 s\n/);
});
