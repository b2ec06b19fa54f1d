/** The live block in words (issue 20): raw records of the test stage are said, not shown. */
import test from 'ava';
import {readableLines} from '../../source/ui/live-lines.ts';
import {commandRows} from '../../source/ui/components/live-step.tsx';
import type {OutputLine} from '../../source/engine/store.ts';

const out = (...texts: string[]): OutputLine[] => texts.map(text => ({text, stream: 'stdout'}));

test('a run of probe acknowledgements is one line with the newest count', t => {
	t.deepEqual(readableLines(out('ack 16009 1796175270258', 'ack 16010 1796175270308'), 'en'), ['writes acknowledged: 16010']);
	t.deepEqual(readableLines(out('ack 16010 1796175270308'), 'ru'), ['записей подтверждено: 16010']);
});

test('HAProxy stats rows become the state of each server', t => {
	const header = '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle';
	const row = (server: string, status: string) => `primary,${server},0,0,0,0,,0,0,0,,0,,0,0,0,0,${status},1,1,0,0,0,30,0,,1,2,1,,`;
	const lines = readableLines(out(header, row('pg-node-1', 'UP'), row('pg-node-2', 'DOWN'), row('BACKEND', 'UP')), 'en');
	t.deepEqual(lines, ['HAProxy: primary pg-node-1 UP, pg-node-2 DOWN']);
});

test('pgbench segments are said in words', t => {
	t.deepEqual(readableLines(out('seg 9 1796175270308 1796175271308 0 812 0 0 812.0'), 'en'), ['pgbench load, segment 9: 812 transactions, 812.0 per second']);
});

test('epoch milliseconds read as a time of day', t => {
	const [line] = readableLines(out('pg-node-1 1796175270308'), 'en');
	t.regex(line!, /^pg-node-1 \d\d:\d\d:\d\d\.308$/);
});

test('the engine\'s own notes are in the screen\'s language, and commands are not repeated as output', t => {
	t.deepEqual(readableLines([{text: 'applying', stream: 'info'}, {text: 'apt-get install -y etcd', stream: 'command'}], 'ru'), ['вносим изменения']);
});

test('a multi-line command is indented under its first line, not at column 0', t => {
	t.deepEqual(commandRows('pg-node-1 $ ', 'python3 -m venv /opt/patroni &&\n/opt/patroni/bin/pip install patroni', 79), [
		'pg-node-1 $ python3 -m venv /opt/patroni &&',
		'        /opt/patroni/bin/pip install patroni',
	]);
});

test('a long command wraps between words, indented', t => {
	t.deepEqual(commandRows('pg-node-1 $ ', 'etcdctl --endpoints=http://192.168.0.31:2379 endpoint health -w json', 60), [
		'pg-node-1 $ etcdctl --endpoints=http://192.168.0.31:2379',
		'        endpoint health -w json',
	]);
});
