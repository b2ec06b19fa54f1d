/**
 * Stage 4, packages: apt update (upgrade only when asked), PostgreSQL server and client of one major,
 * what the chosen Patroni and etcd sources need, HAProxy on its node; then the packaged PostgreSQL
 * service is disabled and its default cluster removed, so Patroni owns port 5432 alone.
 */
import type {ClusterConfig, NodeConfig} from '../source/core/cluster.ts';
import {createClusterDropInDir, createClusterDropInPath, renderCreateClusterDropIn} from '../templates/postgresql-common.ts';
import type {Action, PlanContext, Stage, Step, StepContext} from './types.ts';
import {
	aptGet, aptTimeoutMs, nodeError, parseKeyValues, probe, progressLines, runActions, runAction, sh, shellWords, text, writeAction,
} from './commands.ts';
import {AptProgress} from './apt-progress.ts';
import {candidateMajor, dataDirMajor, ensurePgMajor, factKeys, installedMajor, plannedMajor} from './facts.ts';
import {pgBinDir} from './layout.ts';
import {neededPackages, type StageListing} from './needs.ts';
import {firstNode} from './render.ts';

/**
 * This stage's own packages. pgbench and the contrib modules ship in postgresql-NN itself on Debian
 * and Ubuntu (it provides postgresql-contrib-NN); the unversioned postgresql-contrib would pull the
 * distribution's default major, so it is not installed.
 */
function postgresPackages(major: string): string[] {
	return [`postgresql-${major}`, `postgresql-client-${major}`, 'curl'];
}


export const aptUpgradeArgs = '-y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold upgrade';

export function installCommand(packages: readonly string[]): string {
	return aptGet(`install -y --no-install-recommends ${shellWords(packages)}`);
}

/** `name status` per package; a package apt does not know prints nothing. */
export function installedStateCommand(packages: readonly string[]): string {
	return sh(`dpkg-query -W -f='\${Package} \${Status}\\n' ${shellWords(packages)} 2>/dev/null; true`);
}

export function missingPackages(packages: readonly string[], dpkgOutput: string): string[] {
	const installed = new Set(dpkgOutput.split('\n')
		.map(line => /^(\S+) install ok installed$/.exec(line.trim())?.[1])
		.filter((name): name is string => name !== undefined));
	return packages.filter(name => !installed.has(name));
}

function preparePlan(ctx: PlanContext): Action[] {
	const actions: Action[] = [
		runAction(`install -d -m 0755 ${createClusterDropInDir}`),
		writeAction(createClusterDropInPath, renderCreateClusterDropIn(), 0o644),
		runAction(aptGet('update'), {timeoutMs: aptTimeoutMs}),
	];
	if (ctx.cluster.aptUpgrade) actions.push(runAction(aptGet(aptUpgradeArgs), {timeoutMs: aptTimeoutMs}));
	return actions;
}

function installPlan(ctx: PlanContext, stages: readonly Stage[]): Action {
	return runAction(installCommand(neededPackages(stages, ctx.cluster, ctx.node, plannedMajor(ctx))), {timeoutMs: aptTimeoutMs});
}

async function packagesReady(ctx: StepContext, stages: readonly Stage[]): Promise<boolean> {
	const major = typeof ctx.cluster.postgresVersion === 'number'
		? ctx.cluster.postgresVersion
		: await dataDirMajor(ctx) ?? await candidateMajor(ctx);
	if (major === undefined) return false;
	const packages = neededPackages(stages, ctx.cluster, ctx.node, String(major));
	const missing = missingPackages(packages, (await probe(ctx, installedStateCommand(packages))).stdout);
	if (missing.length > 0) return false;
	if (ctx.cluster.aptUpgrade) {
		const simulated = await probe(ctx, 'env LC_ALL=C apt-get -s upgrade');
		if (/^Inst /m.test(simulated.stdout)) return false;
	}

	ctx.facts.set(factKeys.pgMajor, String(major));
	return true;
}

/** The major to install, from the cluster file or (auto) the newest the refreshed lists offer. */
async function chooseMajor(ctx: StepContext): Promise<string> {
	const offered = await candidateMajor(ctx);
	const wanted = ctx.cluster.postgresVersion;
	if (wanted === 'auto') {
		const existing = await dataDirMajor(ctx);
		if (existing !== undefined) return String(existing);
		if (offered === undefined) {
			throw nodeError(ctx.node.name,
				text('в репозиториях узла нет пакетов postgresql-NN.', 'the node\'s repositories offer no postgresql-NN package.'),
				text('Проверьте /etc/apt/sources.list и доступ в интернет с ВМ.', 'Check /etc/apt/sources.list and the VM\'s internet access.'));
		}

		return String(offered);
	}

	const policy = await probe(ctx, `env LC_ALL=C apt-cache policy postgresql-${wanted}`);
	if (!/Candidate: (?!\(none\))\S+/.test(policy.stdout)) {
		const hint = offered === undefined ? '' : ` (есть ${offered})`;
		const hintEn = offered === undefined ? '' : ` (${offered} is)`;
		throw nodeError(ctx.node.name,
			text(`PostgreSQL ${wanted} нет в репозиториях узла${hint}.`, `PostgreSQL ${wanted} is not in the node's repositories${hintEn}.`),
			text('Укажите postgresVersion: auto в pgha.yaml или подключите репозиторий PGDG.', 'Set postgresVersion: auto in pgha.yaml or add the PGDG repository.'));
	}

	return String(wanted);
}

function installStep(stages: StageListing): Step {
	return {
		id: 'packages.install',
		title: text('Пакеты: PostgreSQL, Python, etcd, HAProxy', 'Packages: PostgreSQL, Python, etcd, HAProxy'),
		explain: text(
			'apt update и установка пакетов одной командой. Если в это время работает автообновление Ubuntu (unattended-upgrades), pgha ждёт освобождения блокировки dpkg, а не падает. Версия PostgreSQL берётся из pgha.yaml или, при auto, самая новая из репозиториев. Заранее запрещено создавать кластер «main» при установке: кластером будет управлять Patroni.',
			'apt update and the packages in one command. If Ubuntu\'s automatic updates (unattended-upgrades) are running, pgha waits for the dpkg lock instead of failing. The PostgreSQL major comes from pgha.yaml or, with auto, is the newest the repositories offer. The packages are told beforehand not to create a "main" cluster: Patroni will manage the cluster.'),
		scope: 'each-node',
		check: ctx => packagesReady(ctx, stages()),
		plan: ctx => [...preparePlan(ctx), installPlan(ctx, stages())],
		async apply(ctx) {
			await runActions(ctx, preparePlan(ctx));
			ctx.facts.set(factKeys.pgMajor, await chooseMajor(ctx));
			await runActions(ctx, [installPlan(ctx, stages())], {onLine: progressLines(ctx, new AptProgress())});
		},
		async verify(ctx) {
			if (!await packagesReady(ctx, stages())) {
				throw nodeError(ctx.node.name,
					text('не все пакеты установились.', 'some packages did not install.'),
					text('Посмотрите вывод apt в журнале шага.', 'See apt\'s output in the step log.'));
			}

			const major = await ensurePgMajor(ctx);
			const binDir = pgBinDir(major);
			const found = await probe(ctx, `test -x ${binDir}/postgres`);
			if (found.code !== 0) {
				throw nodeError(ctx.node.name,
					text(`после установки нет ${binDir}/postgres.`, `${binDir}/postgres is missing after the installation.`),
					text('Проверьте пакет postgresql-' + major + '.', `Check the postgresql-${major} package.`));
			}

			ctx.facts.set(factKeys.pgBinDir, binDir);
		},
	};
}

export function defaultClusterStateCommand(major: string): string {
	return sh([
		`if [ -d /etc/postgresql/${major}/main ]; then echo main=yes; else echo main=no; fi`,
		'echo "enabled=$(systemctl is-enabled postgresql 2>/dev/null)"',
		'echo "active=$(systemctl is-active postgresql 2>/dev/null)"',
	].join('\n'));
}

export function defaultClusterGone(stdout: string): boolean {
	const state = parseKeyValues(stdout);
	return state.get('main') === 'no' && state.get('enabled') !== 'enabled' && state.get('active') !== 'active';
}

async function defaultClusterRemoved(ctx: StepContext): Promise<boolean> {
	const major = await ensurePgMajor(ctx);
	return defaultClusterGone((await probe(ctx, defaultClusterStateCommand(major))).stdout);
}

const defaultClusterStep: Step = {
	id: 'packages.default-cluster',
	title: text('Отключить PostgreSQL из пакета', 'Disable the packaged PostgreSQL'),
	explain: text(
		'Пакет PostgreSQL сам создаёт и запускает кластер «main» на порту 5432. Patroni запускает свой экземпляр, поэтому служба postgresql останавливается и выключается, а пустой кластер main удаляется (pg_dropcluster), чтобы порт и каталог данных были свободны.',
		'The PostgreSQL package creates and starts a "main" cluster on port 5432. Patroni runs its own instance, so the postgresql service is stopped and disabled and the empty main cluster is removed (pg_dropcluster), leaving the port and the data directory free.'),
	scope: 'each-node',
	check: defaultClusterRemoved,
	plan(ctx) {
		const major = plannedMajor(ctx);
		return [
			runAction('systemctl disable --now postgresql'),
			runAction(sh(`if [ -d /etc/postgresql/${major}/main ]; then pg_dropcluster --stop ${major} main; fi`)),
		];
	},
	async verify(ctx) {
		if (!await defaultClusterRemoved(ctx)) {
			throw nodeError(ctx.node.name,
				text('служба postgresql всё ещё включена или кластер main не удалён.', 'the postgresql service is still enabled or the main cluster is still there.'),
				text('Выполните: sudo systemctl disable --now postgresql; sudo pg_lsclusters.', 'Run: sudo systemctl disable --now postgresql; sudo pg_lsclusters.'));
		}
	},
};

/** Every node's major: the run's fact, else what the node has installed. */
async function majorsOfAllNodes(ctx: StepContext): Promise<Map<string, string>> {
	const majors = new Map<string, string>();
	await Promise.all(ctx.cluster.nodes.map(async node => {
		const known = ctx.allFacts.get(node.name)?.get(factKeys.pgMajor);
		if (known) {
			majors.set(node.name, known);
			return;
		}

		const remote = ctx.remotes.get(node.name);
		if (!remote) return;
		const major = await installedMajor({...ctx, node, remote, facts: ctx.allFacts.get(node.name) ?? new Map()});
		if (major !== undefined) majors.set(node.name, String(major));
	}));
	return majors;
}

export function sameMajorProblem(majors: ReadonlyMap<string, string>, nodes: readonly string[]): string | undefined {
	const missing = nodes.filter(node => !majors.has(node));
	if (missing.length > 0) return `no PostgreSQL found on ${missing.join(', ')}`;
	const distinct = new Set(majors.values());
	if (distinct.size > 1) return nodes.map(node => `${node}: ${majors.get(node)}`).join(', ');
	return undefined;
}

const sameMajorStep: Step = {
	id: 'packages.same-major',
	title: text('Одна версия PostgreSQL на всех узлах', 'One PostgreSQL major on every node'),
	explain: text(
		'Реплика копирует файлы лидера, поэтому на всех узлах должна быть одна и та же основная версия PostgreSQL. При postgres: auto разные репозитории узлов могли бы дать разные версии; pgha это проверяет.',
		'A replica copies the leader\'s files, so every node must run the same PostgreSQL major. With postgres: auto, nodes with different repositories could end up with different majors; pgha checks that.'),
	scope: 'one-node',
	targets: cluster => [firstNode(cluster).name],
	async check(ctx) {
		return sameMajorProblem(await majorsOfAllNodes(ctx), ctx.cluster.nodes.map(node => node.name)) === undefined;
	},
	plan: () => [],
	async apply() {
		// Nothing to change: verify says what differs.
	},
	async verify(ctx) {
		const problem = sameMajorProblem(await majorsOfAllNodes(ctx), ctx.cluster.nodes.map(node => node.name));
		if (problem) {
			throw nodeError('cluster',
				text(`на узлах разные версии PostgreSQL (${problem}).`, `the nodes run different PostgreSQL majors (${problem}).`),
				text('Укажите postgres: {version: N} в pgha.yaml одной версией для всех узлов и запустите pgha apply снова.',
					'Set postgres: {version: N} in pgha.yaml to one major for every node and run pgha apply again.'));
		}
	},
};

/** The packages stage installs what every stage of the list declares; the list is asked at run time. */
export function createPackagesStage(stages: StageListing): Stage {
	return {
		id: 'packages',
		title: text('Установка пакетов', 'Package installation'),
		explain: text(
			'Всё, что нужно узлу, из репозиториев дистрибутива: PostgreSQL с клиентом и pgbench, Python для Patroni, etcd (если выбран пакет) и HAProxy на его узле.',
			'Everything a node needs from the distribution\'s repositories: PostgreSQL with its client and pgbench, Python for Patroni, etcd (when the package is chosen) and HAProxy on its node.'),
		differsFromGuide: text(
			'Версия PostgreSQL не зашита (16), кластер main удаляется, а не только останавливается, и apt ждёт блокировку dpkg вместо ошибки.',
			'The PostgreSQL major is not hard-coded (16), the main cluster is removed rather than only stopped, and apt waits for the dpkg lock instead of failing.'),
		steps: [installStep(stages), defaultClusterStep, sameMajorStep],
		needs: {
			packages: (_cluster, _node, major) => postgresPackages(major),
			allPackages: postgresPackages,
			section: {
				keys: ['postgres.version', 'apt_upgrade'],
				doc: text(
					'postgres.version — номер версии PostgreSQL или auto (самая новая в репозиториях узла); apt_upgrade: true — сначала обновить систему.',
					'postgres.version is a PostgreSQL major or auto (the newest the node\'s repositories offer); apt_upgrade: true upgrades the system first.'),
			},
		},
	};
}
