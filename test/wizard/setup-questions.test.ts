import test from 'ava';
import {askSetup} from '../../source/wizard/setup-questions.ts';
import {scripted} from '../helpers/scripted-prompter.ts';

const open = async () => 'open' as const;

test('the course defaults make a cluster document', async t => {
	const doc = await askSetup({
		lang: 'en',
		probe: open,
		prompter: scripted(['patroni', 'password', '192.168.0.30', 'pg-node-1', '192.168.0.31', 'pg-node-2', '192.168.0.32', 'pg-node-3', '16', 'venv', 'download', 'single', 'pg-node-1']),
	});
	t.deepEqual(doc.nodes.map(node => node.ip), ['192.168.0.30', '192.168.0.31', '192.168.0.32']);
	t.is(doc.postgresVersion, 16);
	t.deepEqual(doc.etcd, {source: 'download'});
	t.is(doc.haproxy?.node, 'pg-node-1');
	t.deepEqual(doc.nodes[0], {name: 'pg-node-1', ip: '192.168.0.30', sshPort: 22, sshUser: 'patroni', auth: {kind: 'password'}});
});

test('a bad IP, a duplicate and a closed SSH port are refused while typing (ru)', async t => {
	const transcript = {refused: [] as string[], asked: []};
	const probe = async (host: string) => (host === '192.168.0.99' ? ('refused' as const) : ('open' as const));
	await askSetup({
		lang: 'ru',
		probe,
		prompter: scripted(
			['patroni', 'password', '192.168.0.300', '192.168.0.30', 'pg-node-1', '192.168.0.30', '192.168.0.99', '192.168.0.31', 'pg-node-1', 'pg-node-2', '192.168.0.32', 'pg-node-3', 'auto', 'package', 'package', 'single', 'pg-node-2'],
			transcript,
		),
	});
	t.deepEqual(transcript.refused, [
		'«192.168.0.300» — не IPv4-адрес (пример: 192.168.0.30)',
		'192.168.0.30 уже занят другим узлом',
		'192.168.0.99:22 отказывает в соединении: SSH-сервер не запущен? На ВМ: sudo apt install -y openssh-server',
		'Имя pg-node-1 уже занято',
	]);
});

test('key auth and an uploaded etcd tarball are recorded', async t => {
	const doc = await askSetup({
		lang: 'en',
		probe: open,
		prompter: scripted(['student', 'key', '/home/u/.ssh/id_ed25519', '10.0.0.1', 'a1', '10.0.0.2', 'a2', '10.0.0.3', 'a3', 'auto', 'package', 'upload', '/tmp/etcd.tar.gz', 'single', 'a3']),
	});
	t.deepEqual(doc.nodes[2]!.auth, {kind: 'key', keyFile: '/home/u/.ssh/id_ed25519'});
	t.deepEqual(doc.etcd, {source: 'upload', tarball: '/tmp/etcd.tar.gz'});
	t.is(doc.postgresVersion, 'auto');
});

test('the recommended front door: HAProxy on every node and a floating address, checked while typing (ru)', async t => {
	const transcript = {refused: [] as string[], asked: []};
	const doc = await askSetup({
		lang: 'ru',
		probe: open,
		prompter: scripted(
			['patroni', 'password', '192.168.0.30', 'pg-node-1', '192.168.0.31', 'pg-node-2', '192.168.0.32', 'pg-node-3', 'auto', 'venv', 'download', 'vip', '192.168.0.31', '10.0.0.40', '192.168.0.40'],
			transcript,
		),
	});
	t.deepEqual(doc.haproxy, {nodes: 'all', vip: '192.168.0.40'});
	t.deepEqual(transcript.refused, [
		'192.168.0.31 — адрес одного из узлов; нужен отдельный свободный адрес',
		'10.0.0.40 не в сети узлов (192.168.0.x)',
	]);
});

test('the floating address suggested is .40 of the nodes\' network, or the next free ten', async t => {
	const {suggestVip} = await import('../../source/wizard/vip-answer.ts');
	t.is(suggestVip(['192.168.0.30', '192.168.0.31', '192.168.0.32']), '192.168.0.40');
	t.is(suggestVip(['10.1.2.40', '10.1.2.41', '10.1.2.42']), '10.1.2.50');
});
