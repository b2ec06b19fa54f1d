import test from 'ava';
import {render} from 'ink-testing-library';
import {RunScreen} from '../../source/ui/run-screen.tsx';
import {createUiStore} from '../../source/ui/ui-store.ts';
import {runFeed, stage, tick, waitFor} from '../helpers/ui-fixtures.ts';

const lines = Array.from({length: 100}, (_, index) => `log line ${index}`);
const shows = (frame: string | undefined, line: number) => new RegExp(`log line ${line}$`, 'm').test(frame ?? '');

test('a full log opens at its end, where the error is (en)', async t => {
	const feed = runFeed([stage('etcd', 'failed')]);
	const store = createUiStore();
	const {lastFrame, unmount} = render(<RunScreen feed={feed} store={store} lang="en" />);
	void store.showLog('pg-node-2.log', lines);
	await tick();
	const frame = lastFrame() ?? '';
	t.true(shows(frame, 99), 'the last line is shown');
	t.false(shows(frame, 0), 'the first line is not');
	t.regex(frame, /pg-node-2\.log \(\d+-100\/100\) ↑\/↓ PgUp\/PgDn scroll, q close/);
	t.false(frame.includes('Stage etcd'), 'the log has the whole screen');
	unmount();
});

test('arrows scroll a line, PgUp a page, and the view stops at the first line', async t => {
	const feed = runFeed([stage('etcd', 'failed')]);
	const store = createUiStore();
	const {lastFrame, stdin, unmount} = render(<RunScreen feed={feed} store={store} lang="en" />);
	void store.showLog('pg-node-2.log', lines);
	await tick();
	const firstShown = Number(/\((\d+)-100\/100\)/.exec(lastFrame() ?? '')![1]) - 1;
	stdin.write('\u001B[A'); // up
	await waitFor(() => shows(lastFrame(), firstShown - 1));
	t.false(shows(lastFrame(), 99), 'the last line scrolled out');
	stdin.write('\u001B[5~'); // PgUp
	stdin.write('\u001B[5~');
	stdin.write('\u001B[5~');
	stdin.write('\u001B[5~');
	stdin.write('\u001B[5~');
	await waitFor(() => shows(lastFrame(), 0));
	t.regex(lastFrame() ?? '', /\(1-\d+\/100\)/);
	unmount();
});

test('q closes the log and the run screen comes back (ru)', async t => {
	const feed = runFeed([stage('etcd', 'failed')]);
	const store = createUiStore();
	const {lastFrame, stdin, unmount} = render(<RunScreen feed={feed} store={store} lang="ru" />);
	const closed = store.showLog('pg-node-2.log', lines);
	await tick();
	t.true((lastFrame() ?? '').includes('прокрутка, q закрыть'));
	stdin.write('q');
	await closed;
	await waitFor(() => (lastFrame() ?? '').includes('Этап etcd'));
	t.false(shows(lastFrame(), 99));
	unmount();
});
