import test from 'ava';
import {render} from 'ink-testing-library';
import {RunScreen} from '../../source/ui/run-screen.tsx';
import {createUiStore} from '../../source/ui/ui-store.ts';
import {runView, stage, tick} from '../helpers/ui-fixtures.ts';

test('finished and pending stages show with per-node status (en)', async t => {
	const store = createUiStore({run: runView([stage('etcd', 'done'), stage('patroni', 'pending')])});
	const {lastFrame, unmount} = render(<RunScreen store={store} lang="en" />);
	await tick();
	const frame = lastFrame() ?? '';
	t.regex(frame, /✔ Stage etcd\s+pg-node-1 ✔\s+pg-node-2 ✔\s+pg-node-3 ✔\s+12s/);
	t.regex(frame, /· Stage patroni/);
	t.true(frame.includes('Full logs: /tmp/pgha/.pgha/logs/run-1'));
	unmount();
});

test('the running step shows its explanation, command and live output (ru)', async t => {
	const store = createUiStore({run: runView([stage('packages', 'running', 'running', ['Unpacking postgresql-15 ...'])])});
	const {lastFrame, unmount} = render(<RunScreen store={store} lang="ru" />);
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
	const store = createUiStore({run: runView([stage('packages', 'running', 'running', tail)])});
	const {lastFrame, unmount} = render(<RunScreen store={store} lang="en" />);
	await tick();
	const frame = lastFrame() ?? '';
	t.true(frame.split('\n').length <= 24, `frame has ${frame.split('\n').length} lines`);
	t.true(frame.includes('line 499'), 'the newest line is shown');
	t.false(frame.includes('line 0\n'));
	unmount();
});

test('store updates repaint the screen', async t => {
	const store = createUiStore({run: runView([stage('etcd', 'running')])});
	const {lastFrame, unmount} = render(<RunScreen store={store} lang="en" />);
	await tick();
	store.update(state => ({...state, run: runView([stage('etcd', 'failed')])}));
	await tick();
	t.regex(lastFrame() ?? '', /✖ Stage etcd/);
	unmount();
});
