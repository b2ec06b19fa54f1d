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
