/** The runbook's anchors that doctor links to, and its "when things go wrong" chapter built from the finding definitions. */
import test from 'ava';
import {renderRunbook} from '../../source/runbook.ts';
import {findingDefinitions} from '../../source/doctor/rules/index.ts';
import {runbookAnchor} from '../../source/doctor/finding.ts';
import {courseStages} from '../../steps/index.ts';
import {doctorCluster} from '../helpers/doctor-fixtures.ts';

const stages = courseStages();
const cluster = doctorCluster();

test('every runbook link a finding can carry names an anchor the runbook has', t => {
	const markdown = renderRunbook(stages, cluster, 'en');
	for (const definition of findingDefinitions) t.true(markdown.includes(`<a id="${runbookAnchor(definition.runbook)}"></a>`), definition.id);
});

for (const lang of ['ru', 'en'] as const) {
	test(`the chapter describes every finding doctor can make (${lang})`, t => {
		const markdown = renderRunbook(stages, cluster, lang);
		const chapter = markdown.slice(markdown.indexOf('<a id="when-things-go-wrong"></a>'));
		t.true(chapter.length > 0 && markdown.includes('<a id="when-things-go-wrong"></a>'));
		for (const definition of findingDefinitions) {
			t.true(chapter.includes(`\`${definition.id}\``), definition.id);
			t.true(chapter.includes(definition.title[lang].replace(/</g, '&lt;').replace(/>/g, '&gt;')), `${definition.id} title`);
		}
	});
}

test('placeholders in angle brackets survive Markdown', t => {
	const markdown = renderRunbook(stages, cluster, 'en');
	t.true(markdown.includes('host replication replicator &lt;subnet&gt; line'));
});

test('finding ids are unique', t => {
	const ids = findingDefinitions.map(definition => definition.id);
	t.is(new Set(ids).size, ids.length);
});
