import test from 'ava';
import {parseClusterJson, parseStatsCsv} from '../../source/cluster/patroni-api.ts';
import {psqlCommand} from '../../source/cluster/psql.ts';

test('Patroni /cluster members are read with role, state, timeline and lag', t => {
	const json = JSON.stringify({
		members: [
			{name: 'pg-node-1', role: 'leader', state: 'running', api_url: 'http://192.168.0.30:8008/patroni', host: '192.168.0.30', port: 5432, timeline: 2},
			{name: 'pg-node-2', role: 'replica', state: 'streaming', host: '192.168.0.31', port: 5432, timeline: 2, lag: 0},
		],
	});
	t.deepEqual(parseClusterJson(json), [
		{name: 'pg-node-1', host: '192.168.0.30', role: 'leader', state: 'running', timeline: 2, lag: undefined},
		{name: 'pg-node-2', host: '192.168.0.31', role: 'replica', state: 'streaming', timeline: 2, lag: 0},
	]);
});

test('HAProxy stats CSV gives each server of each listen section', t => {
	const csv = [
		'# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight',
		'primary,FRONTEND,,,0,0,,0,0,0,0,0,0,,,,,OPEN,',
		'primary,pg-node-1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1',
		'primary,pg-node-2,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1',
		'primary,BACKEND,0,0,0,0,,0,0,0,0,0,,0,0,0,0,UP,1',
		'replicas,pg-node-2,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1',
	].join('\n');
	t.deepEqual(parseStatsCsv(csv), [
		{proxy: 'primary', server: 'pg-node-1', status: 'UP'},
		{proxy: 'primary', server: 'pg-node-2', status: 'DOWN'},
		{proxy: 'replicas', server: 'pg-node-2', status: 'UP'},
	]);
});

test('psql gets its password from stdin, not from the command line', t => {
	const command = psqlCommand({host: '127.0.0.1', port: 5000, user: 'postgres', password: 'Secret-42'});
	t.false(command.includes('Secret-42'));
	t.true(command.includes('read -r PGPASSWORD'));
	t.true(command.includes('-p 5000'));
});
