import test from 'ava';
import {checkVip} from '../../source/wizard/vip-answer.ts';
import {checkIp} from '../../source/wizard/validate-answer.ts';

test('a node\'s IP: the cluster file\'s IPv4 rule (no leading zeros, each part up to 255), then uniqueness', t => {
	t.true(checkIp(' 192.168.0.30 ', [], 'en'));
	t.is(checkIp('192.168.0.300', [], 'en'), '"192.168.0.300" is not an IPv4 address (e.g. 192.168.0.30)');
	// Some tools read 010 as octal: refused here as in pgha.yaml.
	t.is(checkIp('192.168.0.030', [], 'ru'), '«192.168.0.030» — не IPv4-адрес (пример: 192.168.0.30)');
	t.is(checkIp('192.168.0.30', ['192.168.0.30'], 'en'), '192.168.0.30 is already used by another node');
});

test('the floating address: IPv4 first, then not a node\'s, in the nodes\' /24, not .0 or .255', t => {
	const nodes = ['192.168.0.30', '192.168.0.31', '192.168.0.32'];
	t.true(checkVip('192.168.0.40', nodes, 'en'));
	t.is(checkVip('192.168.0.040', nodes, 'en'), '"192.168.0.040" is not an IPv4 address (e.g. 192.168.0.40)');
	t.is(checkVip('192.168.0.31', nodes, 'en'), '192.168.0.31 is one of the nodes\' addresses; a separate free address is needed');
	t.is(checkVip('10.0.0.40', nodes, 'en'), '10.0.0.40 is not in the nodes\' network (192.168.0.x)');
	t.is(checkVip('192.168.0.255', nodes, 'ru'), '192.168.0.255 — адрес сети или широковещательный');
});
