/** Stage 3, SSH server: openssh-server installed, enabled at boot and running (as the guide checks). */
import type {Stage, Step, StepContext} from './types.ts';
import {aptGet, aptTimeoutMs, nodeError, parseKeyValues, probe, runAction, sh, text} from './commands.ts';

/** Ubuntu 24.04 starts sshd through ssh.socket (ssh.service stays "disabled"); either counts. */
export const sshStateCommand = sh([
	'if dpkg-query -W -f=\'${Status}\' openssh-server 2>/dev/null | grep -q \'install ok installed\'; then echo installed=yes; else echo installed=no; fi',
	'for unit in ssh.service ssh.socket; do echo "$unit.enabled=$(systemctl is-enabled $unit 2>/dev/null)"; echo "$unit.active=$(systemctl is-active $unit 2>/dev/null)"; done',
].join('\n'));

export function sshServerReady(stdout: string): boolean {
	const state = parseKeyValues(stdout);
	const enabled = ['ssh.service', 'ssh.socket'].some(unit => ['enabled', 'enabled-runtime'].includes(state.get(`${unit}.enabled`) ?? ''));
	const active = ['ssh.service', 'ssh.socket'].some(unit => state.get(`${unit}.active`) === 'active');
	return state.get('installed') === 'yes' && enabled && active;
}

async function ready(ctx: StepContext): Promise<boolean> {
	return sshServerReady((await probe(ctx, sshStateCommand)).stdout);
}

const serviceStep: Step = {
	id: 'ssh-server.service',
	title: text('SSH-сервер установлен и включён', 'SSH server installed and enabled'),
	explain: text(
		'pgha уже вошёл по SSH, значит сервер работает; шаг проверяет, что пакет openssh-server установлен и служба включена в автозагрузку, чтобы после перезагрузки ВМ к ней снова можно было подключиться.',
		'pgha is already logged in over SSH, so the server runs; this step makes sure the openssh-server package is installed and the service is enabled at boot, so the VM stays reachable after a reboot.'),
	scope: 'each-node',
	check: ready,
	plan: () => [
		runAction(sh(`dpkg-query -W -f='\${Status}' openssh-server 2>/dev/null | grep -q 'install ok installed' || { ${aptGet('update')} && ${aptGet('install -y openssh-server')}; }`), {timeoutMs: aptTimeoutMs}),
		runAction('systemctl enable --now ssh'),
	],
	async verify(ctx) {
		if (!await ready(ctx)) {
			throw nodeError(ctx.node.name,
				text('SSH-сервер не включён или не запущен.', 'the SSH server is not enabled or not running.'),
				text('Выполните на ВМ: sudo systemctl enable --now ssh.', 'Run on the VM: sudo systemctl enable --now ssh.'));
		}
	},
};

export const sshServerStage: Stage = {
	id: 'ssh-server',
	title: text('SSH-сервер', 'SSH server'),
	explain: text('Сервер SSH нужен pgha и VS Code Remote-SSH для работы с узлами.', 'pgha and VS Code Remote-SSH both reach the nodes through the SSH server.'),
	steps: [serviceStep],
};
