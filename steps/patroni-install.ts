/**
 * Stage 5, Patroni install: the course's way (a Python venv with patroni[etcd3] and psycopg2 from
 * pip; needs internet on the node) or the distribution's `patroni` package. Either way the
 * installed version is recorded.
 */
import type {ClusterConfig} from '../source/config/types.ts';
import {patroniOsUser} from '../templates/patroni-yml.ts';
import type {Action, Stage, Step, StepContext} from './types.ts';
import {aptTimeoutMs, nodeError, probe, runAction, sh, text} from './commands.ts';
import {factKeys} from './facts.ts';
import {patroniBinDir, patroniVenvDir} from './layout.ts';
import {installCommand, installedStateCommand, missingPackages} from './packages.ts';

export const patroniDistroPackages = ['patroni', 'python3-psycopg2', 'python3-etcd'] as const;

/** psycopg2-binary is a prebuilt wheel: nothing to compile on the node. */
export const venvPipInstall = `${patroniVenvDir}/bin/pip install --no-cache-dir --disable-pip-version-check 'patroni[etcd3]' psycopg2-binary`;

export function venvPlan(): Action[] {
	return [
		runAction(`install -d -m 0755 -o ${patroniOsUser} -g ${patroniOsUser} ${patroniVenvDir}`),
		// `cd /`: the login user's home is not readable by postgres, and python -m looks at the cwd.
		runAction(sh(`cd / && python3 -m venv ${patroniVenvDir}`), {asUser: patroniOsUser}),
		runAction(sh(`cd / && ${venvPipInstall}`), {asUser: patroniOsUser, timeoutMs: 20 * 60_000}),
		// The same commands as with the package, for students and for pgha's own checks.
		runAction(`ln -sfn ${patroniVenvDir}/bin/patroni /usr/local/bin/patroni`),
		runAction(`ln -sfn ${patroniVenvDir}/bin/patronictl /usr/local/bin/patronictl`),
	];
}

export function packagePlan(): Action[] {
	return [runAction(installCommand(patroniDistroPackages), {timeoutMs: aptTimeoutMs})];
}

/** Prints the version and proves the modules Patroni needs for etcd3 and PostgreSQL import. */
export function patroniProbeCommand(cluster: ClusterConfig): string {
	const bin = patroniBinDir(cluster);
	const python = cluster.patroni.source === 'venv' ? `${patroniVenvDir}/bin/python3` : '/usr/bin/python3';
	const links = cluster.patroni.source === 'venv'
		? ` && [ "$(readlink /usr/local/bin/patroni)" = ${bin}/patroni ] && [ "$(readlink /usr/local/bin/patronictl)" = ${bin}/patronictl ]`
		: '';
	return sh(`cd / && ${bin}/patroni --version && ${python} -c 'import patroni, psycopg2, etcd'${links}`);
}

export function parsePatroniVersion(stdout: string): string | undefined {
	return /patroni\s+(\d+\.\d+(?:\.\d+)?)/i.exec(stdout)?.[1];
}

async function installed(ctx: StepContext): Promise<boolean> {
	if (ctx.cluster.patroni.source === 'package') {
		const state = await probe(ctx, installedStateCommand(patroniDistroPackages));
		if (missingPackages(patroniDistroPackages, state.stdout).length > 0) return false;
	}

	const result = await probe(ctx, patroniProbeCommand(ctx.cluster), {asUser: patroniOsUser});
	const version = result.code === 0 ? parsePatroniVersion(result.stdout) : undefined;
	if (version) ctx.facts.set(factKeys.patroniVersion, version);
	return version !== undefined;
}

const patroniStep: Step = {
	id: 'patroni-install.patroni',
	title: text('Установка Patroni', 'Install Patroni'),
	explain: text(
		'venv (как в курсе): виртуальное окружение Python в /opt/patroni-venv, принадлежащее пользователю postgres, в него pip ставит patroni[etcd3] и psycopg2-binary; Ubuntu 24.04 запрещает pip вне venv (PEP 668). Нужен интернет на ВМ. package: пакет patroni из дистрибутива, без интернета. В конце записывается patroni --version.',
		'venv (the course\'s way): a Python virtual environment in /opt/patroni-venv owned by the postgres user, where pip installs patroni[etcd3] and psycopg2-binary; Ubuntu 24.04 forbids pip outside a venv (PEP 668). Needs internet on the VM. package: the distribution\'s patroni package, no internet needed. Finally patroni --version is recorded.'),
	scope: 'each-node',
	check: installed,
	plan: ctx => ctx.cluster.patroni.source === 'venv' ? venvPlan() : packagePlan(),
	async verify(ctx) {
		if (!await installed(ctx)) {
			const venv = ctx.cluster.patroni.source === 'venv';
			throw nodeError(ctx.node.name,
				text('Patroni не запускается после установки.', 'Patroni does not run after the installation.'),
				venv
					? text('pip нужен доступ в интернет с ВМ; без него выберите patroni.source: package в pgha.yaml.', 'pip needs internet access from the VM; without it choose patroni.source: package in pgha.yaml.')
					: text('Посмотрите вывод apt в журнале шага.', 'See apt\'s output in the step log.'));
		}

		ctx.log(`${ctx.node.name}: patroni ${ctx.facts.get(factKeys.patroniVersion) ?? '?'}`);
	},
};

export const patroniInstallStage: Stage = {
	id: 'patroni-install',
	title: text('Установка Patroni', 'Patroni installation'),
	explain: text('Patroni следит за PostgreSQL, выбирает лидера через etcd и переключает реплики.', 'Patroni watches PostgreSQL, elects the leader through etcd and switches replicas over.'),
	differsFromGuide: text(
		'venv лежит не в домашнем каталоге, а в /opt/patroni-venv и принадлежит postgres, от которого работает служба; extras etcd3, а не etcd.',
		'The venv lives in /opt/patroni-venv owned by postgres, the user the service runs as, not in a home directory; the extra is etcd3, not etcd.'),
	steps: [patroniStep],
};
