/**
 * Issue 12: bad input of every kind (command line, file contents, environment) gets one clear
 * sentence in the user's language and the right exit code, and no existing file changes. Each row
 * runs `node source/bin.js` as a child process twice, in Russian and in English, in a fresh folder
 * holding a cluster, its secrets, a state that says the cluster was built, a notes file and a home
 * folder with an OpenSSH config; the checksums of all of them are compared before and after.
 * No node is needed: every row must be refused before a connection (the nodes' SSH port is closed,
 * so a row that wrongly gets that far ends with exit 1 and fails).
 */
import test from 'ava';
import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {secretKeys} from '../../source/config/secrets.ts';

const bin = fileURLToPath(new URL('../../source/bin.js', import.meta.url));
type Lang = 'ru' | 'en';

interface Row {
	readonly name: string;
	readonly args: readonly string[];
	readonly code: number;
	/** A fragment of what the user reads (stderr and stdout together), per language. */
	readonly en: string;
	readonly ru: string;
	/** Files to add or replace in the work folder (relative paths); null removes a base file. */
	readonly files?: Readonly<Record<string, string | Buffer | null>>;
	readonly env?: Readonly<Record<string, string | undefined>>;
	readonly setup?: (dir: string) => void;
	/** Files this row is expected to change (a mode fixed, a file set aside); all others must stay as they were. */
	readonly changes?: readonly string[];
	/** Extra assertion on the folder afterwards. */
	readonly after?: (dir: string) => string | undefined;
}

const nodesYaml = [
	'nodes:',
	'  - {name: pg-node-1, ip: 127.0.0.2, ssh: {port: 1}}',
	'  - {name: pg-node-2, ip: 127.0.0.3, ssh: {port: 1}}',
	'  - {name: pg-node-3, ip: 127.0.0.4, ssh: {port: 1}}',
	'',
].join('\n');

function withNode1(extra: string): string {
	return nodesYaml.replace('ssh: {port: 1}}', `ssh: {port: 1, ${extra}}}`);
}

const secretsYaml = secretKeys.map(([key], index) => `${key}: Abcdefgh${index}Ijklmnop${index}Qrstuv`).join('\n') + '\n';
const builtState = JSON.stringify({
	version: 1,
	stages: {user: {nodes: Object.fromEntries(['pg-node-1', 'pg-node-2', 'pg-node-3'].map(node => [node, {status: 'done', fingerprint: 'f', runId: 'r', startedAt: '2026-12-01T10:00:00.000Z', endedAt: '2026-12-01T10:00:05.000Z'}]))}},
	facts: {},
	runs: [{id: 'r', startedAt: '2026-12-01T10:00:00.000Z'}],
}, null, '\t') + '\n';

const base: Record<string, string> = {
	'pgha.yaml': nodesYaml,
	'pgha.secrets.yaml': secretsYaml,
	'.pgha/state.json': builtState,
	'notes.md': '# my own notes\n',
	'home/.ssh/config': 'Host mine\n    HostName 10.0.0.1\n',
};

const utf16 = (text: string, bom: boolean): Buffer => Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
const aliasBomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]', ''].join('\n');
const absent = (file: string) => (dir: string) => (existsSync(path.join(dir, file)) ? `${file} was created` : undefined);

const rows: Row[] = [
	// The command line.
	{name: 'misspelled option', args: ['apply', '--yes', '--onyl', 'haproxy'], code: 2, en: 'unknown option --onyl. Did you mean --only?', ru: 'неизвестный параметр --onyl. Может быть, --only?'},
	{name: 'misspelled switch', args: ['apply', '--yse'], code: 2, en: 'unknown option --yse. Did you mean --yes?', ru: 'неизвестный параметр --yse. Может быть, --yes?'},
	{name: 'unknown short option', args: ['-x'], code: 2, en: 'unknown option -x.', ru: 'неизвестный параметр -x.'},
	{name: 'language outside its set (wizard)', args: ['--lang', 'xx'], code: 2, en: '--lang: "xx" is not one of ru, en', ru: '--lang: "xx" — допустимо одно из: ru, en'},
	{name: 'language outside its set (apply)', args: ['apply', '--lang', 'fr'], code: 2, en: '--lang: "fr" is not one of ru, en', ru: '--lang: "fr" — допустимо одно из: ru, en'},
	{name: '--only without a value', args: ['apply', '--only'], code: 2, en: '--only needs a value', ru: '--only: не указано значение'},
	{name: '--only= empty', args: ['apply', '--only='], code: 2, en: '--only: the value is empty', ru: '--only: пустое значение'},
	{name: '--only with only a comma', args: ['apply', '--only', ','], code: 2, en: '--only: the value is empty', ru: '--only: пустое значение'},
	{name: '-c without a file', args: ['apply', '-c'], code: 2, en: '-c needs a value (-c FILE)', ru: '-c: не указано значение (-c FILE)'},
	{name: '-c with an empty file name', args: ['apply', '-c', ''], code: 2, en: '--config: the value is empty', ru: '--config: пустое значение'},
	{name: '-c followed by another option', args: ['apply', '-c', '--yes'], code: 2, en: '-c needs a value', ru: '-c: не указано значение'},
	{name: 'unknown stage', args: ['apply', '--only', 'nonexistent-stage'], code: 2, en: '"nonexistent-stage" is not one of virtualbox, reachability', ru: '"nonexistent-stage" — допустимо одно из: virtualbox, reachability'},
	{name: 'misspelled stage', args: ['apply', '--only', 'hapr'], code: 2, en: 'Did you mean haproxy?', ru: 'Может быть, haproxy?'},
	{name: 'misspelled --from stage', args: ['apply', '--from', 'etcdd'], code: 2, en: '--from: "etcdd" is not one of', ru: '--from: "etcdd" — допустимо одно из'},
	{name: 'one bad stage in a list', args: ['apply', '--only', 'haproxy,bogus'], code: 2, en: '--only: "bogus" is not one of', ru: '--only: "bogus" — допустимо одно из'},
	{name: '--from and --only selecting nothing', args: ['apply', '--from', 'vm-checks', '--only', 'virtualbox'], code: 2, en: '--from vm-checks and --only virtualbox together select no stage', ru: '--from vm-checks и --only virtualbox вместе не выбирают ни одного этапа'},
	{name: '--no-host with a host stage in --only', args: ['apply', '--no-host', '--only', 'virtualbox'], code: 2, en: '--only virtualbox: that stage runs on this computer, and --no-host leaves such stages out', ru: '--only virtualbox: это этап на этом компьютере, а --no-host такие этапы исключает'},
	{name: '--no-host with a host stage in --from', args: ['apply', '--no-host', '--from', 'ssh-config'], code: 2, en: '--from ssh-config: that stage runs on this computer', ru: '--from ssh-config: это этап на этом компьютере'},
	{name: '--step without a terminal (apply)', args: ['apply', '--step'], code: 2, en: '--step asks before each stage, and there is no terminal to ask in', ru: '--step задаёт вопросы перед каждым этапом, а терминала нет'},
	{name: '--step without a terminal (test)', args: ['test', '--step'], code: 2, en: 'there is no terminal to ask in', ru: 'терминала нет'},
	{name: 'test --only: a misspelled fault', args: ['test', '--only', 'kil'], code: 2, en: '--only: "kil" is not one of replication, routing, switchover, graceful, kill, poweroff, cut, entry-haproxy, entry-poweroff, load, failsafe, data-safety. Did you mean kill?', ru: '--only: "kil" — допустимо одно из: replication, routing, switchover, graceful, kill, poweroff, cut, entry-haproxy, entry-poweroff, load, failsafe, data-safety. Может быть, kill?'},
	{name: 'test --only: a stage is not a test', args: ['test', '--only', 'kill,etcd'], code: 2, en: '--only: "etcd" is not one of replication,', ru: '--only: "etcd" — допустимо одно из: replication,'},
	{name: 'test --only without a value', args: ['test', '--only'], code: 2, en: '--only needs a value', ru: '--only: не указано значение'},
	{name: 'test --only with only commas', args: ['test', '--only', ',,'], code: 2, en: '--only: the value is empty', ru: '--only: пустое значение'},
	{name: 'test --only: a lab-only fault on VMs', args: ['test', '--only', 'kill,poweroff'], code: 2, en: '--only poweroff: that fault is staged only in the pgha lab (pgha lab up)', ru: '--only poweroff: этот отказ устраивается только в лаборатории pgha (pgha lab up)'},
	{name: 'test --only: a front-door fault without a VIP', args: ['test', '--only', 'entry-haproxy'], code: 2, en: 'This cluster can run: replication, routing, switchover, graceful, kill, load, failsafe, data-safety.', ru: 'На этом кластере можно: replication, routing, switchover, graceful, kill, load, failsafe, data-safety.'},
	{name: 'a switch given a value', args: ['apply', '--yes=1'], code: 2, en: '--yes takes no value', ru: '--yes не принимает значения'},
	{name: 'another switch given a value', args: ['apply', '--step=yes'], code: 2, en: '--step takes no value', ru: '--step не принимает значения'},
	{name: 'two different cluster files', args: ['apply', '-c', 'a.yaml', '-c', 'b.yaml'], code: 2, en: '--config is given twice ("a.yaml" and "b.yaml")', ru: '--config указан дважды ("a.yaml" и "b.yaml")'},
	{name: 'an extra argument', args: ['status', 'extra'], code: 2, en: 'unexpected argument "extra"', ru: 'лишний аргумент "extra"'},
	{name: 'an argument after --', args: ['apply', '--', 'extra'], code: 2, en: 'unexpected argument "extra"', ru: 'лишний аргумент "extra"'},
	{name: 'an option of another command', args: ['status', '--yes'], code: 2, en: 'unknown option --yes', ru: 'неизвестный параметр --yes'},
	{name: 'doctor: a misspelled --json', args: ['doctor', '--jsn'], code: 2, en: 'unknown option --jsn. Did you mean --json?', ru: 'неизвестный параметр --jsn. Может быть, --json?'},
	{name: 'doctor: --json given a value', args: ['doctor', '--json=yes'], code: 2, en: '--json takes no value', ru: '--json не принимает значения'},
	{name: 'doctor: an option it does not take', args: ['doctor', '--yes'], code: 2, en: 'unknown option --yes', ru: 'неизвестный параметр --yes'},
	{name: 'doctor: -c names a missing file', args: ['doctor', '--json', '-c', 'missing.yaml'], code: 2, en: 'missing.yaml not found', ru: 'missing.yaml не найден'},
	{name: '--force without -o', args: ['runbook', '--force'], code: 2, en: '--force only applies together with -o FILE', ru: '--force имеет смысл только вместе с -o ФАЙЛ'},
	{name: '-o without a file', args: ['runbook', '-o'], code: 2, en: '-o needs a value (-o FILE)', ru: '-o: не указано значение (-o FILE)'},
	{name: 'a control character in a value', args: ['apply', '-c', 'a\nb.yaml'], code: 2, en: 'control characters are not allowed', ru: 'значение без управляющих символов'},
	{name: 'misspelled command', args: ['aply'], code: 2, en: 'unknown command "aply". Did you mean apply?', ru: 'неизвестная команда "aply". Может быть, apply?'},
	{name: 'another misspelled command', args: ['staus'], code: 2, en: 'Did you mean status?', ru: 'Может быть, status?'},
	{name: 'practice: a misspelled follow-up', args: ['practice', 'hnt'], code: 2, en: 'unknown command "hnt". Did you mean hint?', ru: 'неизвестная команда "hnt". Может быть, hint?'},
	{name: 'practice: a misspelled scenario', args: ['practice', '--scenario', 'pausd'], code: 2, en: '--scenario: "pausd" is not one of', ru: '--scenario: "pausd" — допустимо одно из'},
	{name: 'practice: --scenario without a name', args: ['practice', '--scenario'], code: 2, en: '--scenario needs a value', ru: '--scenario: не указано значение'},
	{name: 'practice: --list beside --scenario', args: ['practice', '--list', '--scenario', 'paused'], code: 2, en: '--list only shows the scenarios; --scenario does nothing with it', ru: '--list только показывает список сценариев; --scenario с ним ничего не делает'},
	{name: 'practice hint: an option only the start takes', args: ['practice', 'hint', '--yes'], code: 2, en: 'unknown option --yes', ru: 'неизвестный параметр --yes'},
	{name: 'practice check: a stray argument', args: ['practice', 'check', 'now'], code: 2, en: 'unexpected argument "now"', ru: 'лишний аргумент "now"'},
	{name: 'practice on own VMs with no terminal and no --yes', args: ['practice', '--scenario', 'paused'], code: 2, en: 'confirm the break with --yes', ru: 'подтвердите поломку параметром --yes', after: absent('.pgha/practice.json')},
	{name: 'practice: -c names a missing file', args: ['practice', '-c', 'missing.yaml'], code: 2, en: 'missing.yaml not found', ru: 'missing.yaml не найден'},
	{name: 'lab without a command', args: ['lab'], code: 2, en: 'which lab command?', ru: 'укажите команду лаборатории'},
	{name: 'lab command cut short', args: ['lab', 'ex', '1'], code: 2, en: 'unknown command "ex". Did you mean exec?', ru: 'неизвестная команда "ex". Может быть, exec?'},
	{name: 'lab exec without a command', args: ['lab', 'exec', '1'], code: 2, en: 'the CMD to run goes after --', ru: 'после -- нужна команда CMD'},
	{name: 'lab exec with a bad node', args: ['lab', 'exec', 'x', '--', 'ls'], code: 2, en: 'N: "x" is not valid: a node number from 1 to', ru: 'N: "x" — нужно: номер узла от 1 до'},
	{name: 'lab up with too many nodes', args: ['lab', 'up', '--nodes', '9'], code: 2, en: '--nodes: "9" is not valid: from 3 to', ru: '--nodes: "9" — нужно: от 3 до'},
	{name: 'lab up with a bad prefix', args: ['lab', 'up', '--prefix', '10.0'], code: 2, en: 'the three numbers of a /24', ru: 'три числа сети /24'},
	{name: 'lab option on the wrong lab command', args: ['lab', 'status', '--nodes', '3'], code: 2, en: 'unknown option --nodes', ru: 'неизвестный параметр --nodes'},
	{name: 'lab node command without a node', args: ['lab', 'stop-node'], code: 2, en: 'N is missing', ru: 'не указан N'},
	{name: 'lab node command with two nodes', args: ['lab', 'stop-node', '1', '2'], code: 2, en: 'unexpected argument "2"', ru: 'лишний аргумент "2"'},

	// The cluster file.
	{name: '-c names a folder', args: ['status', '-c', 'folder'], setup: dir => mkdirSync(path.join(dir, 'folder')), code: 2, en: 'is a folder, not a file', ru: 'это папка, а не файл'},
	{name: '-c names an endless device', args: ['runbook', '-c', '/dev/zero'], code: 2, en: 'is larger than 1024 KB', ru: 'больше 1024 КБ'},
	{name: '-c names a missing file', args: ['status', '-c', 'missing.yaml'], code: 2, en: 'missing.yaml not found', ru: 'missing.yaml не найден'},
	{name: 'UTF-16 with a BOM (Notepad "Unicode")', args: ['status'], files: {'pgha.yaml': utf16(nodesYaml, true)}, code: 2, en: 'save it as UTF-8', ru: 'сохраните его в UTF-8'},
	{name: 'UTF-16 without a BOM', args: ['runbook'], files: {'pgha.yaml': utf16(nodesYaml, false)}, code: 2, en: 'is saved as UTF-16', ru: 'сохранён в UTF-16'},
	{name: 'binary file', args: ['status'], files: {'pgha.yaml': Buffer.from([0x6e, 0x6f, 0x00, 0x01, 0x02, 0x0a])}, code: 2, en: 'is not a text file (a zero byte at offset 2)', ru: 'это не текстовый файл (нулевой байт по смещению 2)'},
	{name: 'Windows-1251 text', args: ['status'], files: {'pgha.yaml': Buffer.concat([Buffer.from('# '), Buffer.from([0xca, 0xeb, 0xe0, 0xf1, 0xf2, 0xe5, 0xf0]), Buffer.from(`\n${nodesYaml}`)])}, code: 2, en: 'is not UTF-8 text', ru: 'не в кодировке UTF-8'},
	{name: 'YAML alias bomb', args: ['status'], files: {'pgha.yaml': aliasBomb}, code: 2, en: 'expand more than 100 times', ru: 'разворачиваются больше 100 раз'},
	{name: 'YAML syntax error', args: ['status'], files: {'pgha.yaml': 'nodes: [\n'}, code: 2, en: 'not valid YAML', ru: 'ошибка синтаксиса YAML'},
	{name: 'empty cluster file', args: ['status'], files: {'pgha.yaml': ''}, code: 2, en: 'pgha.yaml is empty', ru: 'pgha.yaml пуст'},
	{name: 'misspelled key', args: ['status'], files: {'pgha.yaml': `${nodesYaml}synchronus_mode: true\n`}, code: 2, en: 'synchronus_mode: unknown key (did you mean "synchronous_mode"?)', ru: 'synchronus_mode: неизвестный ключ (может быть, "synchronous_mode"?)'},
	{name: 'key path with a quote and a newline (ssh config injection)', args: ['apply', '--yes'], files: {'pgha.yaml': withNode1('auth: {key: "/tmp/id\\"\\n  ProxyCommand touch /tmp/pwned"}')}, code: 2, en: 'nodes[0].ssh.auth.key: "/tmp/id\\"\\n  ProxyCommand touch /tmp/pwned" contains a control character (U+000A)', ru: 'nodes[0].ssh.auth.key: "/tmp/id\\"\\n  ProxyCommand touch /tmp/pwned" содержит управляющий символ (U+000A)'},
	{name: 'key path with a double quote', args: ['apply'], files: {'pgha.yaml': withNode1('auth: {key: "/tmp/my\\"key"}')}, code: 2, en: 'contains " $ or `, which the OpenSSH config', ru: 'содержит " $ или `, которые нельзя безопасно передать'},
	{name: 'key path with a variable', args: ['apply'], files: {'pgha.yaml': withNode1('auth: {key: "${HOME}/key"}')}, code: 2, en: 'contains " $ or `', ru: 'содержит " $ или `'},
	{name: 'download address with a space', args: ['status'], files: {'pgha.yaml': `${nodesYaml}etcd: {download_base: "https://example.org/a b"}\n`}, code: 2, en: 'etcd.download_base: "https://example.org/a b" has characters an address cannot contain', ru: 'etcd.download_base: "https://example.org/a b" содержит символы, недопустимые в адресе'},
	{name: 'a tab in a node IP', args: ['status'], files: {'pgha.yaml': nodesYaml.replace('127.0.0.2', '"127.0.0.2\\t"')}, code: 2, en: 'nodes[0].ip', ru: 'nodes[0].ip'},
	{name: 'a newline in the cluster name', args: ['status'], files: {'pgha.yaml': `${nodesYaml}name: "pg\\ncluster"\n`}, code: 2, en: 'name: "pg\\ncluster" may contain only letters, digits', ru: 'name: "pg\\ncluster": допустимы только буквы, цифры'},
	{name: 'a control character in a user name', args: ['status'], files: {'pgha.yaml': withNode1('user: "pat\\u0007roni"')}, code: 2, en: 'is not a valid Linux user name', ru: 'недопустимое имя пользователя Linux'},
	{name: 'a control character in an unknown key', args: ['status'], files: {'pgha.yaml': `${nodesYaml}"bad\\u0001key": 1\n`}, code: 2, en: 'unknown key', ru: 'неизвестный ключ'},
	{name: 'a very long value is echoed cut', args: ['status'], files: {'pgha.yaml': `${nodesYaml}name: ${'n'.repeat(900_000)}\n`}, code: 2, en: '…" (900000 characters) may contain only', ru: '…" (900000 символов): допустимы только'},

	// Where the runbook is written.
	{name: 'runbook over the secrets file', args: ['runbook', '-o', 'pgha.secrets.yaml'], code: 2, en: 'is the secrets file with every generated password', ru: 'это файл секретов со всеми сгенерированными паролями'},
	{name: 'runbook over the cluster file, even with --force', args: ['runbook', '-o', 'pgha.yaml', '--force'], code: 2, en: 'is the cluster file', ru: 'это файл кластера'},
	{name: 'runbook into .pgha/', args: ['runbook', '-o', '.pgha/state.json', '--force'], code: 2, en: 'is inside .pgha/', ru: 'находится в .pgha/'},
	{name: 'runbook over a file pgha did not write', args: ['runbook', '-o', 'notes.md'], code: 2, en: 'exists and is not a runbook pgha wrote; choose another name, or add --force', ru: 'уже существует, и это не runbook, записанный pgha'},
	{name: 'runbook into a folder', args: ['runbook', '-o', 'home'], code: 2, en: 'is a folder; give a file name', ru: 'это папка; укажите имя файла'},
	{name: 'runbook into a missing folder', args: ['runbook', '-o', 'nowhere/runbook.md'], code: 2, en: 'cannot be created: its folder does not exist', ru: 'не создать: папки нет', after: absent('nowhere')},
	{name: 'runbook through a link to the secrets file', args: ['runbook', '-o', 'link.md', '--force'], setup: dir => symlinkSync('pgha.secrets.yaml', path.join(dir, 'link.md')), code: 2, en: 'is the secrets file', ru: 'это файл секретов'},

	// The secrets file next to a built cluster.
	{name: 'empty secrets file after the build', args: ['status'], files: {'pgha.secrets.yaml': ''}, code: 2, en: 'is empty, but .pgha/state.json records a cluster built', ru: 'пуст, а .pgha/state.json говорит, что кластер уже собран'},
	{name: 'missing secrets file after the build', args: ['apply', '--yes'], files: {'pgha.secrets.yaml': null}, code: 2, en: 'does not exist, but .pgha/state.json records', ru: 'отсутствует, а .pgha/state.json говорит', after: absent('pgha.secrets.yaml')},
	{name: 'secrets file cut short after the build', args: ['status'], files: {'pgha.secrets.yaml': secretsYaml.slice(0, secretsYaml.indexOf('\n', 40))}, code: 2, en: 'is cut short', ru: 'обрезан'},
	{name: 'secrets file in UTF-16', args: ['status'], files: {'pgha.secrets.yaml': utf16(secretsYaml, true)}, code: 2, en: 'save it as UTF-8', ru: 'сохраните его в UTF-8'},
	{name: 'secrets file is a folder', args: ['status'], files: {'pgha.secrets.yaml': null}, setup: dir => mkdirSync(path.join(dir, 'pgha.secrets.yaml')), code: 2, en: 'is a folder, not a file', ru: 'это папка, а не файл'},
	{name: 'a sample password from the guide', args: ['status'], files: {'pgha.secrets.yaml': secretsYaml.replace(/^(\w+): \S+/, '$1: student')}, code: 2, en: 'is a sample password printed in the course guide', ru: 'это пример пароля из методички'},
	{name: 'a password with a quote', args: ['status'], files: {'pgha.secrets.yaml': secretsYaml.replace(/^(\w+): (\S+)/, '$1: "$2\'x"')}, code: 2, en: 'may contain only letters and digits', ru: 'допустимы только латинские буквы и цифры'},

	// Warned about, then the run goes on to the nodes (whose SSH port is closed here: exit 1, a node failure).
	{name: 'a secrets file readable by others', args: ['status'], setup: dir => chmodSync(path.join(dir, 'pgha.secrets.yaml'), 0o644), changes: ['pgha.secrets.yaml'], code: 1,
		en: 'warning: pgha.secrets.yaml: was readable by other users (mode 0644); pgha changed it to 0600', ru: 'предупреждение: pgha.secrets.yaml: был доступен другим пользователям (права 0644); pgha установил 0600'},
	{name: 'a state file with a wrong inner shape', args: ['status'], files: {'.pgha/state.json': '{"version": 1, "stages": {"etcd": {"nodes": {"pg-node-1": {"status": "finished"}}}}}\n'}, changes: ['.pgha/state.json'], code: 1,
		en: 'cannot be used (wrong at: stages.etcd.nodes.pg-node-1.status); it was renamed to state.json.unreadable-', ru: 'не подходит (место ошибки: stages.etcd.nodes.pg-node-1.status); он переименован в state.json.unreadable-'},

	// The environment.
	{name: 'a line break in PGHA_SSH_PASSWORD', args: ['apply', '--yes'], env: {PGHA_SSH_PASSWORD: 'secret\nsecond'}, code: 2, en: 'PGHA_SSH_PASSWORD contains a line break or another control character', ru: 'PGHA_SSH_PASSWORD содержит перевод строки или другой управляющий символ'},
	{name: 'no password and no terminal', args: ['status'], env: {PGHA_SSH_PASSWORD: undefined}, code: 2, en: 'set PGHA_SSH_PASSWORD (there is no terminal to ask in)', ru: 'задайте переменную окружения PGHA_SSH_PASSWORD'},
	{name: 'an empty PGHA_SSH_PASSWORD and no terminal', args: ['test'], env: {PGHA_SSH_PASSWORD: ''}, code: 2, en: 'set PGHA_SSH_PASSWORD', ru: 'задайте переменную окружения PGHA_SSH_PASSWORD'},
	{name: 'the wizard without a terminal', args: [], code: 2, en: 'No terminal: use pgha apply', ru: 'Нет терминала: используйте pgha apply'},
];

/** Every file below `root` (links as their target text) with its SHA-256. */
function checksums(root: string): Map<string, string> {
	const sums = new Map<string, string>();
	const visit = (dir: string) => {
		for (const name of readdirSync(dir)) {
			const file = path.join(dir, name);
			const info = lstatSync(file);
			if (info.isSymbolicLink()) sums.set(file, `link:${readlinkSync(file)}`);
			else if (info.isDirectory()) visit(file);
			else sums.set(file, `${info.mode.toString(8)}:${createHash('sha256').update(readFileSync(file)).digest('hex')}`);
		}
	};

	visit(root);
	return sums;
}

function prepare(row: Row): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-bad-input-'));
	const files = {...base, ...row.files};
	for (const [name, content] of Object.entries(files)) {
		if (content === null) continue;
		mkdirSync(path.dirname(path.join(dir, name)), {recursive: true, mode: 0o700});
		writeFileSync(path.join(dir, name), content, {mode: name.includes('secrets') || name.startsWith('.pgha') ? 0o600 : 0o644});
	}

	row.setup?.(dir);
	return dir;
}

interface Outcome {
	readonly code: number | null;
	readonly output: string;
}

// Two cores: a few children at a time keep the machine usable for everyone else.
let running = 0;
const waiting: Array<() => void> = [];
async function slot<T>(work: () => Promise<T>): Promise<T> {
	if (running >= 3) await new Promise<void>(resolve => waiting.push(resolve));
	running++;
	try {
		return await work();
	} finally {
		running--;
		waiting.shift()?.();
	}
}

function runPgha(row: Row, dir: string, lang: Lang): Promise<Outcome> {
	const locale = lang === 'ru' ? 'ru_RU.UTF-8' : 'en_US.UTF-8';
	const env: NodeJS.ProcessEnv = {PATH: process.env['PATH'], HOME: path.join(dir, 'home'), LANG: locale, LC_ALL: locale, NO_COLOR: '1', PGHA_SSH_PASSWORD: 'not-used-anywhere'};
	for (const [key, value] of Object.entries(row.env ?? {})) {
		if (value === undefined) delete env[key];
		else env[key] = value;
	}

	return slot(() => new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [bin, ...row.args], {cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe']});
		let output = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
		child.on('error', reject);
		child.on('close', code => resolve({code, output}));
	}));
}

test('the table has at least 60 bad inputs, each with a sentence in both languages', t => {
	t.true(rows.length >= 60, `${rows.length} rows`);
	t.is(new Set(rows.map(row => row.name)).size, rows.length, 'row names are unique');
	for (const row of rows) t.true(row.en !== row.ru || /^[\w.[\]]+$/.test(row.en), `${row.name}: the Russian fragment is Russian`);
});

for (const row of rows) {
	test(`bad input: ${row.name}`, async t => {
		for (const lang of ['en', 'ru'] as const) {
			const dir = prepare(row);
			try {
				const before = checksums(dir);
				const {code, output} = await runPgha(row, dir, lang);
				t.is(code, row.code, `${lang}: exit code; output:\n${output}`);
				t.true(output.includes(row[lang]), `${lang}: expected "${row[lang]}" in:\n${output}`);
				t.notRegex(output, /^\s+at .+:\d+:\d+\)?$/m, `${lang}: no stack trace`);
				t.true(output.length < 8000, `${lang}: the answer is short (${output.length} characters)`);
				const after = checksums(dir);
				for (const [file, sum] of before) {
					if (!row.changes?.includes(path.relative(dir, file))) t.is(after.get(file), sum, `${lang}: ${path.relative(dir, file)} unchanged`);
				}

				const extra = row.after?.(dir);
				t.is(extra, undefined, extra);
			} finally {
				rmSync(dir, {recursive: true, force: true});
			}
		}
	});
}
