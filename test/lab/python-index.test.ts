/**
 * The lab's Python index as pip reads it (PEP 503): project pages under normalized names, links
 * with their sha256.
 */
import test from 'ava';
import {indexPages, normalizeProject, wheelProject} from '../../source/lab/wheels.ts';

test('project names are normalized the way pip asks for them', t => {
	t.is(normalizeProject('PyYAML'), 'pyyaml');
	t.is(normalizeProject('python_etcd'), 'python-etcd');
	t.is(wheelProject('psycopg2_binary-2.9.10-cp313-cp313-linux_x86_64.whl'), 'psycopg2-binary');
	t.is(wheelProject('python_dateutil-2.9.0-py2.py3-none-any.whl'), 'python-dateutil');
});

test('the index lists every project and links each wheel with its digest', t => {
	const pages = indexPages([
		{file: 'patroni-4.0.7-py3-none-any.whl', sha256: 'a'.repeat(64)},
		{file: 'psycopg2_binary-2.9.10-cp313-cp313-linux_x86_64.whl', sha256: 'b'.repeat(64)},
	]);
	t.deepEqual([...pages.keys()], ['simple/index.html', 'simple/patroni/index.html', 'simple/psycopg2-binary/index.html']);
	t.regex(pages.get('simple/index.html')!, /<a href="psycopg2-binary\/">psycopg2-binary<\/a>/);
	t.regex(pages.get('simple/psycopg2-binary/index.html')!, new RegExp(`href="\\.\\./\\.\\./files/psycopg2_binary-2\\.9\\.10-cp313-cp313-linux_x86_64\\.whl#sha256=${'b'.repeat(64)}"`));
});
