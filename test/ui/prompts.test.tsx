import test from 'ava';
import {render} from 'ink-testing-library';
import {RunScreen} from '../../source/ui/run-screen.tsx';
import {createUiStore, type UiState} from '../../source/ui/ui-store.ts';
import {runFeed, stage, tick, waitFor} from '../helpers/ui-fixtures.ts';

const failure = (canSkip: boolean) => ({
	kind: 'failure' as const,
	stage: {ru: 'etcd', en: 'etcd'},
	error: 'pg-node-2: etcd did not become healthy in 60 s.',
	tail: ['connection refused'],
	logFile: '/tmp/logs/pg-node-2.log',
	canSkip,
});

test('a failure offers retry, skip, full log and quit (en)', async t => {
	const feed = runFeed([stage('etcd', 'failed')]);
	const store = createUiStore();
	const {lastFrame, stdin, unmount} = render(<RunScreen feed={feed} store={store} lang="en" />);
	const answer = store.ask(failure(true));
	await tick();
	const frame = lastFrame() ?? '';
	for (const text of ['The stage stopped: etcd', 'pg-node-2: etcd did not become healthy', 'connection refused', 'Log: /tmp/logs/pg-node-2.log', '❯ Retry', 'Skip', 'Show full log', 'Quit (progress saved)']) {
		t.true(frame.includes(text), text);
	}

	stdin.write('\u001B[B'); // down: Skip
	await waitFor(() => (lastFrame() ?? '').includes('❯ Skip'));
	stdin.write('\r');
	t.deepEqual(await answer, {kind: 'failure', choice: 'skip'});
	unmount();
});

test('skip is not offered where the step is not safe to skip (ru)', async t => {
	const feed = runFeed([stage('etcd', 'failed')]);
	const store = createUiStore();
	const {lastFrame, stdin, unmount} = render(<RunScreen feed={feed} store={store} lang="ru" />);
	const answer = store.ask(failure(false));
	await tick();
	const frame = lastFrame() ?? '';
	t.true(frame.includes('Этап остановлен'));
	t.true(frame.includes('Повторить'));
	t.false(frame.includes('Пропустить'));
	stdin.write('q');
	t.deepEqual(await answer, {kind: 'failure', choice: 'quit'});
	unmount();
});

test('step mode previews the commands of a stage', async t => {
	const feed = runFeed([stage('etcd', 'pending')]);
	const store = createUiStore();
	const {lastFrame, stdin, unmount} = render(<RunScreen feed={feed} store={store} lang="en" />);
	const answer = store.ask({kind: 'step-preview', stage: {ru: 'etcd', en: 'etcd'}, explain: {ru: 'хранилище', en: 'the store'}, commands: ['systemctl start etcd']});
	await tick();
	t.true((lastFrame() ?? '').includes('$ systemctl start etcd'));
	stdin.write('\r');
	t.deepEqual(await answer, {kind: 'step-preview', choice: 'continue'});
	unmount();
});

test('step mode in Russian: the explanation, every command up to the screen, then skip', async t => {
	const feed = runFeed([stage('etcd', 'pending')]);
	const store = createUiStore();
	const {lastFrame, stdin, unmount} = render(<RunScreen feed={feed} store={store} lang="ru" />);
	const commands = Array.from({length: 40}, (_, index) => `systemctl start unit-${index}`);
	const answer = store.ask({kind: 'step-preview', stage: {ru: 'Кластер etcd', en: 'etcd'}, explain: {ru: 'хранилище лидера', en: 'the store'}, commands});
	await tick();
	const frame = lastFrame() ?? '';
	for (const text of ['Кластер etcd', 'хранилище лидера', '$ systemctl start unit-0', '… +']) t.true(frame.includes(text), text);
	t.false(frame.includes('unit-39'), 'a long list is cut to the screen');
	t.true(frame.split('\n').length <= 24);
	stdin.write('\u001B[B'); // down: skip
	await waitFor(() => /❯ Пропустить/.test(lastFrame() ?? ''));
	stdin.write('\r');
	t.deepEqual(await answer, {kind: 'step-preview', choice: 'skip'});
	unmount();
});

type Member = NonNullable<UiState['summary']>['members'][number];

/** The run screen with a summary of these members, in one language; returns its frame. */
async function summaryFrame(members: Member[], lang: 'ru' | 'en'): Promise<string> {
	const feed = runFeed([stage('haproxy', 'done')]);
	const store = createUiStore({
		summary: {
			members,
			writeUrl: 'postgresql://postgres@192.168.0.30:5000/postgres',
			readUrl: 'postgresql://postgres@192.168.0.30:5001/postgres',
			statsUrl: 'http://192.168.0.30:8404/stats',
			secretsFile: '/home/u/pgha.secrets.yaml',
			nextCommand: 'pgha test',
			doctorCommand: 'pgha doctor -c pgha.yaml',
			practiceCommand: 'pgha practice -c pgha.yaml',
		},
	});
	const {lastFrame, unmount} = render(<RunScreen feed={feed} store={store} lang={lang} />);
	await tick();
	const frame = lastFrame() ?? '';
	unmount();
	return frame;
}

test('the summary lists members and where to connect (ru)', async t => {
	const frame = await summaryFrame(
		[
			{name: 'pg-node-1', host: '192.168.0.30', role: 'leader', state: 'running', timeline: 1},
			{name: 'pg-node-2', host: '192.168.0.31', role: 'replica', state: 'streaming', timeline: 1, lagMb: 0},
		],
		'ru',
	);
	for (const text of ['Кластер готов', 'pg-node-1', 'leader', 'streaming', ':5000', ':5001', '8404/stats', 'pgha.secrets.yaml', 'pgha test']) t.true(frame.includes(text), text);
});

test('the summary says how to find the cause when something breaks later, and where to practise that', async t => {
	const member = {name: 'pg-node-1', host: '192.168.0.30', role: 'leader', state: 'running', timeline: 1};
	const ru = await summaryFrame([member], 'ru');
	t.regex(ru, /Сломалось\? Диагноз: pgha doctor -c pgha\.yaml/);
	t.regex(ru, /Тренировка поиска поломок: pgha practice -c pgha\.yaml/);
	const en = await summaryFrame([member], 'en');
	t.regex(en, /Broken\? Diagnose: pgha doctor -c pgha\.yaml/);
	t.regex(en, /Practise finding faults: pgha practice -c pgha\.yaml/);
});

test('the summary in English names the roles and the next command', async t => {
	const frame = await summaryFrame(
		[
			{name: 'pg-node-1', host: '192.168.0.30', role: 'leader', state: 'running', timeline: 2},
			{name: 'pg-node-3', host: '192.168.0.32', role: 'sync_standby', state: 'streaming', timeline: 2, lagMb: 0},
		],
		'en',
	);
	for (const text of ['The cluster is ready', 'pg-node-3', 'sync_standby', '192.168.0.30:5000', '192.168.0.30:5001', 'pgha.secrets.yaml', 'pgha test']) t.true(frame.includes(text), text);
	t.false(frame.includes('Кластер готов'));
});
