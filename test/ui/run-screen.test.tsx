import test from 'ava';
import {render} from 'ink-testing-library';
import {RunScreen} from '../../source/ui/run-screen.tsx';
import {createUiStore} from '../../source/ui/ui-store.ts';
import {runFeed, stage, tick} from '../helpers/ui-fixtures.ts';

test('finished and pending stages show with per-node status (en)', async t => {
	const feed = runFeed([stage('etcd', 'done'), stage('patroni', 'pending')]);
	const store = createUiStore();
	const {lastFrame, unmount} = render(<RunScreen feed={feed} store={store} lang="en" />);
	await tick();
	const frame = lastFrame() ?? '';
	t.regex(frame, /✔ Stage etcd\s+pg-node-1 ✔\s+pg-node-2 ✔\s+pg-node-3 ✔\s+12s/);
	t.regex(frame, /· Stage patroni/);
	t.true(frame.includes('Full logs: /tmp/pgha/.pgha/logs/run-1'));
	unmount();
});

test('the running step shows its explanation, command and live output (ru)', async t => {
	const feed = runFeed([stage('packages', 'running', 'running', ['Unpacking postgresql-15 ...'])]);
	const store = createUiStore();
	const {lastFrame, unmount} = render(<RunScreen feed={feed} store={store} lang="ru" />);
	await tick();
	const frame = lastFrame() ?? '';
	t.true(frame.includes('Что и зачем: Шаг packages'));
	t.true(frame.includes('Объяснение packages'));
	t.true(frame.includes('pg-node-2 $ apt-get install packages'));
	t.true(frame.includes('Unpacking postgresql-15 ...'));
	t.true(frame.includes('Полные логи'));
	unmount();
});

test('a long output never makes the frame taller than the terminal', async t => {
	const tail = Array.from({length: 500}, (_, index) => `line ${index}`);
	const feed = runFeed([stage('packages', 'running', 'running', tail)]);
	const store = createUiStore();
	const {lastFrame, unmount} = render(<RunScreen feed={feed} store={store} lang="en" />);
	await tick();
	const frame = lastFrame() ?? '';
	t.true(frame.split('\n').length <= 24, `frame has ${frame.split('\n').length} lines`);
	t.true(frame.includes('line 499'), 'the newest line is shown');
	t.false(frame.includes('line 0\n'));
	unmount();
});

test('store updates repaint the screen', async t => {
	const feed = runFeed([stage('etcd', 'running')]);
	const store = createUiStore();
	const {lastFrame, unmount} = render(<RunScreen feed={feed} store={store} lang="en" />);
	await tick();
	feed.show([stage('etcd', 'failed')]);
	await tick();
	t.regex(lastFrame() ?? '', /✖ Stage etcd/);
	unmount();
});

test('finished stages are in the history once, also after the full log was open', async t => {
	const feed = runFeed([stage('vm', 'checked'), stage('etcd', 'done'), stage('patroni', 'running')]);
	const store = createUiStore();
	const {frames, unmount} = render(<RunScreen feed={feed} store={store} lang="en" />);
	await tick();
	const closed = store.showLog('/tmp/pg-node-1.log', ['line 1']);
	await tick();
	store.answer({kind: 'closed'});
	await closed;
	await tick();
	const last = frames.at(-1) ?? '';
	t.is(last.split('\n').filter(line => line.startsWith('✔ Stage etcd')).length, 1);
	t.is(last.split('\n').filter(line => line.startsWith('✔ Stage vm (checked)')).length, 1);
	unmount();
});

test('the first arrow key right after a dialog appears moves its selection', async t => {
	const feed = runFeed([stage('packages', 'running')]);
	const store = createUiStore();
	const {stdin, unmount} = render(<RunScreen feed={feed} store={store} lang="en" />);
	await tick();
	const answer = store.ask({kind: 'failure', stage: {ru: 'Пакеты', en: 'Packages'}, error: 'pg-node-2: apt failed', tail: [], logFile: '/tmp/l', canSkip: true});
	// No wait: the key comes in the same turn as the frame that shows the dialog.
	await new Promise(resolve => setImmediate(resolve));
	stdin.write('\u001B[B');
	stdin.write('\r');
	t.deepEqual(await answer, {kind: 'failure', choice: 'skip'});
	unmount();
});
