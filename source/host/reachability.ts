/**
 * Can this computer reach each node's SSH port? The probes' outcome turned into one sentence with the
 * likely cause and the fix: wrong network for the bridged adapter, no SSH server, firewall, VM off.
 */
import type {NodeConfig} from '../core/cluster.ts';
import type {Text} from '../core/text.ts';
import type {Finding} from './findings.ts';
import type {PingResult, ProbeRunner, TcpProbe} from './probes.ts';
import {inCidr} from './subnets.ts';

export interface NodeReach {
	readonly node: NodeConfig;
	readonly tcp: TcpProbe;
	/** Asked only when the TCP probe failed. */
	readonly ping?: PingResult;
	/** The host's subnets when the node's IP is in none of them; undefined when it is, or for the lab. */
	readonly foreignTo?: readonly string[];
}

export interface Diagnosis {
	readonly ok: boolean;
	/** One line for the log. */
	readonly summary: Text;
	readonly finding?: Finding;
}

/** Probe one node: TCP first; ping and the subnet test only to explain a failure. */
export async function probeNode(
	node: NodeConfig,
	runner: ProbeRunner,
	subnets: ReadonlyArray<{readonly cidr: string}> | undefined,
): Promise<NodeReach> {
	const tcp = await runner.tcp(node.ip, node.sshPort);
	if (tcp.status === 'open') return {node, tcp};
	const ping = await runner.ping(node.ip);
	const foreign = subnets !== undefined && subnets.length > 0 && !subnets.some(subnet => inCidr(node.ip, subnet.cidr));
	return {node, tcp, ping, foreignTo: foreign ? subnets.map(subnet => subnet.cidr) : undefined};
}

function wrongNetwork(reach: NodeReach): Text {
	const {name, ip} = reach.node;
	const list = (reach.foreignTo ?? []).filter(cidr => !cidr.startsWith('127.')).join(', ') || '-';
	return {
		ru: `${name}: ${ip} не отвечает и не входит ни в одну сеть этого компьютера (${list}): вероятно, сетевой мост ВМ подключён не к той сетевой карте — выберите ту, через которую компьютер в сети, в Настроить > Сеть > Адаптер 1 > Имя и проверьте адрес ВМ командой ip addr.`,
		en: `${name}: ${ip} does not answer and is in none of this computer's networks (${list}): the VM's bridged adapter is probably attached to another network card — pick the one your computer is online with in Settings > Network > Adapter 1 > Name, then check the VM's address with ip addr.`,
	};
}

export function diagnose(reach: NodeReach, timeoutSeconds = 3): Diagnosis {
	const {name, ip, sshPort: port} = reach.node;
	const target = `${ip}:${port}`;
	const fail = (text: Text, summary: Text = text): Diagnosis => ({ok: false, summary, finding: {node: name, text}});
	switch (reach.tcp.status) {
		case 'open': {
			const banner = reach.tcp.banner;
			if (banner !== undefined && !banner.startsWith('SSH-')) {
				return fail({
					ru: `${name}: порт ${port} на ${ip} отвечает, но это не SSH («${banner}»): порт занят другой программой — укажите в файле кластера (sshPort) порт SSH-сервера.`,
					en: `${name}: port ${port} of ${ip} answers, but not with SSH ("${banner}"): another program holds it — set sshPort in the cluster file to the SSH server's port.`,
				});
			}

			const shown = banner ?? 'no banner';
			return {ok: true, summary: {ru: `${name}: ${target} доступен (${shown}).`, en: `${name}: ${target} is reachable (${shown}).`}};
		}

		case 'refused':
			return fail({
				ru: `${name}: ${ip} отклоняет подключение к порту ${port}, SSH-сервер там не работает: выполните в окне ВМ шаг руководства «SSH-сервер» (sudo apt install -y openssh-server && sudo systemctl enable --now ssh) или исправьте sshPort в файле кластера.`,
				en: `${name}: ${ip} refuses connections on port ${port}, so no SSH server runs there: do the guide's "SSH server" step in the VM window (sudo apt install -y openssh-server && sudo systemctl enable --now ssh) or correct sshPort in the cluster file.`,
			});
		case 'timeout':
			if (reach.foreignTo) return fail(wrongNetwork(reach));
			if (reach.ping === 'reply') {
				return fail({
					ru: `${name}: ${ip} отвечает на ping, но порт ${port} молчит — SSH отбрасывает брандмауэр узла: выполните на ВМ sudo ufw allow OpenSSH.`,
					en: `${name}: ${ip} answers ping but port ${port} stays silent — the node's firewall drops SSH: run sudo ufw allow OpenSSH on the VM.`,
				});
			}

			return fail({
				ru: `${name}: ${target} не ответил за ${timeoutSeconds} с: ВМ выключена, её адрес сменился (проверьте ip addr в окне ВМ) или трафик отбрасывает брандмауэр.`,
				en: `${name}: no answer from ${target} within ${timeoutSeconds} s: the VM is off, its address changed (check ip addr in the VM window), or a firewall drops the traffic.`,
			});
		case 'unreachable':
			if (reach.foreignTo) return fail(wrongNetwork(reach));
			return fail({
				ru: `${name}: по адресу ${ip} никто не отвечает (${reach.tcp.detail ?? 'no route'}): ВМ выключена или получила другой адрес — запустите её и проверьте адрес командой ip addr.`,
				en: `${name}: nothing answers at ${ip} (${reach.tcp.detail ?? 'no route'}): the VM is off or got another address — start it and check its address with ip addr.`,
			});
		default:
			return fail({
				ru: `${name}: подключиться к ${target} не удалось (${reach.tcp.detail ?? 'unknown error'}): проверьте IP-адрес и порт в файле кластера.`,
				en: `${name}: connecting to ${target} failed (${reach.tcp.detail ?? 'unknown error'}): check the IP address and port in the cluster file.`,
			});
	}
}
