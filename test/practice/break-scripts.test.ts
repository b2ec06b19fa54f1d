/**
 * The file-editing breaks run here with the node's awk on pgha's own templates, and the result goes
 * through doctor's parser and rules: the break must produce the scenario's finding, the cause check
 * must tell the broken file from the fixed one. No node: sh and awk on this computer.
 */
import test from 'ava';
import {spawnSync} from 'node:child_process';
import {diagnose} from '../../source/doctor/rules/index.ts';
import {haproxyBreakAwk, readCheckPortAwk, wrongPasswordAwk, writeCheckedAwk} from '../../source/practice/scenarios.ts';
import {clusterFacts, doctorCluster, haproxyFile, patroniFile, statsCsv, statsRow} from '../helpers/doctor-fixtures.ts';

function filter(script: string, input: string): {code: number | null; stdout: string} {
	const result = spawnSync('sh', ['-c', script], {input, encoding: 'utf8', timeout: 10_000});
	return {code: result.status, stdout: result.stdout};
}

const cluster = doctorCluster();
const said = (cfg: string, stats: string) => diagnose(clusterFacts(cluster, {change: {0: {'haproxy-file': cfg, 'haproxy-stats': stats}}})).map(item => `${item.rule}@${item.node}`);
const allUp = (proxy: string) => statsCsv([
	...cluster.nodes.map(node => statsRow(proxy, node.name, 'UP', 'L4OK')),
	...cluster.nodes.map((node, index) => statsRow('replicas', node.name, index === 0 ? 'DOWN' : 'UP')),
]);

test('check-in-frontend: the write listen becomes a frontend holding the checks and a backend holding the servers', t => {
	const original = haproxyFile(cluster);
	const broken = filter(haproxyBreakAwk(cluster, 'frontend'), original);
	t.is(broken.code, 0);
	t.regex(broken.stdout, /^frontend primary\n(?:.*\n)*?\s+option httpchk\n(?:.*\n)*?\s+default_backend primary_servers\n/m);
	t.regex(broken.stdout, /^backend primary_servers\n/m);
	// The read section is left exactly as it was.
	const readSection = (text: string) => /^listen replicas\n(?:[ \t].*\n|\n)*/m.exec(text)?.[0];
	t.truthy(readSection(original));
	t.is(readSection(broken.stdout), readSection(original));
	t.deepEqual(said(broken.stdout, allUp('primary_servers')), ['haproxy-check-ignored@pg-node-1']);
	t.not(filter(writeCheckedAwk(cluster), broken.stdout).code, 0);
	t.is(filter(writeCheckedAwk(cluster), original).code, 0);
});

test('no-primary-check: the write section loses its check lines and nothing else', t => {
	const original = haproxyFile(cluster);
	const broken = filter(haproxyBreakAwk(cluster, 'no-check'), original);
	t.is(broken.code, 0);
	const checks = (text: string) => text.split('\n').filter(line => /option httpchk|http-check/.test(line)).length;
	const others = (text: string) => text.split('\n').filter(line => !/option httpchk|http-check/.test(line));
	t.is(checks(broken.stdout), checks(original) - 3);
	t.deepEqual(others(broken.stdout), others(original));
	// The replicas' check is still there.
	t.regex(broken.stdout, /uri \/replica/);
	t.deepEqual(said(broken.stdout, allUp('primary')), ['haproxy-two-writers@pg-node-1']);
	t.not(filter(writeCheckedAwk(cluster), broken.stdout).code, 0);
});

test('read-check-port: only the read section\'s servers are checked on another port; doctor sees every replica DOWN', t => {
	const original = haproxyFile(cluster);
	const broken = filter(haproxyBreakAwk(cluster, 'read-check-port'), original);
	t.is(broken.code, 0);
	const changed = broken.stdout.split('\n').filter((line, index) => line !== original.split('\n')[index]);
	t.is(changed.length, cluster.nodes.length);
	for (const line of changed) t.regex(line, new RegExp(`^\\s+server pg-node-\\d \\S+ check port ${cluster.ports.patroniApi + 1}$`));
	const readDown = statsCsv([
		...cluster.nodes.map((node, index) => statsRow('primary', node.name, index === 0 ? 'UP' : 'DOWN')),
		...cluster.nodes.map(node => statsRow('replicas', node.name, 'DOWN', 'L4CON')),
	]);
	t.deepEqual(said(broken.stdout, readDown), ['haproxy-all-down@pg-node-1']);
	t.not(filter(readCheckPortAwk(cluster), broken.stdout).code, 0);
	t.is(filter(readCheckPortAwk(cluster), original).code, 0);
});

test('replication-password: only the replication password changes, and doctor\'s fixture file had one', t => {
	const original = patroniFile(cluster, 1);
	const broken = filter(wrongPasswordAwk, original);
	t.is(broken.code, 0);
	t.true(original.includes('repl-secret'));
	t.false(broken.stdout.includes('repl-secret'));
	t.true(broken.stdout.includes('su-secret') && broken.stdout.includes('rewind-secret'));
	t.is(broken.stdout.split('\n').filter(line => line.includes('practice-wrong-password')).length, 1);
});

test('the cause check accepts a frontend whose backend holds the /primary check (a fix the student may choose), not one without it', t => {
	const split = (backendCheck: boolean) => [
		'global', '    maxconn 100', '',
		'frontend primary', '    bind *:5000', '    mode tcp', '    default_backend primary', '',
		'backend primary', '    mode tcp',
		...(backendCheck ? ['    option httpchk', '    http-check send meth OPTIONS uri /primary', '    http-check expect status 200'] : []),
		'    server pg-node-1 192.168.0.30:5432 check port 8008', '',
		'listen replicas', '    bind *:5001', '    option httpchk', '    http-check send meth OPTIONS uri /replica', '',
	].join('\n');
	t.is(filter(writeCheckedAwk(cluster), split(true)).code, 0);
	t.not(filter(writeCheckedAwk(cluster), split(false)).code, 0);
});

test('HAProxy accepts both broken files (the break reloads only a file haproxy -c passes), where haproxy is installed', t => {
	const which = spawnSync('sh', ['-c', 'command -v haproxy'], {encoding: 'utf8'});
	if (which.status !== 0) {
		t.log('haproxy is not installed here: the check runs where it is (the CI machine has it)');
		t.pass();
		return;
	}
	for (const kind of ['frontend', 'no-check'] as const) {
		const broken = filter(haproxyBreakAwk(cluster, kind), haproxyFile(cluster)).stdout;
		const check = spawnSync('sh', ['-c', 'f=$(mktemp) && cat > "$f" && haproxy -c -q -f "$f"; c=$?; rm -f "$f"; exit $c'], {input: broken, encoding: 'utf8', timeout: 20_000});
		t.is(check.status, 0, `${kind}: ${check.stdout}${check.stderr}`);
	}
});
