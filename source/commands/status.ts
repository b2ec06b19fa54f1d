/** `pgha status`: members, roles, lag, timeline and HAProxy backends, without changing anything. */
import type {ParsedArgs} from '../cli-args.ts';
import {checkHealth} from '../app/health.ts';
import {frontDoorLines} from '../app/front-door-lines.ts';
import {withSession} from '../app/with-session.ts';

export async function run(args: ParsedArgs): Promise<number> {
	return withSession(args, async (session, {lang}) => {
		const health = await checkHealth(session.cluster, session.secrets, session.remotes);
		const out: string[] = [];
		out.push(lang === 'ru' ? `Кластер ${session.cluster.name}` : `Cluster ${session.cluster.name}`);
		out.push(['member'.padEnd(12), 'host'.padEnd(16), 'role'.padEnd(14), 'state'.padEnd(12), 'TL'.padEnd(4), 'lag (bytes)'].join(''));
		for (const member of health.members) {
			out.push([member.name.padEnd(12), member.host.padEnd(16), member.role.padEnd(14), member.state.padEnd(12), String(member.timeline ?? '').padEnd(4), String(member.lag ?? '')].join(''));
		}

		if (health.backends.length > 0) {
			out.push('', `HAProxy (${session.cluster.haproxy.nodes.join(', ')}):`);
			for (const server of health.backends) out.push(`  ${server.proxy.padEnd(10)} ${server.server.padEnd(12)} ${server.status}`);
		}

		out.push('', ...frontDoorLines(session.cluster, health, lang));

		out.push('', health.problems.length === 0 ? (lang === 'ru' ? 'Здоров.' : 'Healthy.') : health.problems.map(problem => `✖ ${problem}`).join('\n'));
		process.stdout.write(`${out.join('\n')}\n`);
		return health.problems.length === 0 ? 0 : 1;
	});
}
