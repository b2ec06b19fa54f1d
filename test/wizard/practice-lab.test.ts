import test from 'ava';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {saveClusterFile} from '../../source/config/load.ts';
import {askPracticeLab, askWhereabouts, practiceLabBlocker, practiceLabCluster, releaseOf, type HostFacts} from '../../source/wizard/practice-lab.ts';
import {scripted} from '../helpers/scripted-prompter.ts';

const linuxRoot: HostFacts = {platform: 'linux', uid: 0, missing: []};

test('the lab is offered on Linux as root with the host tools present', t => {
	t.is(practiceLabBlocker(linuxRoot), undefined);
});

test('on Windows the reason names WSL2 and the VMs as the ways forward', t => {
	const why = practiceLabBlocker({...linuxRoot, platform: 'win32'});
	t.regex(why!.en, /WSL2/);
	t.regex(why!.ru, /WSL2/);
	t.regex(why!.en, /VirtualBox VMs/);
});

test('without root the reason says to start the wizard with sudo', t => {
	t.regex(practiceLabBlocker({...linuxRoot, uid: 1000})!.en, /sudo npm start/);
});

test('missing host tools are named with the apt line that installs them', t => {
	const why = practiceLabBlocker({...linuxRoot, missing: [{command: 'mmdebstrap', pkg: 'mmdebstrap'}, {command: 'systemd-nspawn', pkg: 'systemd-container'}]});
	t.regex(why!.en, /mmdebstrap, systemd-nspawn/);
	t.regex(why!.en, /apt-get install -y --no-install-recommends mmdebstrap systemd-container/);
});

test('where the cluster lives: a blocked lab is shown disabled, with the reason said before the question', async t => {
	const transcript = {refused: [] as string[], asked: [] as Array<{message: string; choices?: readonly string[]}>};
	const said: string[] = [];
	const where = await askWhereabouts(scripted(['machines'], transcript), 'ru', practiceLabBlocker({...linuxRoot, uid: 1000}), line => said.push(line));
	t.is(where, 'machines');
	t.regex(said.join(''), /Практическая лаборатория здесь недоступна: нужны права root/);
	t.regex(transcript.asked[0]!.choices![1]!, /практической лаборатории/);
});

test('the lab defaults make a valid cluster file: the lab\'s nodes and login, the course\'s sources, a VIP front door', async t => {
	const answers = await askPracticeLab(scripted(['trixie', 'default', 'no', 'vip', '192.168.0.40']), 'en');
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-practice-'));
	t.teardown(() => rmSync(dir, {recursive: true, force: true}));
	const file = path.join(dir, 'pgha.yaml');
	const {config} = await saveClusterFile(practiceLabCluster(answers, '3.5.16'), file);
	t.deepEqual(config.nodes.map(node => `${node.name} ${node.ip} ${node.sshUser}`), ['pg-node-1 192.168.0.30 student', 'pg-node-2 192.168.0.31 student', 'pg-node-3 192.168.0.32 student']);
	t.is(config.patroni.source, 'venv');
	t.is(config.patroni.indexUrl, 'http://192.168.0.10/pypi/simple');
	t.is(config.etcd.source, 'download');
	t.is(config.haproxy.vip, '192.168.0.40');
	t.deepEqual(config.lab, {netns: 'lab-sw', release: 'trixie'});
	t.false(config.synchronousMode);
	t.regex(readFileSync(file, 'utf8'), /release: trixie/);
});

test('Debian 12, fast timing, synchronous replication and one HAProxy are what the file says', async t => {
	const answers = await askPracticeLab(scripted(['bookworm', 'fast', 'yes', 'single', 'pg-node-2']), 'ru');
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pgha-practice-'));
	t.teardown(() => rmSync(dir, {recursive: true, force: true}));
	const {config} = await saveClusterFile(practiceLabCluster(answers, undefined), path.join(dir, 'pgha.yaml'));
	t.is(config.patroni.source, 'package');
	t.is(config.etcd.source, 'package');
	t.true(config.synchronousMode);
	t.is(config.timing.ttl, 20);
	t.deepEqual(config.haproxy.nodes, ['pg-node-2']);
	t.is(releaseOf(config.lab!), 'bookworm');
});

test('a lab release the lab does not have is refused, naming the field', async t => {
	const error = await t.throwsAsync(saveClusterFile({nodes: [{name: 'a', ip: '10.0.0.1'}, {name: 'b', ip: '10.0.0.2'}, {name: 'c', ip: '10.0.0.3'}], lab: {netns: 'lab-sw', release: 'jammy'}}, path.join(os.tmpdir(), 'pgha-never-written.yaml')));
	t.regex(String(error?.message), /lab\.release/);
});
