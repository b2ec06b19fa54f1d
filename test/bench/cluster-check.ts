/**
 * The bench's end condition, asked once after a build (pgha's or the floor's) and outside the timed
 * part: from the lab's switch, Patroni says 1 leader + N-1 replicas, the leader reached through
 * HAProxy's write port shows N-1 replicas streaming, the read port lands on a replica, and HAProxy's
 * stats show 1 server UP for writes and N-1 for reads. Passwords travel on stdin or in the environment.
 */
import type {ClusterConfig, Secrets} from '../../source/core/cluster.ts';
import {parseStatsCsv, routingSettled} from '../../steps/haproxy.ts';
import {haproxyNode} from '../../steps/render.ts';
import {haproxyStatsUser} from '../../templates/haproxy-cfg.ts';
import {inSwitch} from '../helpers/lab.ts';

export interface ClusterVerdict {
	readonly ok: boolean;
	readonly summary: string;
}

interface ClusterMember {
	readonly name: string;
	readonly role: string;
	readonly state: string;
}

async function members(cluster: ClusterConfig): Promise<ClusterMember[] | undefined> {
	for (const node of cluster.nodes) {
		const result = await inSwitch('curl', ['-fsS', '-m', '5', `http://${node.ip}:${cluster.ports.patroniApi}/cluster`], {timeoutMs: 15_000});
		if (result.code !== 0) continue;
		try {
			return (JSON.parse(result.stdout) as {members: ClusterMember[]}).members;
		} catch {
			// Ask the next node.
		}
	}

	return undefined;
}

async function psqlThrough(cluster: ClusterConfig, secrets: Secrets, port: number, sql: string): Promise<string | undefined> {
	const host = haproxyNode(cluster).ip;
	const result = await inSwitch('psql', [`host=${host} port=${port} user=postgres dbname=postgres connect_timeout=5`, '-XAtqc', sql], {
		env: {...process.env, PGPASSWORD: secrets.superuserPassword},
		timeoutMs: 20_000,
	});
	return result.code === 0 ? result.stdout.trim() : undefined;
}

export async function checkCluster(cluster: ClusterConfig, secrets: Secrets): Promise<ClusterVerdict> {
	const problems: string[] = [];
	const list = await members(cluster);
	const replicas = cluster.nodes.length - 1;
	if (!list) problems.push('Patroni /cluster answered on no node');
	else {
		const leaders = list.filter(member => member.role === 'leader' && member.state === 'running');
		const running = list.filter(member => member.role === 'replica' && ['running', 'streaming'].includes(member.state));
		if (leaders.length !== 1 || running.length !== replicas) problems.push(`patroni: ${list.map(member => `${member.name} ${member.role} ${member.state}`).join(', ')}`);
	}

	const write = await psqlThrough(cluster, secrets, cluster.ports.haproxyWrite,
		"select pg_is_in_recovery(), (select count(*) from pg_stat_replication where state = 'streaming')");
	if (write !== `f|${replicas}`) problems.push(`through ${cluster.ports.haproxyWrite}: ${write ?? 'no connection'} (expected f|${replicas})`);
	const read = await psqlThrough(cluster, secrets, cluster.ports.haproxyRead, 'select pg_is_in_recovery()');
	if (read !== 't') problems.push(`through ${cluster.ports.haproxyRead}: ${read ?? 'no connection'} (expected t)`);

	const stats = await inSwitch('curl', ['-fsS', '-m', '5', '--config', '-', `http://${haproxyNode(cluster).ip}:${cluster.ports.haproxyStats}/stats;csv`], {
		input: `user = "${haproxyStatsUser}:${secrets.haproxyStatsPassword}"\n`,
		timeoutMs: 15_000,
	});
	const counts = stats.code === 0 ? parseStatsCsv(stats.stdout) : undefined;
	if (!counts || !routingSettled(cluster, counts)) {
		problems.push(`haproxy: ${counts ? [...counts].map(([proxy, value]) => `${proxy} ${value.up}/${value.servers} UP`).join(', ') : 'stats did not answer'}`);
	}

	return problems.length === 0
		? {ok: true, summary: `1 leader + ${replicas} streaming, HAProxy routes writes and reads`}
		: {ok: false, summary: problems.join('; ')};
}
