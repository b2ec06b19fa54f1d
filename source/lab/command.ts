/** `pgha lab ...`: argument handling and output; the work is in lab.ts and build.ts. */
import {flagString, hasFlag, type ParsedArgs} from '../cli-args.ts';
import {build} from './build.ts';
import {requireLinux, requireRoot} from './host-check.ts';
import {down, execInNode, linkCommand, reset, startNodeCommand, status, stopNodeCommand, up, type LabStatus} from './lab.ts';
import {defaultNetPrefix, defaultNodeCount, defaultRelease, isLabRelease, labReleases, maxNodes, minNodes, validPrefix, type LabRelease} from './settings.ts';
import {LabError, pickLang, reporter, t, type Lang} from './text.ts';

export const usage = `Usage: pgha lab <command> [options]
  build [--force] [--release trixie|bookworm]
                                      local apt repository, node rootfs, etcd tarball and Python
                                      index (cached per release in /var/cache/pgha-lab)
  up [--nodes 3-5] [--prefix 192.168.0] [-o pgha.yaml] [--release trixie|bookworm]
                                      boot the nodes and write the cluster file
  status                              nodes, IPs, up/down (exit 3 when the lab is down)
  reset                               all nodes back to fresh, in seconds
  down                                power off and remove everything the lab created
  stop-node N | start-node N          power a node off (cleanly) / on again (its data is kept)
  cut N | heal N                      unplug / plug back a node's network cable
  exec N -- CMD                       run CMD as root inside node N without SSH (one argument: a shell line)
Runs as root on Linux. / Нужны root и Linux.
`;

function formatStatus(report: LabStatus, lang: Lang): string {
	if (!report.up) {
		const leftovers = report.switchUp || report.repoServer;
		return `${(leftovers
			? t('Лаборатория не запущена, но остались её части: pgha lab down уберёт их.', 'The lab is not up, but parts of it are left: pgha lab down removes them.')
			: t('Лаборатория не запущена.', 'The lab is down.'))[lang]}\n`;
	}

	const words = {
		ready: t('работает', 'up'),
		booting: t('загружается', 'booting'),
		down: t('выключен', 'down'),
		cut: t('сеть отрезана', 'network cut'),
	};
	const lines = [
		`${t('Лаборатория', 'Lab')[lang]}: Debian ${report.state!.release}, ${report.state!.switchNetns} ${report.state!.switchIp}, ${t('репозиторий', 'repository')[lang]} ${report.repoServer ? 'OK' : '—'}, ${t('файл кластера', 'cluster file')[lang]} ${report.state!.clusterFile}`,
	];
	if (report.state!.phase !== 'up') {
		lines.push(t(
			'  (запуск не завершён: если pgha lab up уже не работает, уберите остатки: pgha lab down)',
			'  (start-up not finished: if pgha lab up is no longer running, remove the leftovers: pgha lab down)',
		)[lang]);
	}

	for (const node of report.nodes) {
		const state = words[node.state][lang];
		lines.push(`  ${node.name.padEnd(10)} ${node.ip.padEnd(15)} ${state}${node.connected ? '' : `, ${words.cut[lang]}`}`);
	}

	return `${lines.join('\n')}\n`;
}

function nodeCount(args: ParsedArgs): number {
	const raw = flagString(args, 'nodes');
	const count = raw === undefined ? defaultNodeCount : Number(raw);
	if (!Number.isInteger(count) || count < minNodes || count > maxNodes) {
		throw new LabError(t(`--nodes: от ${minNodes} до ${maxNodes}.`, `--nodes: from ${minNodes} to ${maxNodes}.`), 'usage');
	}

	return count;
}

function release(args: ParsedArgs): LabRelease {
	const value = flagString(args, 'release') ?? defaultRelease;
	if (!isLabRelease(value)) throw new LabError(t(`--release: ${labReleases.join(' или ')}.`, `--release: ${labReleases.join(' or ')}.`), 'usage');
	return value;
}

function netPrefix(args: ParsedArgs): string {
	const prefix = flagString(args, 'prefix') ?? defaultNetPrefix;
	if (!validPrefix(prefix)) {
		throw new LabError(t('--prefix: три числа сети /24, например 192.168.0', '--prefix: the three numbers of a /24, e.g. 192.168.0'), 'usage');
	}

	return prefix;
}

async function dispatch(args: ParsedArgs, lang: Lang): Promise<number> {
	const [sub, target] = args.positionals;
	if (!sub || sub === 'help' || hasFlag(args, 'help', 'h')) {
		process.stdout.write(usage);
		return sub ? 0 : 2;
	}

	requireLinux();
	requireRoot();
	const report = reporter(lang);
	switch (sub) {
		case 'build':
			await build({force: hasFlag(args, 'force'), release: release(args)}, report);
			return 0;
		case 'up':
			await up({release: release(args), nodes: nodeCount(args), prefix: netPrefix(args), output: flagString(args, 'o', 'output') ?? 'pgha.yaml'}, report);
			return 0;
		case 'down':
			await down(report);
			return 0;
		case 'reset':
			await reset(report);
			return 0;
		case 'status': {
			const result = await status();
			process.stdout.write(formatStatus(result, lang));
			return result.up ? 0 : 3;
		}

		case 'stop-node':
			await stopNodeCommand(target, report);
			return 0;
		case 'start-node':
			await startNodeCommand(target, report);
			return 0;
		case 'cut':
		case 'heal':
			await linkCommand(target, sub === 'heal', report);
			return 0;
		case 'exec':
			return execInNode(target, args.rest);
		default:
			process.stderr.write(`pgha lab: ${t('неизвестная команда', 'unknown command')[lang]} "${sub}"\n${usage}`);
			return 2;
	}
}

export async function run(args: ParsedArgs): Promise<number> {
	const lang = pickLang(flagString(args, 'lang'));
	try {
		return await dispatch(args, lang);
	} catch (error) {
		if (error instanceof LabError) {
			process.stderr.write(`pgha lab: ${error.say(lang)}\n`);
			return error.exitCode;
		}

		process.stderr.write(`pgha lab: ${error instanceof Error ? error.message : String(error)}\n`);
		return 1;
	}
}
