/**
 * Patroni from pip in a venv: the pinned release, a mirror or offline index, and pip's failures
 * turned into a sentence that names the index and the package.
 */
import test from 'ava';
import {pipFailure, venvPipInstall, venvRequirements} from '../../steps/patroni-install.ts';
import {sampleCluster} from '../helpers/install-fixtures.ts';

const pinned = {source: 'venv', user: 'patroni', version: '4.0.7'} as const;

test('by default pip installs the Patroni release CI proved, pinned', t => {
	t.deepEqual(sampleCluster('').patroni, pinned);
	t.deepEqual(venvRequirements(pinned), ['patroni[etcd3]==4.0.7', 'psycopg2-binary']);
});

test('version: latest lets pip pick the newest release', t => {
	const cluster = sampleCluster('patroni: {version: latest}');
	t.deepEqual(venvRequirements(cluster.patroni), ['patroni[etcd3]', 'psycopg2-binary']);
});

test('index_url points pip at a mirror; a plain-http one is trusted by its host name', t => {
	const https = venvPipInstall({...pinned, indexUrl: 'https://mirror.example/simple'});
	t.true(https.includes("--index-url 'https://mirror.example/simple'") || https.includes('--index-url https://mirror.example/simple'));
	t.false(https.includes('--trusted-host'));
	const http = venvPipInstall({...pinned, indexUrl: 'http://192.168.0.10/pypi/simple'});
	t.regex(http, /--index-url '?http:\/\/192\.168\.0\.10\/pypi\/simple'? --trusted-host '?192\.168\.0\.10'?/);
	t.false(venvPipInstall(pinned).includes('--index-url'));
});

test('a pinned version missing from the index names both the version and the index', t => {
	const output = 'ERROR: Could not find a version that satisfies the requirement patroni==9.9.9 (from versions: 4.0.7)\nERROR: No matching distribution found for patroni==9.9.9\n';
	const error = pipFailure('pg-node-2', {...pinned, version: '9.9.9', indexUrl: 'http://192.168.0.10/pypi/simple'}, output);
	t.regex(error.say('en'), /^pg-node-2: the package index http:\/\/192\.168\.0\.10\/pypi\/simple has no patroni==9\.9\.9\. Patroni 9\.9\.9 is pinned \(patroni\.version\)/);
	t.regex(error.say('ru'), /нет patroni==9\.9\.9\. Закреплён Patroni 9\.9\.9/);
});

test('an unreachable index is named, with what to check', t => {
	const output = "WARNING: Retrying ... Failed to establish a new connection: [Errno 111] Connection refused'\nERROR: Could not find a version that satisfies the requirement patroni==4.0.7 (from versions: none)\nERROR: No matching distribution found for patroni==4.0.7";
	const error = pipFailure('pg-node-1', {...pinned, indexUrl: 'http://10.9.9.9/simple'}, output);
	// pip reports both; the cause (no answer) is what the student must fix.
	t.regex(error.say('en'), /^pg-node-1: the package index http:\/\/10\.9\.9\.9\/simple cannot be reached from the node\./);
	const refused = pipFailure('pg-node-1', {...pinned, indexUrl: 'http://10.9.9.9/simple'}, 'Could not fetch URL http://10.9.9.9/simple/patroni/: connection error');
	t.regex(refused.say('en'), /the package index http:\/\/10\.9\.9\.9\/simple cannot be reached from the node\. Check the patroni\.index_url address/);
});

test('a bad patroni.version or index_url is refused before anything changes, naming the field', t => {
	t.throws(() => sampleCluster('patroni: {version: four}'), {message: /patroni\.version/});
	t.throws(() => sampleCluster('patroni: {index_url: ftp://x}'), {message: /patroni\.index_url/});
});
