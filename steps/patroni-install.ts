/**
 * Stage 5, Patroni install: the course's way (a Python venv with patroni[etcd3] and psycopg2 from
 * pip; needs internet on the node) or the distribution's `patroni` package. Either way the
 * installed version is recorded.
 */
import type {ClusterConfig, PatroniInstall} from '../source/core/cluster.ts';
import {patroniOsUser} from '../templates/patroni-yml.ts';
import {StepError, type Action, type Stage, type Step, type StepContext} from './types.ts';
import {aptTimeoutMs, nodeError, probe, progressLines, runAction, runActions, sh, text} from './commands.ts';
import {AptProgress} from './apt-progress.ts';
import {PipProgress} from './pip-progress.ts';
import {shellQuote} from '../source/ssh/quote.ts';
import {factKeys} from './facts.ts';
import {patroniBinDir, patroniVenvDir} from './layout.ts';
import {installCommand, installedStateCommand, missingPackages} from './packages.ts';
import {patroniSection} from './patroni-section.ts';

export const patroniDistroPackages = ['patroni', 'python3-psycopg2', 'python3-etcd'] as const;

const publicIndex = 'https://pypi.org/simple';

/** What pip is asked for: the course's names, Patroni pinned unless the cluster file says latest. */
export function venvRequirements(patroni: PatroniInstall): string[] {
	return [patroni.version === 'latest' ? 'patroni[etcd3]' : `patroni[etcd3]==${patroni.version}`, 'psycopg2-binary'];
}

/** psycopg2-binary is a prebuilt wheel: nothing to compile on the node. */
export function venvPipInstall(patroni: PatroniInstall): string {
	const index = patroni.indexUrl
		// pip ignores a plain-http index unless its host is trusted by name (a lab or an offline mirror).
		? ` --index-url ${shellQuote(patroni.indexUrl)}${patroni.indexUrl.startsWith('http://') ? ` --trusted-host ${shellQuote(new URL(patroni.indexUrl).hostname)}` : ''}`
		: '';
	return `${patroniVenvDir}/bin/pip install --no-cache-dir --disable-pip-version-check${index} ${venvRequirements(patroni).map(shellQuote).join(' ')}`;
}

/** The venv install in three parts, so apply can read pip's answer between them. */
function venvActions(patroni: PatroniInstall) {
	return {
		prepare: [
			// Only reached when the check failed: a venv left half-built (pgha killed during pip) starts
			// over, after any pip of that killed run still writing into it ([/] keeps pkill off this shell).
			runAction(sh(`pkill -f '[/]opt/patroni-venv/bin/pip install' ; rm -rf ${patroniVenvDir} && install -d -m 0755 -o ${patroniOsUser} -g ${patroniOsUser} ${patroniVenvDir}`)),
			// `cd /`: the login user's home is not readable by postgres, and python -m looks at the cwd.
			runAction(sh(`cd / && python3 -m venv ${patroniVenvDir}`), {asUser: patroniOsUser}),
		],
		pip: runAction(sh(`cd / && ${venvPipInstall(patroni)}`), {asUser: patroniOsUser, timeoutMs: 20 * 60_000}),
		// The same commands as with the package, for students and for pgha's own checks.
		link: [
			runAction(`ln -sfn ${patroniVenvDir}/bin/patroni /usr/local/bin/patroni`),
			runAction(`ln -sfn ${patroniVenvDir}/bin/patronictl /usr/local/bin/patronictl`),
		],
	};
}

export function venvPlan(patroni: PatroniInstall): Action[] {
	const {prepare, pip, link} = venvActions(patroni);
	return [...prepare, pip, ...link];
}

/** pip's own words turned into a sentence naming the index and the package (pip prints them in English). */
export function pipFailure(node: string, patroni: PatroniInstall, output: string): StepError {
	const index = patroni.indexUrl ?? publicIndex;
	// An index that does not answer also ends in "no matching distribution": the cause comes first.
	if (/Failed to establish a new connection|Connection refused|Name or service not known|Temporary failure in name resolution|Network is unreachable|timed out|Could not fetch URL|ProxyError/i.test(output)) {
		return nodeError(node,
			text(`индекс пакетов ${index} недоступен с узла.`, `the package index ${index} cannot be reached from the node.`),
			patroni.indexUrl
				? text('Проверьте адрес patroni.index_url и что сервер работает (curl с узла).', 'Check the patroni.index_url address and that the server runs (curl from the node).')
				: text('pip нужен доступ в интернет с ВМ; без него укажите зеркало в patroni.index_url или выберите patroni.source: package.', 'pip needs internet access from the VM; without it set a mirror in patroni.index_url or choose patroni.source: package.'));
	}

	const missing = /No matching distribution found for (\S+)/.exec(output)?.[1] ?? /satisfies the requirement (\S+)/.exec(output)?.[1];
	if (missing) {
		const pinned = missing.startsWith('patroni') && patroni.version !== 'latest';
		return nodeError(node,
			text(`в индексе пакетов ${index} нет ${missing}.`, `the package index ${index} has no ${missing}.`),
			pinned
				? text(`Закреплён Patroni ${patroni.version} (patroni.version): укажите версию, которая есть в индексе, или patroni.version: latest.`, `Patroni ${patroni.version} is pinned (patroni.version): choose a version the index has, or patroni.version: latest.`)
				: text('Проверьте patroni.index_url в pgha.yaml или добавьте пакет в зеркало.', 'Check patroni.index_url in pgha.yaml or add the package to the mirror.'));
	}

	const last = output.trim().split('\n').slice(-3).join(' ');
	return nodeError(node, text(`pip не смог установить Patroni: ${last}`, `pip could not install Patroni: ${last}`), text('Полный вывод pip в журнале шага.', 'pip\'s whole output is in the step log.'));
}

/** The venv plan, with pip's failure read and explained instead of passed on raw. */
async function applyVenv(ctx: StepContext): Promise<void> {
	const {prepare, pip, link} = venvActions(ctx.cluster.patroni);
	await runActions(ctx, prepare);
	const result = await probe(ctx, pip.command, {sudo: pip.sudo, asUser: pip.asUser, timeoutMs: pip.timeoutMs, onLine: progressLines(ctx, new PipProgress())});
	if (result.code !== 0) throw pipFailure(ctx.node.name, ctx.cluster.patroni, `${result.stdout}\n${result.stderr}`);
	await runActions(ctx, link);
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
	// A venv with another release than the pinned one is redone (pip then installs the pin).
	const {source, version: wanted} = ctx.cluster.patroni;
	if (version !== undefined && source === 'venv' && wanted !== 'latest' && version !== wanted) return false;
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
	plan: ctx => ctx.cluster.patroni.source === 'venv' ? venvPlan(ctx.cluster.patroni) : packagePlan(),
	apply: ctx => ctx.cluster.patroni.source === 'venv' ? applyVenv(ctx) : runActions(ctx, packagePlan(), {onLine: progressLines(ctx, new AptProgress())}),
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

/** What each Patroni source needs from apt: the venv builds psycopg2 from source; the package brings its modules. */
const venvPackages = ['python3-venv', 'python3-pip', 'python3-dev', 'libpq-dev'];
const distroPackages = ['patroni', 'python3-psycopg2', 'python3-etcd'];

export const patroniInstallStage: Stage = {
	id: 'patroni-install',
	title: text('Установка Patroni', 'Patroni installation'),
	explain: text('Patroni следит за PostgreSQL, выбирает лидера через etcd и переключает реплики.', 'Patroni watches PostgreSQL, elects the leader through etcd and switches replicas over.'),
	differsFromGuide: text(
		'venv лежит не в домашнем каталоге, а в /opt/patroni-venv и принадлежит postgres, от которого работает служба; extras etcd3, а не etcd.',
		'The venv lives in /opt/patroni-venv owned by postgres, the user the service runs as, not in a home directory; the extra is etcd3, not etcd.'),
	steps: [patroniStep],
	needs: {
		packages: cluster => cluster.patroni.source === 'venv' ? venvPackages : distroPackages,
		allPackages: () => [...venvPackages, ...distroPackages],
		section: {
			keys: ['patroni.source'],
			doc: text(
				'patroni.source: venv — Patroni из pip в виртуальном окружении, как в методичке (нужен интернет на ВМ); package — пакет patroni дистрибутива.',
				'patroni.source: venv installs Patroni from pip into a virtual environment, as in the guide (the VM needs internet); package uses the distribution\'s patroni package.'),
			read: patroniSection,
		},
	},
};
