/**
 * How a test loses the primary, and how it brings the node back afterwards:
 *
 * - graceful: `systemctl stop patroni`; Patroni stops PostgreSQL and hands the leader key back.
 * - kill: SIGKILL to Patroni and every PostgreSQL process of the node at once, then the unit is kept
 *   down (systemd would restart Patroni 5 s later, and Patroni, still holding an unexpired leader
 *   key, would take the primary back in place: no failover at all).
 * - poweroff (lab only): the node's processes are all SIGKILLed at once, like pulling the plug.
 * - cut (lab only): the node's switch port goes down; the primary keeps running, unreachable.
 *
 * Lab faults act on the host (root) through the lab's own functions, never outside the lab.
 */
import {sleep} from '../core/sleep.ts';
import type {NodeConfig} from '../core/cluster.ts';
import type {Text} from '../core/text.ts';
import {randomBytes} from 'node:crypto';
import {fail, markerTable, poll, remoteOf, testDatabase, type TestEnv} from './env.ts';
import type {FaultKind} from './model.ts';
import {insideNode} from './lab-inside.ts';

export const killCommand = 'sh -c \'systemctl kill --signal=SIGKILL patroni; pkill -KILL -u postgres -x postgres; systemctl stop patroni; true\'';
export const stopCommand = 'systemctl stop patroni';
export const startCommand = 'systemctl start patroni';
/** HAProxy dies and stays down (systemd would restart it at once, hiding the fault). */
export const haproxyKillCommand = 'sh -c \'systemctl kill --signal=SIGKILL haproxy; systemctl stop haproxy; true\'';
export const haproxyStartCommand = 'systemctl start haproxy';

export interface InjectResult {
	/** The marker token a client on the cut-off primary's side wrote after the cut (cut only). */
	readonly isolatedToken?: string;
	readonly isolatedAccepted?: boolean;
}

export interface Fault {
	readonly kind: FaultKind;
	readonly title: Text;
	readonly labOnly: boolean;
	/** Whom it hits: the leader, or the node holding the front door (the VIP) while another leads. */
	readonly target: 'leader' | 'entry';
	/** What a student would type (for the runbook), with <leader> for the victim. */
	readonly manual: {readonly inject: string; readonly restore: string};
	inject(env: TestEnv, victim: NodeConfig): Promise<InjectResult | void>;
	/**
	 * Waits (bounded) until the lost primary has stopped being one where only the lab can look
	 * (inside a cut-off node); true when it did. Faults without it need no such wait.
	 */
	settle?(env: TestEnv, victim: NodeConfig, timeoutMs: number): Promise<boolean>;
	/** Brings the node back; returns a note for the report when it had to do more than the obvious. */
	restore(env: TestEnv, victim: NodeConfig): Promise<Text | undefined>;
}

/**
 * Inside the cut-off node: its Patroni reports PostgreSQL running read-only once the demotion it
 * began when etcd became unreachable has finished. While etcd stays unreachable Patroni calls that
 * role `demoted`, not `replica` (it has no leader to follow yet): both mean it has stepped down.
 */
async function demotedInside(env: TestEnv, victim: NodeConfig, timeoutMs: number): Promise<boolean> {
	const url = `http://${victim.ip}:${env.cluster.ports.patroniApi}/patroni`;
	const answer = await poll(async () => {
		const result = await insideNode(env, victim, `curl -s --max-time 2 ${url}`);
		const status = JSON.parse(result.stdout || '{}') as {role?: string; state?: string};
		return steppedDown(status) ? true : undefined;
	}, {timeoutMs, intervalMs: 1000, signal: env.signal});
	return answer ?? false;
}

/** Patroni's own word that PostgreSQL runs and no longer takes writes. */
export function steppedDown(status: {role?: string; state?: string}): boolean {
	return (status.role === 'replica' || status.role === 'demoted') && status.state === 'running';
}

/** "patroni 3.0.2" -> [3, 0, 2] */
export function parsePatroniVersion(output: string): number[] | undefined {
	const match = /(\d+)\.(\d+)\.(\d+)/.exec(output);
	return match ? match.slice(1).map(Number) : undefined;
}

/**
 * Patroni before 3.0.3 writes the leader key without checking who holds it (patroni/patroni#2693),
 * from an etcd cache that went stale while the node was cut off: once reconnected, the old leader
 * takes the role back from the new one, and both end up on diverged timelines.
 */
export function hasStaleLeaderKeyBug(version: readonly number[] | undefined): boolean {
	if (!version) return false;
	const [major = 0, minor = 0, patch = 0] = version;
	return major < 3 || (major === 3 && minor === 0 && patch < 3);
}

/**
 * After the cut, a client on the old primary's side of the network still writes to it. Besides being
 * what happens in a real partition, it makes the old primary's WAL go past the point where the new
 * timeline forks: with nothing written after the cut, the fork point equals the start of its
 * demotion checkpoint, and Patroni (comparing the recovery point, not the record's end) would skip
 * pg_rewind and leave a replica that can never stream from the new timeline.
 */
async function writeOnIsolatedSide(env: TestEnv, victim: NodeConfig): Promise<InjectResult> {
	const token = `isolated-${randomBytes(6).toString('hex')}`;
	// synchronous_commit=local: with synchronous_mode the cut-off replicas would never acknowledge.
	const sql = `SET synchronous_commit = local; INSERT INTO ${markerTable} (token) VALUES ('${token}')`;
	const result = await insideNode(env, victim,
		`PGCONNECT_TIMEOUT=5 timeout 20 runuser -u postgres -- psql -h /var/run/postgresql -p ${env.cluster.ports.postgres} -d ${testDatabase} -XAtq -c "${sql}"`);
	const accepted = result.code === 0;
	env.log(`cut: a client on ${victim.name}'s side wrote ${token} to it: ${accepted ? 'accepted' : `refused (exit ${result.code})`}`);
	return {isolatedToken: token, isolatedAccepted: accepted};
}

async function healCut(env: TestEnv, victim: NodeConfig): Promise<Text | undefined> {
	const version = parsePatroniVersion((await insideNode(env, victim, `${env.patroniBinDir}/patroni --version`)).stdout);
	if (!hasStaleLeaderKeyBug(version)) {
		await labOperation(env, victim, 'heal');
		return undefined;
	}

	const shown = version!.join('.');
	env.log(`cut: Patroni ${shown} has the stale leader key bug (fixed in 3.0.3); restarting it on ${victim.name} around the reconnection`);
	// Patroni cannot reach etcd there and would take its full stop timeout: a replica may simply crash.
	await insideNode(env, victim, killCommand);
	await labOperation(env, victim, 'heal');
	// Its etcd member catches up with the others first; then Patroni starts from fresh data.
	await sleep(3000, env.signal);
	await insideNode(env, victim, 'systemctl start patroni');
	return {
		ru: `Patroni ${shown} на ${victim.name} перезапущен вокруг возвращения сети: до версии 3.0.3 вернувшийся бывший лидер записывает ключ лидера из устаревшего кэша и отбирает роль у нового лидера (подтверждённые им записи теряются; исправлено в 3.0.3, patroni/patroni#2693). Используйте Patroni 3.0.3 или новее (Ubuntu 24.04 и pip ставят новее).`,
		en: `Patroni ${shown} on ${victim.name} was restarted around the reconnection: before 3.0.3 a reconnected old leader writes the leader key from its stale cache and takes the role back from the new leader (whose acknowledged writes are then lost; fixed in 3.0.3, patroni/patroni#2693). Use Patroni 3.0.3 or newer (Ubuntu 24.04 and pip install newer ones).`,
	};
}

export async function onNode(env: TestEnv, victim: NodeConfig, command: string): Promise<undefined> {
	await remoteOf(env, victim.name).exec(command, {sudo: true, signal: env.signal, timeoutMs: 90_000});
	return undefined;
}

/** The lab's fault commands run inside this process; loaded only for a lab cluster. */
async function labOperation(env: TestEnv, victim: NodeConfig, operation: 'poweroff' | 'poweron' | 'cut' | 'heal'): Promise<void> {
	if (!env.cluster.lab) throw fail('этот отказ есть только в лаборатории pgha.', 'this fault exists only in the pgha lab.');
	if (process.getuid?.() !== 0) throw fail('отказы лаборатории требуют root (sudo pgha test).', 'lab faults need root (sudo pgha test).');
	const lab = await import('../lab/lab.ts');
	const {lock, unlock} = await import('../lab/lock.ts');
	const {opLockFile} = await import('../lab/settings.ts');
	const {stopNode} = await import('../lab/node.ts');
	const {setLink} = await import('../lab/network.ts');
	const {readState, layoutOf} = await import('../lab/state.ts');
	const report = {lang: 'en' as const, elapsed: () => 0, line: (text: Text) => env.log(`lab: ${text.en}`)};
	if (operation === 'poweron') return lab.startNodeCommand(victim.name, report);
	if (operation === 'cut' || operation === 'heal') return lab.linkCommand(victim.name, operation === 'heal', report);
	const state = readState();
	if (!state) throw fail('лаборатория не запущена.', 'the lab is not up.');
	const spec = lab.pickNode(layoutOf(state), victim.name);
	// No clean shutdown (that would stop Patroni gracefully): every process dies at the same moment.
	if (!(await lock(opLockFile, 120_000))) throw fail('лабораторию держит другая команда pgha lab.', 'another pgha lab command holds the lab.');
	try {
		env.log(`lab: pulling the plug of ${victim.name}`);
		await stopNode(spec, 0);
		// A VM that is off answers nothing, not even ARP for an address it held.
		await setLink(spec, false);
	} finally {
		unlock(opLockFile);
	}
}

export const faults: Readonly<Record<FaultKind, Fault>> = {
	graceful: {
		kind: 'graceful',
		target: 'leader',
		title: {ru: 'остановка Patroni на лидере', en: 'Patroni stopped on the leader'},
		labOnly: false,
		manual: {inject: `ssh <leader> sudo ${stopCommand}`, restore: `ssh <leader> sudo ${startCommand}`},
		inject: (env, victim) => onNode(env, victim, stopCommand),
		restore: (env, victim) => onNode(env, victim, startCommand),
	},
	kill: {
		kind: 'kill',
		target: 'leader',
		title: {ru: 'kill -9 Patroni и PostgreSQL на лидере', en: 'kill -9 of Patroni and PostgreSQL on the leader'},
		labOnly: false,
		manual: {inject: `ssh <leader> sudo ${killCommand}`, restore: `ssh <leader> sudo ${startCommand}`},
		inject: (env, victim) => onNode(env, victim, killCommand),
		restore: (env, victim) => onNode(env, victim, startCommand),
	},
	poweroff: {
		kind: 'poweroff',
		target: 'leader',
		title: {ru: 'выключение питания лидера', en: 'the leader powered off'},
		labOnly: true,
		manual: {inject: 'sudo pgha lab stop-node <leader>  # VirtualBox: Machine > Stop > Power Off', restore: 'sudo pgha lab start-node <leader>'},
		inject: (env, victim) => labOperation(env, victim, 'poweroff'),
		restore: async (env, victim) => {
			await labOperation(env, victim, 'poweron');
			return undefined;
		},
	},
	cut: {
		kind: 'cut',
		target: 'leader',
		title: {ru: 'лидер отрезан от сети', en: 'the leader cut off the network'},
		labOnly: true,
		manual: {inject: 'sudo pgha lab cut <leader>  # VirtualBox: untick "Cable Connected"', restore: 'sudo pgha lab heal <leader>'},
		inject: async (env, victim) => {
			await labOperation(env, victim, 'cut');
			return writeOnIsolatedSide(env, victim);
		},
		// Patroni 3.0.2 (Debian 12) may write the leader key back if the network returns while it is
		// still demoting (fixed in 3.0.3): the cable stays out until the old primary has stepped down.
		settle: demotedInside,
		restore: healCut,
	},
	'entry-haproxy': {
		kind: 'entry-haproxy',
		target: 'entry',
		title: {ru: 'HAProxy убит на узле с плавающим адресом', en: 'HAProxy killed on the node holding the floating address'},
		labOnly: false,
		manual: {inject: `ssh <vip-holder> sudo ${haproxyKillCommand}`, restore: `ssh <vip-holder> sudo ${haproxyStartCommand}`},
		inject: (env, victim) => onNode(env, victim, haproxyKillCommand),
		restore: (env, victim) => onNode(env, victim, haproxyStartCommand),
	},
	'entry-poweroff': {
		kind: 'entry-poweroff',
		target: 'entry',
		title: {ru: 'выключение узла с плавающим адресом (не лидера)', en: 'the node holding the floating address (not the leader) powered off'},
		labOnly: true,
		manual: {inject: 'sudo pgha lab stop-node <vip-holder>  # VirtualBox: Machine > Stop > Power Off', restore: 'sudo pgha lab start-node <vip-holder>'},
		inject: (env, victim) => labOperation(env, victim, 'poweroff'),
		restore: async (env, victim) => {
			await labOperation(env, victim, 'poweron');
			return undefined;
		},
	},
};
