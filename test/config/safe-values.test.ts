/**
 * Issue 12, item 3: a value from the cluster file cannot change the structure of a file or command it
 * lands in. One test per destination: OpenSSH config, POSIX shell, YAML (Patroni/etcd), HAProxy and
 * systemd, plus the rule under all of them: no control character anywhere in the cluster file.
 */
import test from 'ava';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import {ConfigError, parseClusterFile} from '../../source/config/load.ts';
import {unsafeValues} from '../../source/config/safe-values.ts';
import {shellQuote} from '../../source/ssh/quote.ts';
import {renderSshConfigBlock, sshConfigValue, UnsafeSshConfigValue} from '../../templates/ssh-config.ts';
import {toYaml} from '../../templates/yaml.ts';

const nodes = [
	'nodes:',
	'  - {name: pg-node-1, ip: 192.168.0.30}',
	'  - {name: pg-node-2, ip: 192.168.0.31}',
	'  - {name: pg-node-3, ip: 192.168.0.32}',
	'',
].join('\n');

/** The sentences (English) a cluster file gets, or [] when it loads. */
function problems(source: string): string[] {
	try {
		parseClusterFile(source, '/work/pgha.yaml');
		return [];
	} catch (error) {
		if (error instanceof ConfigError) return error.issues.map(issue => issue.message);
		throw error;
	}
}

const hostile = ['a\nb', 'x"y', "it's", 'semi;colon $(id) `id`', '#hash', '100%', 'tab\tin', 'yes', 'on', 'key: value', '- item', '{a: 1}', 'Иван Петров'];

test('OpenSSH config: quoted where OpenSSH would split, % doubled in IdentityFile, line breaks and " refused', t => {
	const identityFile = "/tmp/Иван Петров/#1/it's 100%";
	const lines = renderSshConfigBlock('course', [{alias: 'pg-node-1', hostName: '192.168.0.30', user: 'patroni', port: 22, identityFile}]);
	t.true(lines.includes(`    IdentityFile "/tmp/Иван Петров/#1/it's 100%%"`));
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-safe-'));
	const config = path.join(dir, 'config');
	writeFileSync(config, `${lines.join('\n')}\n`);
	// ssh itself reads the block back: one host, the path as one value, nothing injected.
	const parsed = execFileSync('ssh', ['-G', '-F', config, 'pg-node-1'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']});
	t.regex(parsed, /^identityfile \/tmp\/Иван Петров\/#1\/it's 100%%$/m);
	t.regex(parsed, /^hostname 192\.168\.0\.30$/m);
	t.notRegex(parsed, /^proxycommand (?!none)/m);
	for (const value of ['/tmp/id"\n  ProxyCommand touch /tmp/pwned', 'a\nb', 'x"y', 'a\rb', '']) {
		t.throws(() => sshConfigValue(value), {instanceOf: UnsafeSshConfigValue}, JSON.stringify(value));
	}
});

test('OpenSSH config: the cluster file refuses what the config could not carry, before any stage', t => {
	const keyed = (key: string) => nodes.replace('ip: 192.168.0.30}', `ip: 192.168.0.30, ssh: {auth: {key: ${JSON.stringify(key)}}}}`);
	t.deepEqual(problems(keyed('/tmp/id"\n  ProxyCommand touch /tmp/pwned')), [
		'nodes[0].ssh.auth.key: "/tmp/id\\"\\n  ProxyCommand touch /tmp/pwned" contains a control character (U+000A); remove it',
	]);
	t.regex(problems(keyed('/tmp/my"key'))[0]!, /contains " \$ or `/);
	t.regex(problems(keyed('${HOME}/key'))[0]!, /contains " \$ or `/);
});

test('POSIX shell: every hostile value comes out of sh exactly as it went in', t => {
	for (const value of hostile) {
		const echoed = execFileSync('sh', ['-c', `printf %s ${shellQuote(value)}`], {encoding: 'utf8'});
		t.is(echoed, value, JSON.stringify(value));
	}
});

test('POSIX shell: the download address (a curl argument on the nodes) holds only URL characters', t => {
	const withBase = (base: string) => `${nodes}etcd: {download_base: ${JSON.stringify(base)}}\n`;
	t.deepEqual(problems(withBase('https://mirror.example.org/etcd')), []);
	for (const base of ['https://x.org/a b', "https://x.org/$(id)'", 'https://x.org/a\\b', 'https://x.org/"q"']) {
		t.true(problems(withBase(base)).some(line => line.startsWith('etcd.download_base:')), base);
	}
});

test('YAML (patroni.yml, etcd.yml): hostile strings round-trip as the same strings, never as structure', t => {
	for (const value of hostile) {
		const text = toYaml({name: value, list: [value]});
		t.deepEqual(YAML.parse(text, {version: '1.1'}), {name: value, list: [value]}, JSON.stringify(value));
	}
});

test('HAProxy: values that reach haproxy.cfg (node names, check timing) cannot carry a line break', t => {
	t.true(problems(nodes.replace('pg-node-2', '"pg-node-2\\n    server evil 6.6.6.6:5432"')).some(line => line.startsWith('nodes[1].name:')));
	t.true(problems(`${nodes}haproxy: {inter: "3s\\n    stats auth a:b"}\n`).some(line => line.startsWith('haproxy.inter:')));
});

test('systemd and every other file: a control character anywhere in the cluster file is refused, naming its field', t => {
	t.deepEqual(unsafeValues({postgres: {version: 'auto\n[Service]'}, nodes: [{name: 'ok'}]}).map(issue => issue.field), ['postgres.version']);
	t.deepEqual(unsafeValues({'bad\u0000key': 1}).map(issue => issue.field), ['(file)']);
	t.deepEqual(unsafeValues({name: 'a\u2028b'}).map(issue => issue.field), ['name']);
	t.true(problems(`${nodes}name: "pg\\ncluster"\n`).some(line => line.startsWith('name:')));
	// A field validation already named is said once, not twice.
	t.is(problems(`${nodes}name: "pg\\ncluster"\n`).filter(line => line.startsWith('name:')).length, 1);
});
