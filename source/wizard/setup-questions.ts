/**
 * The setup questions of a new cluster, asked before Ink mounts. The result is the cluster file's
 * answers saved to the cluster file before anything runs.
 */
import type {ClusterAnswers} from '../config/load.ts';
import type {NodeAuth} from '../core/cluster.ts';
import type {Lang} from '../core/text.ts';
import type {Prompter} from './prompter.ts';
import {checkVip, suggestVip} from './vip-answer.ts';
import {checkIp, checkNodeName, describeProbe, probeTcp} from './validate-answer.ts';

export interface SetupOptions {
	readonly lang: Lang;
	readonly prompter: Prompter;
	/** Checks that the SSH port answers; replaceable in tests. */
	readonly probe?: (host: string, port: number) => Promise<'open' | 'refused' | 'timeout' | 'unreachable'>;
	readonly nodeCount?: number;
}

const courseIps = ['192.168.0.30', '192.168.0.31', '192.168.0.32', '192.168.0.33', '192.168.0.34'];

export async function askLanguage(prompter: Prompter, initial: Lang): Promise<Lang> {
	return prompter.select<Lang>({
		message: 'Язык / Language',
		choices: [
			{value: 'ru', name: 'Русский'},
			{value: 'en', name: 'English'},
		],
		default: initial,
	});
}

export async function askSetup({lang, prompter, probe = probeTcp, nodeCount = 3}: SetupOptions): Promise<ClusterAnswers> {
	const ru = lang === 'ru';
	const sshUser = (
		await prompter.input({
			message: ru ? 'Пользователь SSH на узлах' : 'SSH user on the nodes',
			default: 'patroni',
			validate: value => /^[a-z_][a-z0-9_-]*$/.test(value.trim()) || (ru ? 'Имя пользователя Linux: латиница в нижнем регистре' : 'A Linux user name: lowercase letters'),
		})
	).trim();
	const authKind = await prompter.select<'password' | 'key'>({
		message: ru ? 'Как входить по SSH' : 'How to log in over SSH',
		choices: [
			{value: 'password', name: ru ? 'Пароль (спрошу при запуске, нигде не сохраняю)' : 'Password (asked at run time, never saved)'},
			{value: 'key', name: ru ? 'Файл ключа' : 'Key file'},
		],
	});
	const keyFile =
		authKind === 'key'
			? (await prompter.input({message: ru ? 'Путь к закрытому ключу' : 'Path to the private key', default: '~/.ssh/id_ed25519'})).trim()
			: undefined;

	const auth: NodeAuth = keyFile ? {kind: 'key', keyFile} : {kind: 'password'};
	const nodes: Array<{name: string; ip: string; sshPort: number; sshUser: string; auth: NodeAuth}> = [];
	for (let index = 0; index < nodeCount; index++) {
		const takenIps = nodes.map(node => node.ip);
		const ip = (
			await prompter.input({
				message: ru ? `IP узла ${index + 1}` : `IP of node ${index + 1}`,
				default: courseIps[index],
				async validate(value) {
					const format = checkIp(value, takenIps, lang);
					if (format !== true) return format;
					return describeProbe(await probe(value.trim(), 22), value.trim(), 22, lang);
				},
			})
		).trim();
		const name = (
			await prompter.input({
				message: ru ? `Имя узла ${index + 1}` : `Name of node ${index + 1}`,
				default: `pg-node-${index + 1}`,
				validate: value => checkNodeName(value, nodes.map(node => node.name), lang),
			})
		).trim();
		nodes.push({name, ip, sshPort: 22, sshUser, auth});
	}

	const version = await prompter.select<'auto' | '17' | '16' | '15'>({
		message: ru ? 'Версия PostgreSQL' : 'PostgreSQL version',
		choices: [
			{value: 'auto', name: ru ? 'Самая новая из репозитория узла' : 'The newest in the node\'s repositories'},
			{value: '16', name: '16 (Ubuntu 24.04, как в методичке)'},
			{value: '17', name: '17'},
			{value: '15', name: '15 (Debian 12)'},
		],
	});
	const patroniSource = await prompter.select<'venv' | 'package'>({
		message: ru ? 'Откуда ставить Patroni' : 'Where to install Patroni from',
		choices: [
			{value: 'venv', name: ru ? 'pip в venv, как в методичке (нужен интернет на узлах)' : 'pip into a venv, as in the guide (needs internet on the nodes)'},
			{value: 'package', name: ru ? 'Пакет дистрибутива (apt install patroni)' : 'The distribution package (apt install patroni)'},
		],
	});
	const etcdSource = await prompter.select<'download' | 'upload' | 'package'>({
		message: ru ? 'Откуда ставить etcd' : 'Where to install etcd from',
		choices: [
			{value: 'download', name: ru ? 'Архив релиза с GitHub, как в методичке' : 'The release tarball from GitHub, as in the guide'},
			{value: 'upload', name: ru ? 'Архив с этого компьютера (узлы без интернета)' : 'A tarball from this computer (nodes without internet)'},
			{value: 'package', name: ru ? 'Пакет дистрибутива (etcd-server)' : 'The distribution package (etcd-server)'},
		],
	});
	const tarball =
		etcdSource === 'upload'
			? (await prompter.input({message: ru ? 'Путь к etcd-vX.Y.Z-linux-amd64.tar.gz' : 'Path to etcd-vX.Y.Z-linux-amd64.tar.gz'})).trim()
			: undefined;
	const haproxy = await askFrontDoor(prompter, lang, nodes);

	return {
		name: 'pg-cluster',
		nodes,
		postgresVersion: version === 'auto' ? 'auto' : Number(version),
		patroni: {source: patroniSource, user: 'patroni'},
		etcd: {source: etcdSource, ...(tarball ? {tarball} : {})},
		haproxy,
	};
}

/** The way into the cluster: the recommended front door (HAProxy everywhere + a VIP) or the guide's one HAProxy. */
export async function askFrontDoor(prompter: Prompter, lang: Lang, nodes: ReadonlyArray<{name: string; ip: string}>): Promise<NonNullable<ClusterAnswers['haproxy']>> {
	const ru = lang === 'ru';
	const layout = await prompter.select<'vip' | 'single'>({
		message: ru
			? 'Вход в кластер. В методичке HAProxy один: выключится его ВМ — приложения потеряют базу, хотя Patroni переключится. Рекомендуется HAProxy на каждом узле и плавающий адрес (keepalived), который переходит на живой узел за секунды.'
			: 'The way into the cluster. The guide has one HAProxy: when its VM goes down, applications lose the database although Patroni fails over. Recommended: HAProxy on every node and a floating address (keepalived) that moves to a live node within seconds.',
		choices: [
			{value: 'vip', name: ru ? 'HAProxy на каждом узле + плавающий адрес (рекомендуется)' : 'HAProxy on every node + a floating address (recommended)'},
			{value: 'single', name: ru ? 'Один HAProxy, как в методичке (единая точка отказа)' : 'One HAProxy, as in the guide (a single point of failure)'},
		],
		default: 'vip',
	});
	if (layout === 'vip') {
		const ips = nodes.map(node => node.ip);
		const vip = (
			await prompter.input({
				message: ru
					? 'Плавающий адрес: свободный IP в той же сети, что узлы, вне диапазона DHCP роутера'
					: 'Floating address: a free IP in the nodes\' network, outside the router\'s DHCP range',
				default: suggestVip(ips),
				validate: value => checkVip(value, ips, lang),
			})
		).trim();
		return {nodes: 'all', vip};
	}

	const haproxyNode = await prompter.select<string>({
		message: ru ? 'На каком узле HAProxy' : 'Which node runs HAProxy',
		choices: nodes.map(node => ({value: node.name, name: `${node.name} (${node.ip})`})),
		default: nodes[0]!.name,
	});
	return {node: haproxyNode};
}
