import test from 'ava';
import {bucketize, findLost, measureOutage, type Ack} from '../../source/report/timeline.ts';
import {sparkline} from '../../source/report/sparkline.ts';
import {renderChart} from '../../source/report/svg-chart.ts';

const steady = (from: number, to: number, every: number, seqStart: number): Ack[] =>
	Array.from({length: Math.floor((to - from) / every)}, (_, i) => ({seq: seqStart + i, at: from + i * every}));

test('the outage is the widest gap between acknowledged writes after the fault', t => {
	const acks = [...steady(0, 1000, 50, 1), ...steady(4200, 5000, 50, 100)];
	const outage = measureOutage(acks, 1000);
	t.deepEqual(outage, {lastBefore: 950, firstAfter: 4200, ms: 3250});
});

test('gaps that end before the fault are not the outage', t => {
	const acks = [{seq: 1, at: 0}, {seq: 2, at: 2000}, {seq: 3, at: 2050}, {seq: 4, at: 2300}];
	t.is(measureOutage(acks, 2100)?.ms, 250);
});

test('buckets count writes per 100 ms and show the gap as zeros', t => {
	const acks = [...steady(0, 300, 50, 1), ...steady(600, 800, 50, 10)];
	t.deepEqual(bucketize(acks, 0, 800), [2, 2, 2, 0, 0, 0, 2, 2]);
});

test('a lost row is an acknowledged sequence missing from the table', t => {
	const report = findLost([1, 2, 3, 4], new Set([1, 2, 4]));
	t.deepEqual(report, {acknowledged: 4, present: 3, lost: [3]});
});

test('the sparkline leaves blanks where no write was acknowledged', t => {
	t.is(sparkline([4, 4, 0, 0, 4], 5), '██  █');
});

test('the chart marks the fault moments and escapes labels', t => {
	const svg = renderChart({title: 'kill <leader>', buckets: [1, 0, 2], bucketMs: 100, marks: [{atMs: 100, label: 'kill', color: 'red'}]});
	t.true(svg.startsWith('<svg'));
	t.true(svg.includes('kill &lt;leader&gt;'));
	t.is(svg.match(/<rect /g)?.length, 4); // background + 3 bars
	t.true(svg.includes('stroke="red"'));
});
