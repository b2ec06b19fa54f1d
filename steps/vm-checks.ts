/**
 * Stage 1, VM checks (read-only): what the guide checks by eye in VirtualBox, checked over SSH on
 * every node, plus the traps of cloned VMs (same hostname, same machine-id) and busy ports.
 */
import type {ClusterConfig, NodeConfig} from '../source/core/cluster.ts';
import type {Lang} from '../source/core/text.ts';
import {StepError, type PortClaim, type Stage, type Step, type StepContext, type Text} from './types.ts';
import {nodeError, probe, sh, text, warn} from './commands.ts';
import {factKeys} from './facts.ts';
import {firstNode} from './render.ts';
import {claimedPorts, type StageListing} from './needs.ts';
import {vipFreeStep} from './keepalived.ts';
import {foreignHolder, holdersProbe, parseHolders, type HeldPort, type PortHolder} from './port-holders.ts';

export interface Listener {
	readonly address: string;
	readonly port: number;
	/** Process names from `ss -p` (empty when ss could not tell). */
	readonly processes: readonly string[];
	readonly pids: readonly number[];
}

export interface NodeInspection {
	readonly osId: string;
	readonly osVersion: string;
	readonly osName: string;
	readonly arch: string;
	readonly memMiB: number;
	readonly cpus: number;
	readonly diskAvailMiB: number;
	readonly diskMount: string;
	readonly ipv4: readonly string[];
	readonly hostname: string;
	readonly machineId: string;
	readonly uid: number;
	readonly listeners: readonly Listener[];
	/** The listening processes by PID: owner, how they were started, command line. */
	readonly holders: ReadonlyMap<number, PortHolder>;
}

export interface Finding {
	readonly level: 'fail' | 'warn' | 'note';
	readonly message: Text;
	/** What to do (for failures and warnings). */
	readonly fix?: Text;
}

/** One command (run as root, which also proves sudo works) printing everything the checks need. */
export const inspectionCommand = sh([
	'LC_ALL=C; export LC_ALL',
	'echo "@@ os-release"; cat /etc/os-release 2>/dev/null',
	'echo "@@ arch"; dpkg --print-architecture 2>/dev/null || uname -m',
	'echo "@@ meminfo"; grep MemTotal /proc/meminfo',
	'echo "@@ nproc"; nproc',
	'echo "@@ df"; df -Pm /var/lib',
	'echo "@@ addr"; ip -o -4 addr show 2>/dev/null',
	'echo "@@ hostname"; hostname',
	'echo "@@ machine-id"; cat /etc/machine-id 2>/dev/null',
	'echo "@@ uid"; id -u',
	'echo "@@ ss"; ss -ltnpH 2>/dev/null',
	holdersProbe,
	'echo "@@ end"',
].join('\n'));

function sections(stdout: string): Map<string, string[]> {
	const result = new Map<string, string[]>();
	let current: string[] | undefined;
	for (const line of stdout.split('\n')) {
		const header = /^@@ (\S+)$/.exec(line.trim());
		if (header) {
			current = [];
			result.set(header[1]!, current);
		} else if (current && line.trim() !== '') {
			current.push(line);
		}
	}

	return result;
}

function osReleaseValue(lines: readonly string[], key: string): string {
	for (const line of lines) {
		const match = new RegExp(`^${key}=(.*)$`).exec(line.trim());
		if (match) return match[1]!.replace(/^["']|["']$/g, '');
	}

	return '';
}

/** `ss -ltnpH` lines: state, queues, local address:port, peer, then users:(("name",pid=..,fd=..),...). */
export function parseListeners(lines: readonly string[]): Listener[] {
	const listeners: Listener[] = [];
	for (const line of lines) {
		const fields = line.trim().split(/\s+/);
		const local = fields[3];
		if (!local) continue;
		const colon = local.lastIndexOf(':');
		const port = Number(local.slice(colon + 1));
		if (colon < 0 || !Number.isInteger(port)) continue;
		const processes = [...line.matchAll(/\("([^"]+)",pid=/g)].map(match => match[1]!);
		const pids = [...line.matchAll(/pid=(\d+)/g)].map(match => Number(match[1]));
		listeners.push({address: local.slice(0, colon), port, processes: [...new Set(processes)], pids: [...new Set(pids)]});
	}

	return listeners;
}

export function parseInspection(stdout: string): NodeInspection {
	const parts = sections(stdout);
	const first = (name: string): string => parts.get(name)?.[0]?.trim() ?? '';
	const osRelease = parts.get('os-release') ?? [];
	const memKb = Number(/MemTotal:\s+(\d+)/.exec(first('meminfo'))?.[1] ?? 0);
	const df = (parts.get('df') ?? [])[1]?.trim().split(/\s+/) ?? [];
	const ipv4 = (parts.get('addr') ?? [])
		.map(line => /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(line)?.[1])
		.filter((ip): ip is string => ip !== undefined);
	return {
		osId: osReleaseValue(osRelease, 'ID'),
		osVersion: osReleaseValue(osRelease, 'VERSION_ID'),
		osName: osReleaseValue(osRelease, 'PRETTY_NAME'),
		arch: first('arch'),
		memMiB: Math.floor(memKb / 1024),
		cpus: Number(first('nproc')) || 0,
		diskAvailMiB: Number(df[3] ?? 0),
		diskMount: df[5] ?? '',
		ipv4,
		hostname: first('hostname'),
		machineId: first('machine-id'),
		uid: first('uid') === '' ? -1 : Number(first('uid')),
		listeners: parseListeners(parts.get('ss') ?? []),
		holders: parseHolders(parts.get('holders') ?? []),
	};
}

/** A 2 GB VirtualBox VM reports about 1.9 GiB of MemTotal: it must pass. */
export const memory = {failBelowMiB: 900, warnBelowMiB: 1800} as const;

function versionAtLeast(version: string, minimum: number): boolean {
	const value = Number.parseFloat(version);
	return Number.isFinite(value) && value >= minimum;
}

/** `ports`: what the stages claim on this node; each must be free or held by the service pgha installs there. */
export function evaluateNode(inspection: NodeInspection, cluster: ClusterConfig, node: NodeConfig, ports: readonly PortClaim[]): Finding[] {
	const findings: Finding[] = [];
	const os = inspection.osName || `${inspection.osId} ${inspection.osVersion}`;
	if (inspection.osId === 'ubuntu' && inspection.osVersion === '24.04') {
		// The course's target.
	} else if ((inspection.osId === 'ubuntu' && versionAtLeast(inspection.osVersion, 22.04))
		|| (inspection.osId === 'debian' && versionAtLeast(inspection.osVersion, 12))) {
		findings.push({level: 'note', message: text(
			`${os}: курс рассчитан на Ubuntu 24.04, но эта система тоже подходит (пакеты те же, версии могут отличаться).`,
			`${os}: the course targets Ubuntu 24.04; this system works too (same packages, versions may differ).`)});
	} else {
		findings.push({level: 'fail',
			message: text(`неподдерживаемая ОС: ${os || 'неизвестно'}.`, `unsupported OS: ${os || 'unknown'}.`),
			fix: text('Установите Ubuntu 24.04 (или Debian 12/13, Ubuntu 22.04).', 'Install Ubuntu 24.04 (or Debian 12/13, Ubuntu 22.04).')});
	}

	if (inspection.arch !== 'amd64' && inspection.arch !== 'arm64') {
		findings.push({level: 'fail',
			message: text(`архитектура ${inspection.arch || 'неизвестна'} не поддерживается.`, `architecture ${inspection.arch || 'unknown'} is not supported.`),
			fix: text('Нужна 64-битная ВМ (amd64).', 'Use a 64-bit VM (amd64).')});
	}

	if (inspection.memMiB < memory.failBelowMiB) {
		findings.push({level: 'fail',
			message: text(`памяти ${inspection.memMiB} МиБ, этого мало для PostgreSQL, Patroni и etcd.`, `only ${inspection.memMiB} MiB of memory, too little for PostgreSQL, Patroni and etcd.`),
			fix: text('Выключите ВМ и задайте 2 ГБ RAM в настройках VirtualBox (Система).', 'Power the VM off and give it 2 GB of RAM in VirtualBox (System).')});
	} else if (inspection.memMiB < memory.warnBelowMiB) {
		findings.push({level: 'warn',
			message: text(`памяти ${inspection.memMiB} МиБ, курс рассчитан на 2 ГБ.`, `${inspection.memMiB} MiB of memory; the course plans 2 GB.`),
			fix: text('Лучше задать 2 ГБ RAM в VirtualBox.', 'Better give the VM 2 GB of RAM in VirtualBox.')});
	}

	if (inspection.cpus < 2) {
		findings.push({level: 'fail',
			message: text(`процессоров: ${inspection.cpus}, нужно не меньше 2.`, `${inspection.cpus} CPU(s); at least 2 are needed.`),
			fix: text('Выключите ВМ и задайте 2 процессора в VirtualBox (Система → Процессор).', 'Power the VM off and give it 2 CPUs in VirtualBox (System → Processor).')});
	}

	const where = inspection.diskMount || '/var/lib';
	if (inspection.diskAvailMiB < cluster.disk.failBelowMb) {
		findings.push({level: 'fail',
			message: text(`на ${where} свободно ${inspection.diskAvailMiB} МБ, нужно не меньше ${cluster.disk.failBelowMb} МБ.`,
				`${where} has ${inspection.diskAvailMiB} MB free; at least ${cluster.disk.failBelowMb} MB are needed.`),
			fix: text('Освободите место (sudo apt-get clean) или увеличьте диск ВМ.', 'Free some space (sudo apt-get clean) or grow the VM disk.')});
	} else if (inspection.diskAvailMiB < cluster.disk.warnBelowMb) {
		findings.push({level: 'warn',
			message: text(`на ${where} свободно только ${inspection.diskAvailMiB} МБ.`, `${where} has only ${inspection.diskAvailMiB} MB free.`),
			fix: text(`Для спокойной работы нужно от ${cluster.disk.warnBelowMb} МБ: sudo apt-get clean или диск побольше.`,
				`${cluster.disk.warnBelowMb} MB or more is comfortable: sudo apt-get clean or a bigger disk.`)});
	}

	if (!inspection.ipv4.includes(node.ip)) {
		const has = inspection.ipv4.filter(ip => !ip.startsWith('127.')).join(', ') || '—';
		findings.push({level: 'fail',
			message: text(`адреса ${node.ip} нет ни на одном интерфейсе (есть: ${has}).`, `address ${node.ip} is not on any interface (found: ${has}).`),
			fix: text('Исправьте ip этого узла в pgha.yaml по выводу `ip addr` на ВМ (сетевой мост в VirtualBox).',
				'Fix this node\'s ip in pgha.yaml from `ip addr` on the VM (bridged adapter in VirtualBox).')});
	}

	if (inspection.uid !== 0) {
		findings.push({level: 'fail',
			message: text('команда через sudo выполнилась не от root.', 'a command run through sudo did not run as root.'),
			fix: text('Проверьте, что пользователь входа в группе sudo: sudo usermod -aG sudo <пользователь>.', 'Make sure the login user is in the sudo group: sudo usermod -aG sudo <user>.')});
	}

	findings.push(...portFindings(inspection, ports));
	return findings;
}

export interface ClusterSample {
	readonly node: string;
	readonly hostname: string;
	readonly machineId: string;
	/** Node clock minus the host clock at the middle of the SSH round trip, in ms. */
	readonly offsetMs: number;
	/** Half the round trip: the offset is known only this precisely. */
	readonly uncertaintyMs: number;
}

export const maxClockSkewMs = 2000;

function duplicates(samples: readonly ClusterSample[], key: (sample: ClusterSample) => string): string[][] {
	const groups = new Map<string, string[]>();
	for (const sample of samples) {
		const value = key(sample);
		if (value === '') continue;
		groups.set(value, [...groups.get(value) ?? [], sample.node]);
	}

	return [...groups.values()].filter(group => group.length > 1);
}

export function evaluateCluster(samples: readonly ClusterSample[]): Finding[] {
	const findings: Finding[] = [];
	for (const group of duplicates(samples, sample => sample.machineId)) {
		findings.push({level: 'fail',
			message: text(`у узлов ${group.join(', ')} одинаковый /etc/machine-id (ВМ склонированы).`, `nodes ${group.join(', ')} share one /etc/machine-id (cloned VMs).`),
			fix: text('На каждом клоне: sudo rm /etc/machine-id && sudo systemd-machine-id-setup && sudo reboot.',
				'On each clone: sudo rm /etc/machine-id && sudo systemd-machine-id-setup && sudo reboot.')});
	}

	for (const group of duplicates(samples, sample => sample.hostname)) {
		findings.push({level: 'fail',
			message: text(`у узлов ${group.join(', ')} одинаковое имя хоста.`, `nodes ${group.join(', ')} share one hostname.`),
			fix: text('Дайте каждому своё имя: sudo hostnamectl set-hostname <имя узла из pgha.yaml>.', 'Give each its own: sudo hostnamectl set-hostname <node name from pgha.yaml>.')});
	}

	let worst: {a: ClusterSample; b: ClusterSample; skew: number} | undefined;
	for (const a of samples) {
		for (const b of samples) {
			const skew = Math.abs(a.offsetMs - b.offsetMs) - a.uncertaintyMs - b.uncertaintyMs;
			if (!worst || skew > worst.skew) worst = {a, b, skew};
		}
	}

	if (worst && worst.skew > maxClockSkewMs) {
		const seconds = (Math.abs(worst.a.offsetMs - worst.b.offsetMs) / 1000).toFixed(1);
		findings.push({level: 'fail',
			message: text(`часы ${worst.a.node} и ${worst.b.node} расходятся на ${seconds} с (допустимо 2 с).`, `the clocks of ${worst.a.node} and ${worst.b.node} differ by ${seconds} s (2 s allowed).`),
			fix: text('Включите синхронизацию времени на всех узлах: sudo timedatectl set-ntp true.', 'Turn on time sync on every node: sudo timedatectl set-ntp true.')});
	}

	return findings;
}

/**
 * Each process on a port a stage needs that is not the service pgha installs there, named with how
 * to stop it: one finding per process, however many of the ports it holds.
 */
function portFindings(inspection: NodeInspection, claims: readonly PortClaim[]): Finding[] {
	// In the order the ports are first seen, so the findings read in the stages' order.
	const entries: Array<{holder: PortHolder; held: HeldPort[]} | Finding> = [];
	const byPid = new Map<number, {holder: PortHolder; held: HeldPort[]}>();
	for (const required of claims) {
		for (const listener of inspection.listeners.filter(candidate => candidate.port === required.port)) {
			const allowedName = listener.processes.length > 0 && listener.processes.every(name => required.owners.includes(name));
			const holders = listener.pids.map(pid => inspection.holders.get(pid)).filter(holder => holder !== undefined);
			for (const holder of holders) {
				let entry = byPid.get(holder.pid);
				if (!entry) {
					entry = {holder, held: []};
					byPid.set(holder.pid, entry);
					entries.push(entry);
				}

				entry.held.push({claim: required, allowedName});
			}

			if (!allowedName && holders.length === 0) {
				// ss could not name the process (or it ended between the two looks): the port is still busy.
				const names = listener.processes.join(', ') || '?';
				entries.push({level: 'fail',
					message: text(`порт ${required.port} (нужен для ${required.role}) занят процессом ${names}.`,
						`port ${required.port} (needed by ${required.role}) is held by ${names}.`),
					fix: text(`Остановите его (sudo ss -ltnp 'sport = :${required.port}' покажет PID) и запустите pgha снова.`,
						`Stop it (sudo ss -ltnp 'sport = :${required.port}' shows its PID) and run pgha again.`)});
			}
		}
	}

	return entries.flatMap((entry): Finding[] => {
		if ('level' in entry) return [entry];
		const foreign = foreignHolder(entry.held, entry.holder);
		return foreign ? [{level: 'fail', ...foreign}] : [];
	});
}

function report(ctx: StepContext, findings: readonly Finding[]): boolean {
	for (const finding of findings) {
		if (finding.level === 'warn') warn(ctx, finding.fix ? text(`${finding.message.ru} ${finding.fix.ru}`, `${finding.message.en} ${finding.fix.en}`) : finding.message);
		if (finding.level === 'note') ctx.log(`note: ${ctx.node.name}: ${finding.message.en}`);
	}

	return findings.every(finding => finding.level !== 'fail');
}

function failure(node: string, findings: readonly Finding[]): StepError | undefined {
	const fails = findings.filter(finding => finding.level === 'fail');
	if (fails.length === 0) return undefined;
	const join = (lang: Lang): string => fails.map(finding => `${finding.message[lang]} ${finding.fix?.[lang] ?? ''}`.trim()).join('\n');
	return nodeError(node, text(join('ru'), join('en')));
}

async function inspectNode(ctx: StepContext, stages: readonly Stage[]): Promise<Finding[]> {
	const result = await probe(ctx, inspectionCommand, {sudo: true});
	if (result.code !== 0 && !result.stdout.includes('@@ end')) {
		throw nodeError(ctx.node.name,
			text(`проверка не выполнилась: ${result.stderr.trim() || `код ${result.code}`}.`, `the inspection failed: ${result.stderr.trim() || `exit code ${result.code}`}.`),
			text('Проверьте вход по SSH и sudo для этого узла.', 'Check SSH login and sudo on this node.'));
	}

	const inspection = parseInspection(result.stdout);
	ctx.facts.set(factKeys.osId, inspection.osId);
	ctx.facts.set(factKeys.osVersion, inspection.osVersion);
	if (inspection.arch) ctx.facts.set(factKeys.arch, inspection.arch);
	return evaluateNode(inspection, ctx.cluster, ctx.node, claimedPorts(stages, ctx.cluster, ctx.node));
}

function nodeStep(stages: StageListing): Step {
	return {
		id: 'vm-checks.node',
		// What it finds (a busy port, a cloned machine-id) does not go away in seconds: no automatic retry.
		retry: {tries: 0},
		title: text('Проверка ВМ: ОС, память, процессоры, диск, IP, sudo, порты', 'VM check: OS, memory, CPUs, disk, IP, sudo, ports'),
		explain: text(
			'pgha заходит на узел по SSH и проверяет то, что в методичке видно только в окне VirtualBox: версию ОС, 2 ГБ памяти, 2 процессора, свободное место, что IP из pgha.yaml есть на сетевом интерфейсе, что sudo работает и что порты 2379, 2380, 5432, 8008 (и порты HAProxy) свободны. Ничего не меняется.',
			'pgha logs in over SSH and checks what the guide only shows in the VirtualBox window: the OS version, 2 GB of memory, 2 CPUs, free disk space, that the IP from pgha.yaml is on a network interface, that sudo works and that ports 2379, 2380, 5432, 8008 (and HAProxy\'s) are free. Nothing is changed.'),
		scope: 'each-node',
		async check(ctx) {
			return report(ctx, await inspectNode(ctx, stages()));
		},
		plan: () => [],
		async apply(ctx) {
			const error = failure(ctx.node.name, await inspectNode(ctx, stages()));
			if (error) throw error;
		},
		async verify(ctx) {
			const error = failure(ctx.node.name, await inspectNode(ctx, stages()));
			if (error) throw error;
		},
	};
}

async function sampleNodes(ctx: StepContext): Promise<ClusterSample[]> {
	return Promise.all(ctx.cluster.nodes.map(async node => {
		const remote = ctx.remotes.get(node.name);
		if (!remote) {
			throw nodeError(node.name, text('нет SSH-подключения к узлу.', 'no SSH connection to this node.'),
				text('Проверьте, что ВМ запущена и доступна по сети.', 'Check that the VM is running and reachable.'));
		}

		const before = Date.now();
		const result = await remote.exec(sh('hostname; cat /etc/machine-id 2>/dev/null || echo; date +%s%3N'), {allowFailure: true, signal: ctx.signal, timeoutMs: 30_000});
		const after = Date.now();
		const [hostname = '', machineId = '', clock = ''] = result.stdout.split('\n').map(line => line.trim());
		return {
			node: node.name,
			hostname,
			machineId,
			offsetMs: Number(clock) - (before + after) / 2,
			uncertaintyMs: (after - before) / 2,
		};
	}));
}

const clusterStep: Step = {
	id: 'vm-checks.cluster',
	// What it finds (a busy port, a cloned machine-id) does not go away in seconds: no automatic retry.
	retry: {tries: 0},
	title: text('Проверка ВМ: уникальные имена и machine-id, часы', 'VM check: unique names and machine-ids, clocks'),
	explain: text(
		'Склонированные ВМ получают одинаковые имя хоста и /etc/machine-id: тогда DHCP может выдать им один адрес, а журналы и etcd путаются. Часы узлов должны расходиться не больше чем на 2 с, иначе таймауты Patroni и etcd считаются неверно.',
		'Cloned VMs share one hostname and /etc/machine-id: DHCP may then hand them one address, and logs and etcd get confused. Node clocks must agree within 2 s, or Patroni\'s and etcd\'s timeouts are measured wrongly.'),
	scope: 'one-node',
	targets: cluster => [firstNode(cluster).name],
	async check(ctx) {
		return report(ctx, evaluateCluster(await sampleNodes(ctx)));
	},
	plan: () => [],
	async apply(ctx) {
		const error = failure('cluster', evaluateCluster(await sampleNodes(ctx)));
		if (error) throw error;
	},
	async verify(ctx) {
		const error = failure('cluster', evaluateCluster(await sampleNodes(ctx)));
		if (error) throw error;
	},
};

/** The VM checks require free every port a stage of the list claims; the list is asked at run time. */
export function createVmChecksStage(stages: StageListing): Stage {
	return {
		id: 'vm-checks',
		title: text('Проверка виртуальных машин', 'Virtual machine checks'),
		explain: text(
			'Перед установкой pgha убеждается, что три ВМ готовы: ресурсы, сеть, sudo, свободные порты, и что это действительно три разные машины.',
			'Before installing anything pgha makes sure the three VMs are ready: resources, network, sudo, free ports, and that they really are three different machines.'),
		differsFromGuide: text(
			'Методичка проверяет ВМ глазами в VirtualBox и ping; pgha проверяет каждый узел изнутри, включая клоны и занятые порты.',
			'The guide checks the VMs by eye in VirtualBox and with ping; pgha checks each node from inside, clones and busy ports included.'),
		steps: [nodeStep(stages), clusterStep, vipFreeStep],
	};
}
