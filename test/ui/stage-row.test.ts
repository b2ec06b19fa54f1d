/** Stage rows laid out for the terminal's width (issue 20): nothing for the terminal to wrap. */
import test from 'ava';
import {rowWidth, stageRows} from '../../source/ui/stage-row.ts';
import type {StageView} from '../../source/engine/store.ts';
import {stage} from '../helpers/ui-fixtures.ts';

function text(rows: ReturnType<typeof stageRows>): string[] {
	return rows.map(row => row.map(segment => segment.text).join(''));
}

/** Host plus three nodes, the longest Russian title and a note: the widest line a run has. */
function sshAccess(status: StageView['status']): StageView {
	const base = stage('ssh-access', status);
	return {
		...base,
		title: {ru: 'Доступ по SSH с этого компьютера (VS Code)', en: 'SSH access from this computer (VS Code)'},
		steps: [
			{...base.steps[0]!, nodes: [{node: 'host', status, retries: 0, tail: [], lineCount: 0}, ...base.steps[0]!.nodes.map(node => ({...node, retries: 2}))]},
		],
	};
}

test('a stage that fits is one row: title, participants, time', t => {
	t.deepEqual(text(stageRows(stage('etcd', 'done'), 'ru', 79, '⠙', 0)), ['✔ Этап etcd  pg-node-1 ✔  pg-node-2 ✔  pg-node-3 ✔  12s']);
});

test('at every width from 80 columns no row is wider than the terminal', t => {
	for (let width = 79; width <= 200; width++) {
		for (const status of ['pending', 'running', 'checked', 'already-done', 'skipped', 'failed'] as const) {
			for (const row of stageRows(sshAccess(status), 'ru', width, '⠙', 5000)) t.true(rowWidth(row) <= width, `${status} at ${width}: ${rowWidth(row)}`);
		}
	}
});

test('a stage too wide for one row keeps its title and time on the first row and its participants whole below', t => {
	const rows = text(stageRows(sshAccess('already-done'), 'ru', 79, '⠙', 0));
	t.is(rows.length, 2);
	t.regex(rows[0]!, /^✔ Доступ по SSH с этого компьютера \(VS Code\) \(уже сделано\) +12s$/);
	t.is(rows[1], '    host ✔  pg-node-1 ✔ ↻2  pg-node-2 ✔ ↻2  pg-node-3 ✔ ↻2');
});

test('checks that found nothing to change read "checked"; work done before reads "already done"', t => {
	t.regex(text(stageRows(stage('vm', 'checked'), 'ru', 99, '', 0))[0]!, /^✔ Этап vm \(проверено\)/);
	t.regex(text(stageRows(stage('vm', 'checked'), 'en', 99, '', 0))[0]!, /^✔ Stage vm \(checked\)/);
	t.regex(text(stageRows(stage('user', 'already-done'), 'ru', 99, '', 0))[0]!, /^✔ Этап user \(уже сделано\)/);
});

/** The packages stage with pg-node-1 unpacking (38 of 66, 21 s in) and pg-node-2 downloading. */
function installing(): StageView {
	const base = stage('packages', 'running');
	const nodes = base.steps[0]!.nodes.map(node => node.node === 'pg-node-1'
		? {...node, progress: {figures: {phase: {ru: 'apt: распаковка', en: 'apt: unpacking'}, unit: 'packages' as const, done: 38, total: 66}, since: 0}}
		: node.node === 'pg-node-2'
			? {...node, progress: {figures: {phase: {ru: 'apt: скачивание', en: 'apt: downloading'}, unit: 'packages' as const, done: 12, total: 66, bytes: {done: 30e6, total: 80.2e6}}, since: 11_000}}
			: {...node, status: 'done' as const});
	return {...base, steps: [{...base.steps[0]!, nodes}]};
}

test('a running node with progress gets a row of its own: bar, count, estimate and time', t => {
	const rows = text(stageRows(installing(), 'ru', 99, '⠙', 21_000));
	t.is(rows.length, 3);
	t.regex(rows[1]!, /^ {4}pg-node-1 apt: распаковка █{17}░{13} {2}38\/66 пакетов {2}ещё ~15s {2}21s$/);
	t.regex(rows[2]!, /^ {4}pg-node-2 apt: скачивание █+░+ {2}12\/66 пакетов {2}30\/80 MB {2}ещё ~\d+s {2}3\.0 MB\/s {2}10s$/);
});

test('progress rows fit every width from 80 columns, keeping the count', t => {
	for (let width = 79; width <= 160; width++) {
		for (const lang of ['ru', 'en'] as const) {
			for (const row of text(stageRows(installing(), lang, width, '⠙', 21_000))) t.true(row.length <= width, `${lang} at ${width}: ${row}`);
			t.regex(text(stageRows(installing(), lang, width, '⠙', 21_000))[2]!, /12\/66/);
		}
	}
});

test('a finished stage shows no progress row, whatever its nodes last reported', t => {
	t.is(stageRows({...installing(), status: 'done'}, 'en', 99, '', 21_000).length, 1);
});
