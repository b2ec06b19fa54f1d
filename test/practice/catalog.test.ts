/**
 * The practice catalog as data: enough scenarios, each fully described in both languages, each tied
 * to a finding doctor really has, every line short enough for an 80-column terminal.
 */
import test from 'ava';
import {spawnSync} from 'node:child_process';
import {findingDefinitions} from '../../source/doctor/rules/index.ts';
import {expectedFindings, rootScript, scenarios, type ScenarioContext} from '../../source/practice/scenarios.ts';
import {catalogText, listNameWidth} from '../../source/practice/flow.ts';
import {doctorCluster} from '../helpers/doctor-fixtures.ts';

const ids = new Set(findingDefinitions.map(definition => definition.id));

test('at least ten scenarios, names unique and usable as option values', t => {
	t.true(scenarios.length >= 10, `${scenarios.length} scenarios`);
	const names = scenarios.map(scenario => scenario.name);
	t.is(new Set(names).size, names.length);
	for (const name of names) {
		t.regex(name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
		t.true(name.length <= listNameWidth, name);
	}
});

test('every scenario names a finding doctor has', t => {
	for (const scenario of scenarios) {
		t.true(ids.has(scenario.finding), `${scenario.name}: ${scenario.finding}`);
		t.true([1, 2, 3].includes(scenario.difficulty));
	}
	// Drawn from different findings, not one fault in ten costumes.
	t.true(new Set(scenarios.map(scenario => scenario.finding)).size >= 10);
});

test('texts in both languages, Russian in Cyrillic, and different from each other', t => {
	for (const scenario of scenarios) {
		for (const text of [scenario.description, scenario.symptom, ...scenario.hints]) {
			t.true(text.ru.trim().length > 0 && text.en.trim().length > 0, scenario.name);
			t.regex(text.ru, /[а-яё]/i, `${scenario.name}: ${text.ru}`);
			t.notRegex(text.en, /[а-яё]/i, `${scenario.name}: ${text.en}`);
		}
		t.is(new Set(scenario.hints.map(hint => hint.en)).size, 3, `${scenario.name}: three different hints`);
	}
});

test('the symptom never gives the cause away by the finding\'s own name', t => {
	for (const scenario of scenarios) t.false(scenario.symptom.en.includes(scenario.finding), scenario.name);
});

test('every line the student reads fits 80 columns (hints and symptoms are printed indented by 2)', t => {
	for (const scenario of scenarios) {
		for (const text of [scenario.symptom, ...scenario.hints]) {
			for (const lang of ['ru', 'en'] as const) t.true([...text[lang]].length + 2 <= 80, `${scenario.name} ${lang}: ${text[lang]}`);
		}
	}
	for (const lang of ['ru', 'en'] as const) {
		for (const line of catalogText(lang).trimEnd().split('\n')) t.true([...line].length <= 80, `${lang}: ${line}`);
	}
	t.is(catalogText('en').trimEnd().split('\n').length, scenarios.length);
});

test('every break has an undo, a cause check and a scripted fix, each a non-empty script; backups under /root', t => {
	const cluster = doctorCluster();
	const context: ScenarioContext = {cluster, node: cluster.nodes[2]!, leader: cluster.nodes[0]!, replica: cluster.nodes[1]!};
	for (const scenario of scenarios) {
		for (const script of [scenario.breaks(context), scenario.undo(context), scenario.causeGone(context), scenario.fix(context)]) {
			t.true(script.trim().length > 0, scenario.name);
			// Never a password on a command line: the replication password arrives on stdin.
			t.false(script.includes('repl-secret'), scenario.name);
		}
		t.notRegex(scenario.breaks(context), /rm -rf|mkfs|dd if=/, scenario.name);
	}
});

test('expected findings: one per scenario on its node, cluster-wide ones said as cluster', t => {
	const byName = (name: string) => scenarios.find(scenario => scenario.name === name)!;
	t.deepEqual(expectedFindings(byName('paused'), 'pg-node-1'), ['patroni-paused@cluster']);
	t.deepEqual(expectedFindings(byName('etcd-stopped'), 'pg-node-3'), ['etcd-down@pg-node-3']);
	t.deepEqual(expectedFindings(byName('check-in-frontend'), 'pg-node-1'), ['haproxy-check-ignored@pg-node-1']);
});

test('every script is valid POSIX shell as the node\'s sh reads it (sh -n), with PATH set first', t => {
	const cluster = doctorCluster();
	const context: ScenarioContext = {cluster, node: cluster.nodes[2]!, leader: cluster.nodes[0]!, replica: cluster.nodes[1]!};
	for (const scenario of scenarios) {
		const scripts = {breaks: scenario.breaks(context), undo: scenario.undo(context), causeGone: scenario.causeGone(context), fix: scenario.fix(context),
			...Object.fromEntries((scenario.alsoOn?.(context) ?? []).map((step, index) => [`alsoOn ${index}`, step.script]))};
		for (const [kind, script] of Object.entries(scripts)) {
			const full = rootScript(script);
			t.true(full.startsWith('export PATH='), scenario.name);
			const result = spawnSync('sh', ['-n', '-c', full], {encoding: 'utf8'});
			t.is(result.status, 0, `${scenario.name} ${kind}: ${result.stderr}\n${script}`);
		}
	}
});

test('pgha practice --list prints the catalog with no cluster file and no connection, in both languages', t => {
	const bin = new URL('../../source/bin.js', import.meta.url).pathname;
	for (const lang of ['ru', 'en'] as const) {
		const result = spawnSync(process.execPath, [bin, 'practice', '--list', '--lang', lang], {encoding: 'utf8', cwd: '/', timeout: 60_000});
		t.is(result.status, 0, result.stderr);
		t.is(result.stdout, catalogText(lang));
	}
});
