import test from 'ava';
import {chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import {writeFileAtomic} from '../../source/config/atomic-write.ts';
import {ConfigError} from '../../source/config/errors.ts';
import {generateSecret, loadOrCreateSecrets, secretKeys, secretsFileFor, secretValues, sshPassword} from '../../source/config/secrets.ts';

function clusterFile(): string {
	return path.join(mkdtempSync(path.join(os.tmpdir(), 'pgha-secrets-')), 'pgha.yaml');
}

const guideSamples = ['patroni', 'api_password', 'rep_password', 'admin123', 'adminpassword'];

test('the secrets file sits beside the cluster file, named after it', t => {
	t.is(secretsFileFor('/course/pgha.yaml'), '/course/pgha.secrets.yaml');
	t.is(secretsFileFor('/tmp/pgha-ci-lab.yaml'), '/tmp/pgha-ci-lab.secrets.yaml');
});

test('the first load creates the secrets file with mode 0600', async t => {
	const file = clusterFile();
	const loaded = await loadOrCreateSecrets(file);
	t.true(loaded.created);
	t.is(loaded.file, secretsFileFor(file));
	t.is(statSync(loaded.file).mode & 0o777, 0o600);
});

test.serial('the secrets file is 0600 even under umask 000', async t => {
	const previous = process.umask(0);
	try {
		const loaded = await loadOrCreateSecrets(clusterFile());
		t.is(statSync(loaded.file).mode & 0o777, 0o600);
	} finally {
		process.umask(previous);
	}
});

test.serial('an atomic 0600 write is never readable by others, not even as a temp file', async t => {
	const previous = process.umask(0);
	const file = path.join(path.dirname(clusterFile()), 'secret.yaml');
	let tempMode = -1;
	try {
		await writeFileAtomic(file, 'x: 1\n', {mode: 0o600, beforeCommit(temp) {
			tempMode = statSync(temp).mode & 0o777;
		}});
	} finally {
		process.umask(previous);
	}

	t.is(tempMode, 0o600);
	t.is(statSync(file).mode & 0o777, 0o600);
});

test('later loads reuse the same secrets', async t => {
	const file = clusterFile();
	const first = await loadOrCreateSecrets(file);
	const second = await loadOrCreateSecrets(file);
	t.false(second.created);
	t.deepEqual(second.secrets, first.secrets);
});

test('two pgha processes starting together agree on one set of secrets', async t => {
	const file = clusterFile();
	const [a, b] = await Promise.all([loadOrCreateSecrets(file), loadOrCreateSecrets(file)]);
	t.deepEqual(a.secrets, b.secrets);
	t.deepEqual((await loadOrCreateSecrets(file)).secrets, a.secrets);
});

test('generated secrets are long, letters and digits only, all different', async t => {
	const {secrets} = await loadOrCreateSecrets(clusterFile());
	const values = secretValues(secrets);
	t.is(values.length, secretKeys.length);
	for (const value of values) t.regex(value, /^[A-Za-z\d]{32}$/);
	t.is(new Set(values).size, values.length);
});

test('generated secrets are never the guide\'s sample passwords', t => {
	for (let index = 0; index < 200; index++) t.false(guideSamples.includes(generateSecret()));
});

test('a secrets file readable by others is narrowed to 0600 with a warning', async t => {
	const file = clusterFile();
	const {file: secretsFile} = await loadOrCreateSecrets(file);
	chmodSync(secretsFile, 0o644);
	const loaded = await loadOrCreateSecrets(file);
	t.is(statSync(secretsFile).mode & 0o777, 0o600);
	t.deepEqual(loaded.warnings.map(warning => warning.message), ['pgha.secrets.yaml: was readable by other users (mode 0644); pgha changed it to 0600']);
});

test('a deleted line gets a new password and the others stay', async t => {
	const file = clusterFile();
	const first = await loadOrCreateSecrets(file);
	const data = YAML.parse(readFileSync(first.file, 'utf8')) as Record<string, string>;
	delete data.rest_api_password;
	writeFileSync(first.file, YAML.stringify(data), {mode: 0o600});
	const second = await loadOrCreateSecrets(file);
	t.true(second.created);
	t.is(second.secrets.superuserPassword, first.secrets.superuserPassword);
	t.not(second.secrets.restApiPassword, first.secrets.restApiPassword);
	t.is((await loadOrCreateSecrets(file)).secrets.restApiPassword, second.secrets.restApiPassword);
	t.is(statSync(first.file).mode & 0o777, 0o600);
});

test('a guide sample password in the secrets file is refused', async t => {
	const file = clusterFile();
	const {file: secretsFile} = await loadOrCreateSecrets(file);
	const data = YAML.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>;
	data.replication_password = 'rep_password';
	writeFileSync(secretsFile, YAML.stringify(data));
	const error = await t.throwsAsync(loadOrCreateSecrets(file), {instanceOf: ConfigError});
	t.deepEqual(error.issues.map(issue => issue.message), ['replication_password: is a sample password printed in the course guide; delete the line and pgha makes a new one']);
});

test('a secret with characters that break config files is refused without echoing it', async t => {
	const file = clusterFile();
	const {file: secretsFile} = await loadOrCreateSecrets(file);
	const data = YAML.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>;
	data.haproxy_stats_password = 'abc:def"ghi jkl mnop';
	writeFileSync(secretsFile, YAML.stringify(data));
	const error = await t.throwsAsync(loadOrCreateSecrets(file), {instanceOf: ConfigError});
	t.is(error.issues.length, 1);
	t.true(error.issues[0]!.message.startsWith('haproxy_stats_password: may contain only letters and digits'));
	t.false(error.message.includes('abc:def'));
});

test('the SSH password comes from PGHA_SSH_PASSWORD or not at all', t => {
	t.is(sshPassword({PGHA_SSH_PASSWORD: 's3cret'}), 's3cret');
	t.is(sshPassword({}), undefined);
	t.is(sshPassword({PGHA_SSH_PASSWORD: ''}), undefined);
});
