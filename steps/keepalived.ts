/**
 * The front door: keepalived moves the cluster's floating address (VIP) between the HAProxy nodes,
 * so clients keep one address when the node holding it fails. The first stage written to describe
 * itself: its packages, cluster-file keys and secret are declared in `needs` below.
 *
 * Without a VIP in the cluster file the stage only undoes an earlier VIP layout (pgha's keepalived
 * stopped); PostgreSQL and Patroni are never touched by it.
 */
import type {ClusterConfig, NodeConfig} from '../source/core/cluster.ts';
import {haproxyNodes, hasVip, holdsAddressCommand, subnetPrefix} from '../source/cluster/front-door.ts';
import path from 'node:path';
import {
	keepalivedCheckPath, keepalivedConfigPath, renderKeepalivedCheck, renderKeepalivedConf, type KeepalivedInput,
} from '../templates/keepalived-conf.ts';
import type {Remote} from '../source/core/remote.ts';
import type {Action, HealthProbe, PlanContext, Stage, Step, StepContext} from './types.ts';
import {
	fileMatches, journalTail, nodeError, parseKeyValues, probe, readFileStates, runActions, runAction, sh, shq, text,
	waitFor, writeAction,
} from './commands.ts';
import {recoveryQueryCommand} from './haproxy.ts';

export const keepalivedCandidatePath = `${keepalivedConfigPath}.pgha-candidate`;
/** The first line of every keepalived.conf pgha writes: how a re-run recognises its own. */
export const keepalivedMarker = '# Written by pgha';
export const interfaceFact = 'net.interface';

/** Does this node carry the VIP in this cluster file? */
export function carriesVip(cluster: ClusterConfig, node: NodeConfig): boolean {
	return hasVip(cluster) && haproxyNodes(cluster).some(candidate => candidate.name === node.name);
}

/** The interface holding the node's own address (the VIP goes on the same one). */
export function interfaceCommand(ip: string): string {
	return sh(`ip -o -4 addr show | awk -v ip=${shq(ip)} '{split($4, a, "/"); if (a[1] == ip) {print $2; exit}}'`);
}

/** `name ip` per address on the node: who holds the VIP is read from the nodes themselves. */

function keepalivedInput(ctx: PlanContext): KeepalivedInput {
	const cluster = ctx.cluster;
	return {
		clusterName: cluster.name,
		node: {name: ctx.node.name, ip: ctx.node.ip},
		peers: haproxyNodes(cluster).map(node => ({name: node.name, ip: node.ip})),
		interface: ctx.facts.get(interfaceFact) ?? '<interface>',
		vip: cluster.haproxy.vip ?? '<vip>',
		prefix: subnetPrefix(cluster),
		password: ctx.secrets.vrrpPassword,
		statsPort: cluster.ports.haproxyStats,
	};
}

function configWrite(ctx: PlanContext): Extract<Action, {kind: 'write'}> {
	// 0600: the VRRP password is inside.
	return writeAction(keepalivedConfigPath, renderKeepalivedConf(keepalivedInput(ctx)), 0o600);
}

function checkWrite(ctx: PlanContext): Extract<Action, {kind: 'write'}> {
	return writeAction(keepalivedCheckPath, renderKeepalivedCheck(keepalivedInput(ctx)), 0o755);
}

export function configPlan(ctx: PlanContext): Action[] {
	if (!carriesVip(ctx.cluster, ctx.node)) return [runAction(disableCommand)];
	const live = configWrite(ctx);
	return [
		runAction(sh(`[ ! -e ${keepalivedConfigPath} ] || [ -e ${keepalivedConfigPath}.orig ] || cp -p ${keepalivedConfigPath} ${keepalivedConfigPath}.orig`)),
		runAction(`install -d -m 0755 ${path.dirname(keepalivedCheckPath)}`),
		checkWrite(ctx),
		{...live, path: keepalivedCandidatePath},
		runAction(`keepalived -t -f ${keepalivedCandidatePath}`),
		runAction(`mv -f ${keepalivedCandidatePath} ${keepalivedConfigPath}`),
		runAction('systemctl enable keepalived'),
		runAction('systemctl restart keepalived'),
	];
}

/** Only pgha's own keepalived is stopped when the layout no longer has a VIP. */
const disableCommand = sh(`if head -n 1 ${keepalivedConfigPath} 2>/dev/null | grep -q '^${keepalivedMarker}'; then systemctl disable --now keepalived; fi; true`);

const stateCommand = sh([
	'echo "active=$(systemctl is-active keepalived 2>/dev/null)"',
	'echo "enabled=$(systemctl is-enabled keepalived 2>/dev/null)"',
	`echo "ours=$(head -n 1 ${keepalivedConfigPath} 2>/dev/null | grep -c '^${keepalivedMarker}')"`,
].join('\n'));

interface KeepalivedState {
	readonly active: boolean;
	readonly enabled: boolean;
	readonly ours: boolean;
}

async function serviceState(ctx: StepContext): Promise<KeepalivedState> {
	const values = parseKeyValues((await probe(ctx, stateCommand, {sudo: true})).stdout);
	return {active: values.get('active') === 'active', enabled: values.get('enabled') === 'enabled', ours: values.get('ours') === '1'};
}

async function ensureInterface(ctx: StepContext): Promise<string> {
	const known = ctx.facts.get(interfaceFact);
	if (known) return known;
	const found = (await probe(ctx, interfaceCommand(ctx.node.ip))).stdout.trim();
	if (!/^[A-Za-z0-9_.:@-]{1,32}$/.test(found)) {
		throw nodeError(ctx.node.name,
			text(`адрес ${ctx.node.ip} не найден ни на одном сетевом интерфейсе узла.`, `the address ${ctx.node.ip} is on none of the node's network interfaces.`),
			text('Проверьте IP узла в pgha.yaml (ip -4 addr на узле).', 'Check the node\'s IP in pgha.yaml (ip -4 addr on the node).'));
	}

	ctx.facts.set(interfaceFact, found);
	return found;
}

async function configMatches(ctx: StepContext): Promise<boolean> {
	await ensureInterface(ctx);
	const files = [configWrite(ctx), checkWrite(ctx)];
	const states = await readFileStates(ctx, files.map(file => file.path));
	return files.every(file => fileMatches(states.get(file.path), file));
}

const configStep: Step = {
	id: 'keepalived.config',
	title: text('keepalived и плавающий адрес', 'keepalived and the floating address'),
	explain: text(
		'keepalived на каждом узле с HAProxy договаривается с соседями по VRRP (напрямую, unicast: multicast часто режется в Wi-Fi и облаках), и ровно один из них держит плавающий адрес. Скрипт проверки спрашивает HAProxy каждую секунду: если HAProxy умер, адрес уходит на другой узел. Все узлы стартуют как BACKUP с nopreempt: вернувшийся узел не забирает адрес обратно, второго перерыва нет. Пароль VRRP сгенерирован. Без vip в pgha.yaml этап только останавливает keepalived, настроенный pgha раньше.',
		'keepalived on every HAProxy node talks VRRP with its peers (directly, unicast: multicast is often filtered on Wi-Fi and in clouds), and exactly one of them holds the floating address. A check script asks HAProxy every second: when HAProxy dies, the address moves to another node. Every node starts as BACKUP with nopreempt: a node that comes back does not take the address back, so there is no second interruption. The VRRP password is generated. Without a vip in pgha.yaml the stage only stops a keepalived pgha set up earlier.'),
	scope: 'each-node',
	async check(ctx) {
		const state = await serviceState(ctx);
		if (!carriesVip(ctx.cluster, ctx.node)) return !(state.ours && (state.active || state.enabled));
		return state.active && state.enabled && await configMatches(ctx);
	},
	plan: configPlan,
	async apply(ctx) {
		if (!carriesVip(ctx.cluster, ctx.node)) {
			await runActions(ctx, [runAction(disableCommand)]);
			return;
		}

		await ensureInterface(ctx);
		const state = await serviceState(ctx);
		if (!(await configMatches(ctx))) {
			const [backup, folder, script, candidate, , install] = configPlan(ctx);
			await runActions(ctx, [backup!, folder!, script!, candidate!]);
			const checked = await probe(ctx, `keepalived -t -f ${keepalivedCandidatePath}`, {sudo: true});
			if (checked.code !== 0) {
				const output = `${checked.stdout}\n${checked.stderr}`.trim().split('\n').slice(-3).join(' ');
				throw nodeError(ctx.node.name,
					text(`keepalived -t отклонил новую конфигурацию: ${output}`, `keepalived -t rejected the new configuration: ${output}`),
					text('Старый keepalived.conf не тронут. Проверьте haproxy.vip в pgha.yaml.', 'The old keepalived.conf is untouched. Check haproxy.vip in pgha.yaml.'));
			}

			await runActions(ctx, [install!, runAction('systemctl enable keepalived')]);
			// A reload keeps the address where it is; only a stopped service needs a start.
			await runActions(ctx, [runAction(state.active ? 'systemctl reload keepalived' : 'systemctl restart keepalived')]);
			return;
		}

		if (!state.enabled) await runActions(ctx, [runAction('systemctl enable keepalived')]);
		if (!state.active) await runActions(ctx, [runAction('systemctl start keepalived')]);
	},
	async verify(ctx) {
		const state = await serviceState(ctx);
		if (!carriesVip(ctx.cluster, ctx.node)) {
			if (state.ours && state.active) throw nodeError(ctx.node.name, text('keepalived от pgha всё ещё работает.', 'pgha\'s keepalived still runs.'));
			return;
		}

		if (!state.active || !state.enabled || !(await configMatches(ctx))) {
			const journal = await journalTail(ctx, 'keepalived', 10);
			throw nodeError(ctx.node.name,
				text('keepalived не запущен с конфигурацией pgha.', 'keepalived is not running with pgha\'s configuration.'),
				text(`Журнал (journalctl -u keepalived): ${journal}`, `Journal (journalctl -u keepalived): ${journal}`));
		}
	},
};

/** Which HAProxy nodes hold the address right now (read on every node; a silent node counts as not). */
export async function vipHolders(ctx: Pick<StepContext, 'cluster' | 'remotes' | 'signal'>, address: string): Promise<string[]> {
	const answers = await Promise.all(ctx.cluster.nodes.map(async node => {
		const remote = ctx.remotes.get(node.name);
		if (!remote) return undefined;
		const result = await remote.exec(holdsAddressCommand(address), {allowFailure: true, signal: ctx.signal, timeoutMs: 15_000}).catch(() => undefined);
		return result?.stdout.includes('holds=') ? node.name : undefined;
	}));
	return answers.filter((name): name is string => name !== undefined);
}

const holderStep: Step = {
	id: 'keepalived.vip',
	title: text('Плавающий адрес у одного узла', 'The floating address on one node'),
	explain: text(
		'Ждёт (до 30 с), пока плавающий адрес окажется ровно на одном узле (ip -o addr на каждом), затем подключается psql через адрес: порт записи должен привести к лидеру, порт чтения — к реплике.',
		'Waits (up to 30 s) until the floating address is on exactly one node (ip -o addr on each), then connects with psql through the address: the write port must reach the leader, the read port a replica.'),
	scope: 'one-node',
	targets: cluster => [haproxyNodes(cluster)[0]!.name],
	async check(ctx) {
		if (!hasVip(ctx.cluster)) return true;
		return (await vipHolders(ctx, ctx.cluster.haproxy.vip)).length === 1 && await routesThroughVip(ctx);
	},
	plan: () => [],
	async apply() {
		// Nothing to change: verify waits for the election.
	},
	async verify(ctx) {
		if (!hasVip(ctx.cluster)) return;
		const vip = ctx.cluster.haproxy.vip;
		let holders: string[] = [];
		const one = await waitFor(async () => {
			holders = await vipHolders(ctx, vip);
			return holders.length === 1 ? true : undefined;
		}, {attempts: 30, intervalMs: 1000, signal: ctx.signal});
		if (!one) {
			throw nodeError(ctx.node.name,
				text(`адрес ${vip} держат ${holders.length === 0 ? 'ни один узел' : holders.join(', ')} (должен ровно один).`,
					`the address ${vip} is held by ${holders.length === 0 ? 'no node' : holders.join(', ')} (exactly one expected).`),
				holders.length === 0
					? text('Посмотрите journalctl -u keepalived: узлы должны видеть друг друга по VRRP (протокол 112) и HAProxy должен работать.', 'See journalctl -u keepalived: the nodes must see each other over VRRP (IP protocol 112) and HAProxy must run.')
					: text('Два владельца значат, что узлы не слышат друг друга по VRRP: проверьте сеть и межсетевой экран (протокол 112).', 'Two holders mean the nodes do not hear each other over VRRP: check the network and the firewall (IP protocol 112).'));
		}

		ctx.log(`${vip} is on ${holders[0]}`);
		const routed = await waitFor(async () => (await routesThroughVip(ctx)) ? true : undefined, {attempts: 15, intervalMs: 1000, signal: ctx.signal});
		if (!routed) {
			throw nodeError(ctx.node.name,
				text(`подключение через ${vip} попало не туда (или не прошло).`, `a connection through ${vip} landed on the wrong server (or failed).`),
				text(`Проверьте HAProxy на ${holders[0]}: pgha status.`, `Check HAProxy on ${holders[0]}: pgha status.`));
		}
	},
};

async function routesThroughVip(ctx: StepContext): Promise<boolean> {
	const vip = ctx.cluster.haproxy.vip!;
	const ask = async (port: number): Promise<string | undefined> => {
		const result = await probe(ctx, recoveryQueryCommand(port, vip), {stdin: `${ctx.secrets.superuserPassword}\n`, timeoutMs: 20_000});
		return result.code === 0 ? result.stdout.trim() : undefined;
	};

	return await ask(ctx.cluster.ports.haproxyWrite) === 'f' && await ask(ctx.cluster.ports.haproxyRead) === 't';
}

/**
 * For the VM checks: the VIP must be free, or held by one of this cluster's nodes under pgha's
 * keepalived (a re-run). Another machine answering on it would fight over the address.
 */
export const vipFreeStep: Step = {
	id: 'vm-checks.vip',
	retry: {tries: 0},
	title: text('Проверка ВМ: плавающий адрес свободен', 'VM check: the floating address is free'),
	explain: text(
		'Плавающий адрес (haproxy.vip) не должен принадлежать никакой другой машине: pgha смотрит, не держит ли его уже один из узлов (тогда это прошлый запуск pgha), и пингует его с узла.',
		'The floating address (haproxy.vip) must belong to no other machine: pgha looks whether one of the nodes already holds it (then it is an earlier pgha run) and pings it from a node.'),
	scope: 'one-node',
	targets: cluster => [haproxyNodes(cluster)[0]!.name],
	async check(ctx) {
		return (await vipProblem(ctx)) === undefined;
	},
	plan: ctx => hasVip(ctx.cluster) ? [runAction(`ping -c 2 -W 1 ${ctx.cluster.haproxy.vip}`)] : [],
	async apply(ctx) {
		const problem = await vipProblem(ctx);
		if (problem) throw problem;
	},
	async verify(ctx) {
		const problem = await vipProblem(ctx);
		if (problem) throw problem;
	},
};

async function vipProblem(ctx: StepContext): Promise<Error | undefined> {
	if (!hasVip(ctx.cluster)) return undefined;
	const vip = ctx.cluster.haproxy.vip;
	const holders = await vipHolders(ctx, vip);
	if (holders.length > 0) {
		const foreign: string[] = [];
		for (const name of holders) {
			const remote = ctx.remotes.get(name)!;
			const ours = await remote.exec(sh(`head -n 1 ${keepalivedConfigPath} 2>/dev/null | grep -c '^${keepalivedMarker}'; true`), {sudo: true, allowFailure: true, signal: ctx.signal, timeoutMs: 15_000}).catch(() => undefined);
			if (ours?.stdout.trim() !== '1' || !haproxyNodes(ctx.cluster).some(node => node.name === name)) foreign.push(name);
		}

		if (foreign.length === 0) {
			ctx.log(`${vip} is held by ${holders.join(', ')} under pgha's keepalived (an earlier run)`);
			return undefined;
		}

		return nodeError(foreign.join(', '),
			text(`адрес ${vip} (haproxy.vip) уже назначен на этом узле, и не keepalived от pgha.`, `the address ${vip} (haproxy.vip) is already assigned on this node, and not by pgha's keepalived.`),
			text('Уберите его (sudo ip addr del ...) или выберите в pgha.yaml другой свободный адрес.', 'Remove it (sudo ip addr del ...) or choose another free address in pgha.yaml.'));
	}

	// As root: an unprivileged ping needs ping_group_range or a capability, which not every system
	// gives (a Debian 13 container does not), and a ping that cannot send proves nothing.
	const ping = await probe(ctx, `ping -c 2 -W 1 ${shq(vip)}`, {sudo: true, timeoutMs: 15_000});
	if (ping.code === 0) {
		return nodeError(ctx.node.name,
			text(`на адрес ${vip} (haproxy.vip) уже отвечает другая машина.`, `another machine already answers on ${vip} (haproxy.vip).`),
			text('Выберите в pgha.yaml свободный адрес той же подсети (вне диапазона DHCP роутера).', 'Choose a free address of the same subnet in pgha.yaml (outside the router\'s DHCP range).'));
	}

	if (ping.code === 127) ctx.log(`ping is not installed on ${ctx.node.name}: ${vip} was only checked on the nodes themselves`);
	else if (ping.code !== 1) ctx.log(`ping could not check ${vip} from ${ctx.node.name} (exit ${ping.code}): ${ping.stderr.trim()}`);
	return undefined;
}

async function frontDoorState(remote: Remote, vip: string): Promise<{keepalived: string; holdsVip: boolean}> {
	const result = await remote.exec(sh(`echo "keepalived=$(systemctl is-active keepalived 2>/dev/null)"; ${holdsAddressCommand(vip)}`), {allowFailure: true, timeoutMs: 15_000}).catch(() => undefined);
	const keepalived = /keepalived=(\S+)/.exec(result?.stdout ?? '')?.[1] ?? 'unknown';
	return {keepalived, holdsVip: result?.stdout.includes('holds=') ?? false};
}

/** For `pgha status` and the summary: keepalived on each HAProxy node, and exactly one holding the VIP. */
export const keepalivedHealth: HealthProbe = async ({cluster, remotes}, health) => {
	const vip = cluster.haproxy.vip;
	if (!vip) return;
	const entries = [];
	for (const entry of health.entries) {
		const remote = remotes.get(entry.node);
		entries.push(remote ? {...entry, ...await frontDoorState(remote, vip)} : entry);
	}

	health.entries = entries;
	const holders = health.entries.filter(entry => entry.holdsVip).map(entry => entry.node);
	if (holders.length !== 1) health.problems.push(`the floating address ${vip} is held by ${holders.length === 0 ? 'no node' : holders.join(', ')} instead of exactly one`);
	for (const entry of health.entries) {
		if (entry.keepalived !== 'active') health.problems.push(`keepalived on ${entry.node} is ${entry.keepalived ?? 'unknown'}`);
	}
};

export const keepalivedStage: Stage = {
	id: 'keepalived',
	title: text('Плавающий адрес (keepalived)', 'Floating address (keepalived)'),
	explain: text(
		'В методичке HAProxy один, и его ВМ — единственная дверь в кластер: выключите её, и приложения теряют базу, хотя Patroni успешно переключился. С haproxy: {nodes: all, vip: ...} HAProxy работает на каждом узле, а keepalived держит плавающий адрес на одном из них и переносит его за пару секунд, когда узел или его HAProxy падает.',
		'In the guide there is one HAProxy, and its VM is the only door into the cluster: power it off and applications lose the database even though Patroni failed over fine. With haproxy: {nodes: all, vip: ...} HAProxy runs on every node and keepalived keeps a floating address on one of them, moving it within a couple of seconds when that node or its HAProxy fails.'),
	differsFromGuide: text(
		'В методичке этого этапа нет: один HAProxy остаётся единой точкой отказа. pgha добавляет keepalived (как autobase и pigsty) и проверяет перенос адреса отказами.',
		'The guide has no such stage: its one HAProxy stays a single point of failure. pgha adds keepalived (as autobase and pigsty do) and proves the address moves by faults.'),
	steps: [configStep, holderStep],
	needs: {
		packages: (cluster, node) => carriesVip(cluster, node) ? ['keepalived'] : [],
		allPackages: () => ['keepalived'],
		section: {
			keys: ['haproxy.nodes', 'haproxy.vip'],
			doc: text(
				'haproxy.nodes: all (или список узлов) — HAProxy на этих узлах; haproxy.vip — свободный адрес в подсети узлов, который держит keepalived.',
				'haproxy.nodes: all (or a list of nodes) runs HAProxy on those nodes; haproxy.vip is a free address in the nodes\' subnet that keepalived holds.'),
		},
		secrets: ['vrrpPassword'],
		active: hasVip,
		health: keepalivedHealth,
	},
};
