/** Checks run while the student types, each returning a message in the chosen language or true. */
import net from 'node:net';
import type {Lang} from '../core/text.ts';
import {isIpv4} from '../core/values.ts';

export function checkIp(value: string, taken: readonly string[], lang: Lang): true | string {
	const ip = value.trim();
	if (!isIpv4(ip)) return lang === 'ru' ? `«${ip}» — не IPv4-адрес (пример: 192.168.0.30)` : `"${ip}" is not an IPv4 address (e.g. 192.168.0.30)`;
	if (taken.includes(ip)) return lang === 'ru' ? `${ip} уже занят другим узлом` : `${ip} is already used by another node`;
	return true;
}

export function checkNodeName(value: string, taken: readonly string[], lang: Lang): true | string {
	const name = value.trim();
	if (!/^[a-z][a-z0-9-]{0,62}$/.test(name)) {
		return lang === 'ru' ? 'Имя: латинские буквы в нижнем регистре, цифры и дефис (пример: pg-node-1)' : 'Name: lowercase letters, digits and dashes (e.g. pg-node-1)';
	}

	if (taken.includes(name)) return lang === 'ru' ? `Имя ${name} уже занято` : `The name ${name} is already taken`;
	return true;
}

/** Is the SSH port open? Answered right away so a typo in an IP shows before anything runs. */
export async function probeTcp(host: string, port: number, timeoutMs = 2500): Promise<'open' | 'refused' | 'timeout' | 'unreachable'> {
	return new Promise(resolve => {
		const socket = net.connect({host, port});
		const done = (result: 'open' | 'refused' | 'timeout' | 'unreachable') => {
			socket.destroy();
			resolve(result);
		};

		socket.setTimeout(timeoutMs, () => done('timeout'));
		socket.once('connect', () => done('open'));
		socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' ? 'refused' : error.code === 'ETIMEDOUT' ? 'timeout' : 'unreachable'));
	});
}

export function describeProbe(result: 'open' | 'refused' | 'timeout' | 'unreachable', host: string, port: number, lang: Lang): true | string {
	if (result === 'open') return true;
	const ru = {
		refused: `${host}:${port} отказывает в соединении: SSH-сервер не запущен? На ВМ: sudo apt install -y openssh-server`,
		timeout: `${host}:${port} не отвечает: ВМ выключена, другой IP или сеть не «Сетевой мост»?`,
		unreachable: `${host} недоступен: проверьте IP (ip addr на ВМ) и сеть VirtualBox («Сетевой мост»)`,
	};
	const en = {
		refused: `${host}:${port} refused the connection: is the SSH server running? On the VM: sudo apt install -y openssh-server`,
		timeout: `${host}:${port} does not answer: is the VM off, the IP different, or the network not "Bridged Adapter"?`,
		unreachable: `${host} is unreachable: check the IP (ip addr on the VM) and the VirtualBox network (Bridged Adapter)`,
	};
	return (lang === 'ru' ? ru : en)[result];
}
