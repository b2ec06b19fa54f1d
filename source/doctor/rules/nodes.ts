/**
 * Rules about the machines themselves: reachable at all, cloned (hostname, machine-id), clocks,
 * disks, and ports held by something that is not the cluster's service.
 */
import {t} from '../../core/text.ts';
import type {NodeConfig} from '../../core/cluster.ts';
import {finding, type Finding, type FindingDefinition} from '../finding.ts';
import type {ClusterFacts, NodeFacts} from '../facts.ts';
import {reachedNodes, type Reached} from './common.ts';
import {maxClockSkewMs} from '../../../steps/vm-checks.ts';
import {requiredPorts} from '../../../steps/index.ts';
import {foreignHolder, startedBy, type HeldPort, type PortHolder} from '../../../steps/port-holders.ts';
import type {PortClaim} from '../../core/stage.ts';

export const nodeSilent: FindingDefinition = {
	id: 'node-silent', severity: 'error',
	title: t('Узел не отвечает совсем', 'A node does not answer at all'),
	symptom: t('SSH ждёт и обрывается по таймауту; ping тоже молчит.', 'SSH waits and gives up with a timeout; ping is silent too.'),
	remedy: t('Машина выключена, зависла или не в той сети: включите ВМ, проверьте в VirtualBox режим «Сетевой мост» и адрес (ip addr в консоли ВМ).',
		'The machine is off, hung, or on another network: start the VM, check VirtualBox\'s "Bridged" mode and its address (ip addr in the VM\'s console).'),
	runbook: {stage: 'reachability'},
};

export const sshdDown: FindingDefinition = {
	id: 'sshd-down', severity: 'error',
	title: t('Узел жив, но SSH-сервер не работает', 'The node is up but its SSH server is not'),
	symptom: t('Подключение по SSH сразу отвергается (Connection refused), хотя ВМ работает.', 'SSH is refused at once (Connection refused) although the VM runs.'),
	remedy: t('Ответ «отказано» приходит от самой машины: она включена, но на порту 22 никто не слушает. Запустите sshd из консоли ВМ.',
		'A refusal comes from the machine itself: it is on, but nothing listens on port 22. Start sshd from the VM\'s console.'),
	runbook: {stage: 'ssh-server', step: 'ssh-server.service'},
};

export const sshLogin: FindingDefinition = {
	id: 'ssh-login', severity: 'error',
	title: t('Узел отвечает, но не пускает', 'The node answers but does not let pgha in'),
	symptom: t('SSH или sudo отклоняют пароль или ключ.', 'SSH or sudo reject the password or key.'),
	remedy: t('Проверьте пользователя и способ входа в pgha.yaml и пароль (PGHA_SSH_PASSWORD).', 'Check the user and login method in pgha.yaml and the password (PGHA_SSH_PASSWORD).'),
	runbook: {stage: 'user', step: 'user.account'},
};

export const duplicateHostname: FindingDefinition = {
	id: 'duplicate-hostname', severity: 'error',
	title: t('Одинаковое имя хоста у двух узлов', 'Two nodes share a hostname'),
	symptom: t('ВМ склонирована; журналы и приглашение командной строки путают узлы.', 'A cloned VM; logs and the shell prompt mix the nodes up.'),
	remedy: t('Дайте клону имя из pgha.yaml: sudo hostnamectl set-hostname <имя>.', 'Give the clone its name from pgha.yaml: sudo hostnamectl set-hostname <name>.'),
	runbook: {stage: 'vm-checks', step: 'vm-checks.cluster'},
};

export const duplicateMachineId: FindingDefinition = {
	id: 'duplicate-machine-id', severity: 'error',
	title: t('Одинаковый machine-id у двух узлов', 'Two nodes share a machine-id'),
	symptom: t('ВМ склонирована: DHCP может выдать обоим один адрес, systemd путает журналы.', 'A cloned VM: DHCP may give both one address, and systemd mixes up their journals.'),
	remedy: t('На клоне создайте новый machine-id и перезагрузите ВМ.', 'Make a new machine-id on the clone and reboot it.'),
	runbook: {stage: 'vm-checks', step: 'vm-checks.cluster'},
};

export const clockSkew: FindingDefinition = {
	id: 'clock-skew', severity: 'error',
	title: t('Часы узла уходят', 'A node\'s clock is off'),
	symptom: t('Время в журналах узлов не сходится; таймауты Patroni и etcd срабатывают не тогда.', 'The nodes\' logs disagree on the time; Patroni\'s and etcd\'s timeouts fire at the wrong moments.'),
	remedy: t('Включите синхронизацию времени (timedatectl set-ntp true).', 'Turn on time synchronisation (timedatectl set-ntp true).'),
	runbook: {stage: 'vm-checks', step: 'vm-checks.cluster'},
};

export const diskFull: FindingDefinition = {
	id: 'disk-full', severity: 'error',
	title: t('Диск заполнен', 'The disk is full'),
	symptom: t('PostgreSQL останавливается с «No space left on device», etcd отказывает в записи.', 'PostgreSQL stops with "No space left on device", etcd refuses writes.'),
	remedy: t('Освободите место (старые журналы, apt clean) или увеличьте диск ВМ; чаще всего место съедает WAL, который держит неактивный слот репликации.',
		'Free space (old logs, apt clean) or grow the VM\'s disk; most often WAL kept by an inactive replication slot eats it.'),
	runbook: {stage: 'vm-checks', step: 'vm-checks.node'},
};

export const diskNearlyFull: FindingDefinition = {
	id: 'disk-nearly-full', severity: 'warning',
	title: t('Диск почти заполнен', 'The disk is nearly full'),
	symptom: t('Пока всё работает, но место кончается.', 'Everything still works, but space is running out.'),
	remedy: t('Найдите, что растёт (du -xh --max-depth=2 /var/lib | sort -h), и освободите место заранее.', 'Find what grows (du -xh --max-depth=2 /var/lib | sort -h) and free space in time.'),
	runbook: {stage: 'vm-checks', step: 'vm-checks.node'},
};

export const portForeign: FindingDefinition = {
	id: 'port-foreign', severity: 'error',
	title: t('Порт кластера занят чужим процессом', 'A cluster port is held by another process'),
	symptom: t('Служба не стартует с «address already in use», или клиенты попадают не туда.', 'A service will not start ("address already in use"), or clients reach the wrong program.'),
	remedy: t('Остановите процесс, который держит порт (часто это PostgreSQL из пакета или etcd, запущенный вручную), и запустите службу кластера.',
		'Stop the process holding the port (often the packaged PostgreSQL or an etcd started by hand) and start the cluster\'s service.'),
	runbook: {stage: 'vm-checks', step: 'vm-checks.node'},
};

export const nodeDefinitions = [nodeSilent, sshdDown, sshLogin, duplicateHostname, duplicateMachineId, clockSkew, diskFull, diskNearlyFull, portForeign];

export function reachRule(facts: ClusterFacts): Finding[] {
	const reached = reachedNodes(facts);
	return facts.nodes.flatMap(report => {
		if (report.reached) return [];
		const node = facts.cluster.nodes.find(candidate => candidate.name === report.node)!;
		// What the neighbours' Patroni says about it: alive behind a dead sshd, or gone altogether.
		const seen = reached.flatMap(other => other.facts.patroni.cluster?.members ?? [])
			.find(member => member.name === node.name || member.host === node.ip);
		const neighbours = seen ? [`Patroni /cluster: ${seen.name} ${seen.role} ${seen.state}`] : [];
		// The SSH layer's own sentence is advice; the evidence is what happened on the wire.
		const wire = report.how === 'refused' ? `ssh ${node.ip}:${node.sshPort}: connection refused`
			: report.how === 'silent' ? `ssh ${node.ip}:${node.sshPort}: no answer` : `ssh ${node.sshUser}@${node.ip}:${node.sshPort}: ${report.error.en}`;
		const evidence = [wire, ...neighbours];
		if (report.how === 'refused') {
			return [finding(sshdDown, node.name,
				t(`${node.name} отвечает, но SSH-порт ${node.sshPort} закрыт: ВМ работает, не работает sshd.`, `${node.name} answers but refuses SSH on port ${node.sshPort}: the VM runs, sshd does not.`),
				evidence, ['# in the VM\'s console / в консоли ВМ:', 'sudo systemctl enable --now ssh', 'sudo systemctl status ssh --no-pager'])];
		}

		if (report.how === 'silent') {
			return [finding(nodeSilent, node.name,
				t(`${node.name} (${node.ip}) не отвечает совсем: ВМ выключена или нет сети.`, `${node.name} (${node.ip}) does not answer at all: the VM is off or its network is down.`),
				evidence, ['# VirtualBox: start the VM; Adapter 1 = Bridged / запустите ВМ; адаптер 1 = Сетевой мост', `ping -c 3 ${node.ip}`, '# in the VM\'s console / в консоли ВМ: ip -4 addr'])];
		}

		if (report.how === 'other') {
			// A batch that timed out or a connection that broke mid-way: the node is there but could not be examined.
			return [finding(sshLogin, node.name,
				t(`pgha не смог опросить ${node.name}: ${report.error.ru}`, `pgha could not examine ${node.name}: ${report.error.en}`),
				evidence, [`ssh ${node.sshUser}@${node.ip} -p ${node.sshPort} uptime`])];
		}

		return [finding(sshLogin, node.name,
			t(`${node.name} отвечает, но pgha не может войти или получить sudo.`, `${node.name} answers, but pgha cannot log in or use sudo.`),
			evidence, [`ssh ${node.sshUser}@${node.ip} -p ${node.sshPort} sudo true`])];
	});
}

function duplicateGroups(reached: readonly Reached[], key: (facts: NodeFacts) => string): Reached[][] {
	const groups = new Map<string, Reached[]>();
	for (const item of reached) {
		const value = key(item.facts);
		if (value) groups.set(value, [...groups.get(value) ?? [], item]);
	}

	return [...groups.values()].filter(group => group.length > 1);
}

export function identityRule(facts: ClusterFacts): Finding[] {
	const reached = reachedNodes(facts);
	const out: Finding[] = [];
	for (const group of duplicateGroups(reached, item => item.machineId)) {
		// The first node in the cluster file is taken as the original; the later ones are the clones.
		for (const clone of group.slice(1)) {
			const others = group.filter(item => item !== clone).map(item => item.node.name).join(', ');
			out.push(finding(duplicateMachineId, clone.node.name,
				t(`у ${clone.node.name} тот же /etc/machine-id, что у ${others}: ВМ склонирована.`, `${clone.node.name} has the same /etc/machine-id as ${others}: a cloned VM.`),
				[`/etc/machine-id: ${clone.facts.machineId}`],
				['sudo rm /etc/machine-id /var/lib/dbus/machine-id', 'sudo systemd-machine-id-setup', 'sudo reboot']));
		}
	}

	for (const group of duplicateGroups(reached, item => item.hostname)) {
		// The node whose name the hostname is keeps it; the others are wrong.
		const wrong = group.filter(item => item.facts.hostname !== item.node.name);
		const blamed = wrong.length === group.length ? wrong.slice(1) : wrong;
		for (const item of blamed) {
			const others = group.filter(other => other !== item).map(other => other.node.name).join(', ');
			out.push(finding(duplicateHostname, item.node.name,
				t(`имя хоста ${item.node.name} — «${item.facts.hostname}», как у ${others}.`, `${item.node.name}'s hostname is "${item.facts.hostname}", the same as ${others}'s.`),
				[`hostname: ${item.facts.hostname}`],
				[`sudo hostnamectl set-hostname ${item.node.name}`]));
		}
	}

	return [...out, ...clockFindings(reached)];
}

/** Each node against the median of all: the node that is off gets the finding, not its neighbours. */
function clockFindings(reached: readonly Reached[]): Finding[] {
	const clocks = reached.flatMap(item => (item.facts.clock ? [{item, clock: item.facts.clock}] : []));
	if (clocks.length < 2) return [];
	const sorted = clocks.map(entry => entry.clock.offsetMs).sort((a, b) => a - b);
	const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
	return clocks.flatMap(({item, clock}) => {
		const off = clock.offsetMs - median;
		if (Math.abs(off) - clock.uncertaintyMs <= maxClockSkewMs) return [];
		const seconds = (off / 1000).toFixed(1);
		const direction = off > 0 ? t('спешат', 'ahead') : t('отстают', 'behind');
		return [finding(clockSkew, item.node.name,
			t(`часы ${item.node.name} ${direction.ru} на ${Math.abs(off / 1000).toFixed(1)} с от остальных узлов (допустимо ${maxClockSkewMs / 1000} с).`,
				`${item.node.name}'s clock is ${Math.abs(off / 1000).toFixed(1)} s ${direction.en} of the other nodes (${maxClockSkewMs / 1000} s allowed).`),
			[`date: ${seconds} s against the median of the nodes (±${(clock.uncertaintyMs / 1000).toFixed(1)} s)`],
			['sudo timedatectl set-ntp true', 'timedatectl status'])];
	});
}

export function diskRule(facts: ClusterFacts): Finding[] {
	return reachedNodes(facts).flatMap(({node, facts: nodeFacts}) => {
		const {failBelowMb, warnBelowMb} = facts.cluster.disk;
		// One finding per file system, about the path on it with the least room.
		const mounts = new Map<string, typeof nodeFacts.disks[number]>();
		for (const disk of nodeFacts.disks) if (!mounts.has(disk.mount) || disk.availMb < mounts.get(disk.mount)!.availMb) mounts.set(disk.mount, disk);
		return [...mounts.values()].flatMap(disk => {
			const evidence = [`df -Pm ${disk.path}: ${disk.availMb} MB free, ${disk.usePercent}% used on ${disk.mount}`];
			const fix = [`sudo du -xh --max-depth=2 ${disk.mount} 2>/dev/null | sort -h | tail -n 15`, 'sudo apt-get clean', 'sudo journalctl --vacuum-size=100M'];
			if (disk.availMb < failBelowMb || disk.usePercent >= 98) {
				return [finding(diskFull, node.name,
					t(`на ${node.name} диск ${disk.mount} (где ${disk.path}) заполнен: свободно ${disk.availMb} МБ.`, `on ${node.name} the disk ${disk.mount} (holding ${disk.path}) is full: ${disk.availMb} MB free.`),
					evidence, fix)];
			}

			if (disk.availMb < warnBelowMb && disk.usePercent >= 90) {
				return [finding(diskNearlyFull, node.name,
					t(`на ${node.name} диск ${disk.mount} (где ${disk.path}) почти заполнен: свободно ${disk.availMb} МБ.`, `on ${node.name} the disk ${disk.mount} (holding ${disk.path}) is nearly full: ${disk.availMb} MB free.`),
					evidence, fix)];
			}

			return [];
		});
	});
}

/**
 * A port the cluster needs held by a process of another name, or by a same-named service that is
 * not the cluster's (the packaged postgresql@16-main on 5432). A Patroni or etcd started by hand the
 * guide's way is the cluster's own service here: doctor diagnoses it, it does not replace it.
 */
export function isForeignHere(claim: PortClaim, holder: PortHolder, allowedName: boolean): boolean {
	if (!allowedName) return true;
	const started = startedBy(holder.cgroup);
	if (started.kind !== 'service') return false;
	if (/^postgresql(@.*)?\.service$/.test(started.unit)) return true;
	return claim.service !== undefined && started.unit !== claim.service && !started.unit.startsWith(claim.service.replace(/\.service$/, ''));
}

export function portRule(facts: ClusterFacts): Finding[] {
	return reachedNodes(facts).flatMap(({node, facts: nodeFacts}) => nodePortFindings(facts.cluster.nodes.find(item => item.name === node.name)!, requiredPorts(facts.cluster, node), nodeFacts));
}

function nodePortFindings(node: NodeConfig, claims: readonly PortClaim[], facts: NodeFacts): Finding[] {
	const byPid = new Map<number, {holder: PortHolder; held: HeldPort[]}>();
	for (const claim of claims) {
		for (const listener of facts.listeners.filter(candidate => candidate.port === claim.port)) {
			const allowedName = listener.processes.length > 0 && listener.processes.every(name => claim.owners.includes(name));
			for (const pid of listener.pids) {
				const holder = facts.holders.get(pid);
				if (!holder || !isForeignHere(claim, holder, allowedName)) continue;
				const entry = byPid.get(pid) ?? {holder, held: []};
				// Patroni's PostgreSQL lives in patroni.service's cgroup: said so, the wording names the packaged one as not Patroni's.
				const said = claim.service === undefined && claim.owners.includes('postgres') ? {...claim, service: 'patroni.service'} : claim;
				if (!entry.held.some(item => item.claim.port === claim.port)) entry.held.push({claim: said, allowedName});
				byPid.set(pid, entry);
			}
		}
	}

	return [...byPid.values()].flatMap(({holder, held}) => {
		const said = foreignHolder(held, holder);
		if (!said) return [];
		const started = startedBy(holder.cgroup);
		const stop = started.kind === 'service' ? `sudo systemctl disable --now ${started.unit}` : `sudo kill ${holder.pid}`;
		return [finding(portForeign, node.name,
			t(`на ${node.name}: ${said.message.ru}`, `on ${node.name}: ${said.message.en}`),
			[`ss -ltnp: ${held.map(item => item.claim.port).join(', ')} → pid=${holder.pid} ${holder.command}`],
			[stop, `sudo ss -ltnp '${held.map(item => `sport = :${item.claim.port}`).join(' or ')}'`])];
	});
}
