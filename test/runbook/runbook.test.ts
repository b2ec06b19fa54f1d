import test from 'ava';
import {courseStages} from '../../steps/index.ts';
import {planStages, displayCommand} from '../../source/engine/index.ts';
import {maskedSecrets, planAll, renderRunbook} from '../../source/runbook.ts';
import {sampleCluster, sampleSecrets} from '../helpers/install-fixtures.ts';

const cluster = sampleCluster();
const stages = courseStages();

test('the runbook walks every stage, step and node in the engine\'s order', t => {
	const engineOrder = planStages(stages, cluster).flatMap(stage => stage.steps.flatMap(step => step.nodes.map(node => `${stage.id}/${step.id}/${node}`)));
	const runbookOrder = planAll(stages, cluster).map(item => `${item.stage.id}/${item.step.id}/${item.node.name}`);
	t.deepEqual(runbookOrder, engineOrder);
});

test('every command and file of every step\'s plan is printed, in order', t => {
	const markdown = renderRunbook(stages, cluster, 'en');
	let cursor = 0;
	for (const item of planAll(stages, cluster)) {
		for (const action of item.actions) {
			const text = action.kind === 'run' ? displayCommand(action.command, action) : `File \`${action.path}\``;
			const found = markdown.indexOf(text, cursor);
			t.true(found >= 0, `${item.step.id} on ${item.node.name}: ${text.slice(0, 80)}`);
			if (found >= 0) cursor = found;
			if (action.kind === 'write') t.true(markdown.includes(action.content.trimEnd()), `${action.path} content`);
		}
	}
});

test('no real password is printed; masked placeholders are', t => {
	const secrets = sampleSecrets();
	const markdown = renderRunbook(stages, cluster, 'ru');
	for (const value of Object.values(secrets)) t.false(markdown.includes(value));
	t.true(markdown.includes(maskedSecrets.superuserPassword));
});

test('where pgha differs from the guide, the runbook says why, in both languages', t => {
	for (const lang of ['ru', 'en'] as const) {
		const markdown = renderRunbook(stages, cluster, lang);
		for (const stage of stages) {
			t.true(markdown.includes(stage.title[lang]), stage.id);
			if (stage.differsFromGuide) t.true(markdown.includes(stage.differsFromGuide[lang]), `${stage.id} ${lang}`);
		}
	}

	const en = renderRunbook(stages, cluster, 'en');
	t.regex(en, /etcd3:\n\s+hosts:/);
	t.regex(en, /http-check send meth OPTIONS uri \/primary/);
	t.false(en.includes('0.0.0.0/0'));
});
