/**
 * A wait past its bound: a right outcome that came late is "slow" (passed, with the evidence), a
 * limit the student set still fails, and an outcome that never came is wrong.
 */
import test from 'ava';
import {stepDownBoundMs} from '../../source/cluster-test/bounds.ts';
import {switchoverPending} from '../../source/cluster-test/cluster-view.ts';
import {answersCommand, parseAnswers} from '../../source/cluster-test/evidence.ts';
import {evidenceLine, evidenceVerdict} from '../../source/cluster-test/evidence-render.ts';
import {faultChecks} from '../../source/cluster-test/failover-test.ts';
import {gapCheck} from '../../source/cluster-test/switchover-test.ts';
import type {Evidence} from '../../source/cluster-test/model.ts';
import {renderMarkdown, renderSummary} from '../../source/cluster-test/report-render.ts';
import {bounds, fault, sampleReport, settings} from '../helpers/report-fixtures.ts';

const nodes = [{name: 'pg-node-1', ip: '192.168.0.30'}, {name: 'pg-node-2', ip: '192.168.0.31'}, {name: 'pg-node-3', ip: '192.168.0.32'}] as const;

const slowStepDown: Evidence = {
	wait: {ru: 'pg-node-2, отрезанный, сам перестаёт быть лидером', en: 'the cut-off pg-node-2 steps down by itself'},
	boundMs: 85_000,
	afterMs: 85_400,
	nodes: [
		{name: 'pg-node-1', answered: true, role: 'replica', state: 'streaming', timeline: 5},
		{name: 'pg-node-2', answered: true, role: 'primary', state: 'running', timeline: 4, inside: true},
		{name: 'pg-node-3', answered: true, role: 'primary', state: 'running', timeline: 5},
	],
	journal: {node: 'pg-node-2', lines: ['2026-12-02T16:00:01+0000 pg-node-2 patroni[412]: INFO: no action. I am (pg-node-2), the leader with the lock']},
};

const outageOf = (checks: ReturnType<typeof faultChecks>) => checks.find(check => check.text.en.startsWith('write outage through HAProxy'))!;
const stepDownOf = (checks: ReturnType<typeof faultChecks>) => checks.find(check => check.text.en.includes('step'))!;

test('an outage within the bound passes plainly', t => {
	const check = outageOf(faultChecks(fault('kill', 27_000), settings, bounds.rejoinMs));
	t.true(check.ok);
	t.falsy(check.slow);
});

test('an outage past the bound with a new leader and writes back passes as slow, and says where the evidence is', t => {
	const check = outageOf(faultChecks(fault('kill', bounds.hardMs + 20_000), settings, bounds.rejoinMs));
	t.true(check.ok);
	t.true(check.slow);
	t.regex(check.text.en, /slower than the theory but right/);
	t.regex(check.text.ru, /медленнее теории, но верно/);
});

test('an outage past a limit the student set fails, even when the cluster was right', t => {
	const check = outageCheckWithLimit(44_000, 40_000);
	t.true(44_000 <= bounds.hardMs, 'within the theory');
	t.false(check.ok);
	t.regex(check.text.en, /your limit 40\.0 s/);
	t.true(outageCheckWithLimit(30_000, 40_000).ok);
});

function outageCheckWithLimit(outageMs: number, limitMs: number) {
	return outageOf(faultChecks(fault('kill', outageMs), settings, bounds.rejoinMs, limitMs));
}

test('no new leader at all is wrong, whatever the outage figure', t => {
	const check = outageOf(faultChecks(fault('kill', 30_000, {newLeader: null}), settings, bounds.rejoinMs));
	t.false(check.ok);
});

test('a cut-off leader that stepped down after its bound passes as slow; one that never did fails', t => {
	const bound = stepDownBoundMs(settings);
	t.is(bound, (settings.loopWait + settings.retryTimeout) * 1000 + 60_000 + 5000);
	const inTime = stepDownOf(faultChecks(fault('cut', 38_000, {demotedMs: bound - 1000, stepDownBoundMs: bound}), settings, bounds.rejoinMs));
	t.true(inTime.ok);
	t.falsy(inTime.slow);
	const late = stepDownOf(faultChecks(fault('cut', 38_000, {demotedMs: bound + 25_000, stepDownBoundMs: bound}), settings, bounds.rejoinMs));
	t.true(late.ok);
	t.true(late.slow);
	t.regex(late.text.en, /later than its bound of 85\.0 s: slow but right/);
	const never = stepDownOf(faultChecks(fault('cut', 38_000, {demotedMs: null, stepDownBoundMs: bound}), settings, bounds.rejoinMs));
	t.false(never.ok);
	t.regex(never.text.en, /did not step down: a second primary/);
});

test('the evidence names two primaries as wrong-looking and one as slow-but-right', t => {
	t.regex(evidenceVerdict(slowStepDown, 'en'), /two nodes call themselves the primary \(pg-node-2, pg-node-3\)/);
	const one = {...slowStepDown, nodes: slowStepDown.nodes.map(answer => (answer.name === 'pg-node-2' ? {...answer, role: 'demoted'} : answer))};
	t.regex(evidenceVerdict(one, "en"), /one primary among those that answered \(pg-node-3\): the cluster is right, only slower than the theory$/);
	const silent = {...one, nodes: one.nodes.map(answer => (answer.name === "pg-node-2" ? {name: answer.name, answered: false, inside: true} : answer))};
	t.regex(evidenceVerdict(silent, "en"), /what pg-node-2 thinks of itself is unknown/);
	const none = {...slowStepDown, nodes: slowStepDown.nodes.map(answer => ({name: answer.name, answered: false}))};
	t.regex(evidenceVerdict(none, 'ru'), /primary ещё нет/);
	t.regex(evidenceLine(none, 'en'), /pg-node-1: REST API did not answer/);
});

test('the report and the terminal summary show the evidence of a slow step-down', t => {
	const bound = stepDownBoundMs(settings);
	const cut = fault('cut', 38_000, {demotedMs: bound + 25_000, stepDownBoundMs: bound, evidence: [slowStepDown]});
	const report = sampleReport({faults: [cut], checks: faultChecks(cut, settings, bounds.rejoinMs)});
	const markdown = renderMarkdown(report, 'en');
	t.regex(markdown, /## Waits past their bound: what the cluster was doing/);
	t.regex(markdown, /the cut-off pg-node-2 steps down by itself: its bound of 85\.0 s passed; at 85\.4 s after the fault: pg-node-1: replica streaming, timeline 5; pg-node-2 \(from inside, cut off\): primary running, timeline 4/);
	t.regex(markdown, /Patroni's journal on pg-node-2:[\s\S]*the leader with the lock/);
	t.regex(markdown, /- ⚠ the cut-off pg-node-2 stepped down by itself after 110\.0 s/);
	t.regex(renderMarkdown(report, 'ru'), /## Ожидания дольше границы: что делал кластер/);
	const summary = renderSummary(report, 'en');
	t.regex(summary, /⚠ the cut-off pg-node-2 steps down by itself: its bound/);
	t.regex(summary, /Checks passed: \d+ of \d+/);
	t.regex(summary, /⚠ the cut-off pg-node-2 stepped down by itself after 110\.0 s, later than its bound/);
});

test('each node is asked for its own /patroni, and a silent one reads as not answering', t => {
	t.regex(answersCommand(nodes.map(node => node.ip), 8008), /curl -s --max-time 2 "http:\/\/\$ip:8008\/patroni"/);
	const answers = parseAnswers('192.168.0.30 {"state": "running", "role": "replica", "timeline": 5}\n192.168.0.31 \n192.168.0.32 {"state":"running","role":"primary","timeline":5}\n', [...nodes]);
	t.deepEqual(answers, [
		{name: 'pg-node-1', answered: true, role: 'replica', state: 'running', timeline: 5},
		{name: 'pg-node-2', answered: false},
		{name: 'pg-node-3', answered: true, role: 'primary', state: 'running', timeline: 5},
	]);
});

test('a switchover Patroni could not confirm in time is judged by who leads next, a refused one fails', t => {
	t.true(switchoverPending({status: 503, body: 'Switchover status unknown'}));
	t.false(switchoverPending({status: 503, body: 'Switchover failed'}));
	t.false(switchoverPending({status: 412, body: 'candidate name does not match with sync_standby'}));
	t.false(switchoverPending({status: 200, body: 'Successfully switched over to "pg-node-2"'}));
});

test('a switchover gap past its bound with the requested leader in place is slow; a wrong leader or the student\'s limit fails it', t => {
	t.like(gapCheck(4200, 21_000, '21 s', true), {ok: true});
	t.falsy(gapCheck(4200, 21_000, '21 s', true).slow);
	t.like(gapCheck(27_200, 21_000, '21 s', true), {ok: true, slow: true});
	t.regex(gapCheck(27_200, 21_000, '21 s', true).text.en, /slower than the theory but right/);
	t.like(gapCheck(27_200, 21_000, '21 s', false), {ok: false});
	t.like(gapCheck(27_200, 21_000, '21 s', true, 25_000), {ok: false});
	t.like(gapCheck(undefined, 21_000, '21 s', true), {ok: false});
});
