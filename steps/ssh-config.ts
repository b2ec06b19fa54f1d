/**
 * Stage "SSH config on the host" (guide: "Настройка VS Code"): a key pair on the host, its public key
 * on every node, and `Host pg-node-N` entries in the user's OpenSSH config for VS Code Remote-SSH.
 */
import type {ClusterConfig, NodeConfig} from '../source/core/cluster.ts';
import {findingsError, type Finding} from '../source/host/findings.ts';
import {ManagedBlockError} from '../source/host/managed-block.ts';
import {hostEnv, type ExistsFn, type HostEnv} from '../source/host/platform.ts';
import {runFile, type RunFile} from '../source/host/run-file.ts';
import {
	applySshConfig,
	planIsDone,
	planSshConfig,
	resolveSshPaths,
	type SshConfigPlan,
	type SshConfigResult,
	type SshPaths,
} from '../source/host/ssh-config-file.ts';
import {
	authorizedKeyCheck,
	authorizedKeyModes,
	authorizedKeyScript,
	findKeyPair,
	findSshTool,
	generateKeyPair,
	identityFileValue,
	type KeyPair,
} from '../source/host/ssh-keys.ts';
import {resolveWithSsh} from '../source/host/ssh-resolve.ts';
import {describeEncoding} from '../source/host/text-encoding.ts';
import {bilingual} from '../source/core/text.ts';
import {renderSshConfigBlock, type SshHostEntry} from '../templates/ssh-config.ts';
import {StepError, type Action, type Stage, type Step, type StepContext, type Text} from './types.ts';

export interface SshConfigStageOptions {
	/** Platform, environment and path flavour (tests pass win32 with a Linux temp folder). */
	readonly host?: Partial<HostEnv>;
	readonly now?: () => Date;
	readonly run?: RunFile;
	readonly exists?: ExistsFn;
	/** Make a key pair when there is none and put it on the nodes (default true). */
	readonly keys?: boolean;
	/** Use the built-in generator even when ssh-keygen is present. */
	readonly builtinKeygen?: boolean;
	/** Check the written file with the system `ssh -G` when ssh is installed (default true). */
	readonly verifyWithSsh?: boolean;
}

const keyPlaceholder = '<contents of ~/.ssh/id_ed25519.pub>';

function passwordNodes(cluster: ClusterConfig): NodeConfig[] {
	return cluster.nodes.filter(node => node.auth.kind === 'password');
}

/** The config entries: the node's own key, else the host's default key when pgha manages keys. */
export function sshHostEntries(
	host: HostEnv,
	paths: SshPaths,
	cluster: ClusterConfig,
	pair: KeyPair | undefined,
): SshHostEntry[] {
	return cluster.nodes.map(node => {
		const keyFile = node.auth.kind === 'key' ? node.auth.keyFile : pair?.privateKey;
		return {
			alias: node.name,
			hostName: node.ip,
			user: node.sshUser,
			port: node.sshPort,
			identityFile: keyFile === undefined ? undefined : identityFileValue(host, paths, keyFile),
		};
	});
}

function resultNotes(plan: SshConfigPlan, result: SshConfigResult): Text[] {
	const file = plan.paths.config;
	const notes: Text[] = [];
	if (result.createdSshDir) notes.push({ru: `Создана папка ${plan.paths.sshDir}.`, en: `Created the folder ${plan.paths.sshDir}.`});
	if (result.fixedSshDirMode) {
		notes.push({
			ru: `Папка ${plan.paths.sshDir} была доступна на запись другим: права исправлены на 700.`,
			en: `The folder ${plan.paths.sshDir} was writable by others: its mode is now 700.`,
		});
	}

	if (result.convertedFrom) {
		const encoding = describeEncoding(result.convertedFrom);
		notes.push({
			ru: `Файл ${file} был в кодировке ${encoding}, которую OpenSSH не читает («Bad configuration option»): он переписан в UTF-8 без BOM.`,
			en: `${file} was saved as ${encoding}, which OpenSSH cannot read ("Bad configuration option"): it is now UTF-8 without BOM.`,
		});
	}

	if (plan.stray && result.strayRenamedTo) {
		notes.push(
			plan.stray.appended
				? {
						ru: `Записи из ${plan.stray.path} (так файл сохраняет Блокнот) перенесены в ${file}, сам файл переименован в ${result.strayRenamedTo}.`,
						en: `The entries of ${plan.stray.path} (Notepad's name for the file) were merged into ${file}; it is renamed to ${result.strayRenamedTo}.`,
					}
				: {
						ru: `${plan.stray.path} уже был в ${file} целиком и переименован в ${result.strayRenamedTo}.`,
						en: `${plan.stray.path} was already contained in ${file} and is renamed to ${result.strayRenamedTo}.`,
					},
		);
	}

	if (result.backup) notes.push({ru: `Прежняя версия сохранена в ${result.backup}.`, en: `The previous version is saved as ${result.backup}.`});
	if (result.wrote) notes.push({ru: `Записан ${file}.`, en: `Wrote ${file}.`});
	else if (plan.modeChanged) notes.push({ru: `Права ${file} исправлены на 600.`, en: `Set the mode of ${file} to 600.`});
	return notes;
}

function otherEntryNotes(plan: SshConfigPlan): Text[] {
	return plan.otherEntries.map(entry => ({
		ru: `В ${plan.paths.config} (строка ${entry.line}) есть ещё одна запись «Host ${entry.alias}» вне блока pgha; ssh берёт первое найденное значение, старую запись можно удалить.`,
		en: `${plan.paths.config} line ${entry.line} has another "Host ${entry.alias}" outside pgha's block; ssh uses the first value it finds, so the old entry can be deleted.`,
	}));
}

/** `ssh -G` for every alias: the system client must read the file and get pgha's values. */
async function checkWithSsh(
	host: HostEnv,
	run: RunFile,
	exists: ExistsFn | undefined,
	configFile: string,
	entries: readonly SshHostEntry[],
	log: (line: string) => void,
): Promise<Finding[]> {
	const ssh = findSshTool(host, 'ssh', exists);
	if (!ssh) {
		log(bilingual({ru: 'Клиент ssh не найден: проверка через «ssh -G» пропущена.', en: 'No ssh client found: the "ssh -G" check is skipped.'}));
		return [];
	}

	const findings: Finding[] = [];
	for (const entry of entries) {
		const outcome = await resolveWithSsh(run, ssh, configFile, entry.alias);
		if (!outcome.ok) {
			findings.push({
				node: entry.alias,
				text: {
					ru: `Системный ssh не может прочитать ${configFile}: ${outcome.error}; исправьте указанную строку или удалите файл, и pgha запишет его заново.`,
					en: `The system ssh cannot read ${configFile}: ${outcome.error}; fix the line it names, or delete the file and let pgha write it again.`,
				},
			});
			break;
		}

		const got = outcome.host;
		const differences: string[] = [];
		if (got.hostName !== entry.hostName) differences.push(`HostName ${got.hostName ?? '?'} (pgha: ${entry.hostName})`);
		if (got.user !== entry.user) differences.push(`User ${got.user ?? '?'} (pgha: ${entry.user})`);
		if (got.port !== entry.port) differences.push(`Port ${got.port ?? '?'} (pgha: ${entry.port})`);
		if (differences.length > 0) {
			const list = differences.join(', ');
			findings.push({
				node: entry.alias,
				text: {
					ru: `Для ${entry.alias} ssh берёт из ${configFile} другие значения: ${list}; их задаёт строка выше блока pgha (общая настройка или другая запись Host) — удалите или перенесите её ниже блока.`,
					en: `For ${entry.alias} ssh reads other values from ${configFile}: ${list}; a line above pgha's block (a global option or another Host entry) sets them — delete it or move it below the block.`,
				},
			});
		}
	}

	return findings;
}

export function createSshConfigStage(options: SshConfigStageOptions = {}): Stage {
	const host = hostEnv(options.host);
	const run = options.run ?? runFile;
	const manageKeys = options.keys ?? true;
	const paths = () => resolveSshPaths(host);
	const pair = () => (manageKeys ? findKeyPair(host, paths()) : undefined);
	const entries = (cluster: ClusterConfig) => sshHostEntries(host, paths(), cluster, pair());
	const planFor = async (cluster: ClusterConfig, wanted = entries(cluster)): Promise<SshConfigPlan> => {
		try {
			return await planSshConfig(host, cluster.name, wanted);
		} catch (error) {
			if (!(error instanceof ManagedBlockError)) throw error;
			const file = paths().config;
			throw new StepError({
				ru: `В ${file} повреждён блок pgha (нет одной из строк-меток «# >>> pgha» / «# <<< pgha»): ${error.message}.`,
				en: `pgha's block in ${file} is damaged (one of its "# >>> pgha" / "# <<< pgha" marker lines is missing): ${error.message}.`,
			}, {
				ru: 'Удалите остаток блока вручную, и pgha запишет его заново.',
				en: 'Delete what is left of it by hand and pgha writes it again.',
			});
		}
	};

	const keyPairStep: Step = {
		id: 'host-ssh-key',
		title: {ru: 'Ключ SSH на этом компьютере', en: 'SSH key on this computer'},
		explain: {
			ru: 'Если ключа SSH у вас ещё нет, pgha создаёт пару ed25519 в папке .ssh вашего профиля (без парольной фразы), чтобы VS Code и pgha входили на узлы без пароля. Уже существующий ключ используется как есть.',
			en: 'When you have no SSH key yet, pgha creates an ed25519 pair in the .ssh folder of your profile (without a passphrase) so VS Code and pgha log in to the nodes without a password. An existing key is used as it is.',
		},
		scope: 'host',
		safeToSkip: true,
		async check(ctx) {
			return passwordNodes(ctx.cluster).length === 0 || findKeyPair(host, paths()) !== undefined;
		},
		plan() {
			return [{kind: 'run', command: 'ssh-keygen -t ed25519 -N "" -f ~/.ssh/id_ed25519'}];
		},
		async apply(ctx) {
			if (passwordNodes(ctx.cluster).length === 0 || findKeyPair(host, paths())) return;
			let made;
			try {
				made = await generateKeyPair(host, paths(), {exists: options.exists, run, forceBuiltin: options.builtinKeygen});
			} catch (error) {
				const message = (error as Error).message;
				throw new StepError({ru: `Не удалось создать ключ SSH: ${message}`, en: `Could not create the SSH key: ${message}`});
			}

			ctx.log(bilingual({ru: `Создан ключ ${made.privateKey} (${made.publicLine.split(' ')[0]}).`, en: `Created the key ${made.privateKey} (${made.publicLine.split(' ')[0]}).`}));
		},
		async verify(ctx) {
			if (passwordNodes(ctx.cluster).length === 0) return;
			if (!findKeyPair(host, paths())) {
				throw noKeyPair(paths().sshDir);
			}
		},
	};

	const authorizedKeyStep: Step = {
		id: 'node-authorized-key',
		title: {ru: 'Открытый ключ на узле', en: 'Public key on the node'},
		explain: {
			ru: 'Открытый ключ этого компьютера добавляется в ~/.ssh/authorized_keys пользователя SSH на узле, если его там ещё нет. Папке и файлу ставятся права 700 и 600: с более широкими правами sshd ключ не примет.',
			en: "This computer's public key is added to ~/.ssh/authorized_keys of the node's SSH user unless it is there already. The folder and file get modes 700 and 600: with wider modes sshd ignores the key.",
		},
		scope: 'each-node',
		safeToSkip: true,
		async check(ctx) {
			if (ctx.node.auth.kind === 'key') return true;
			const found = findKeyPair(host, paths());
			if (!found) return false;
			const result = await ctx.remote.exec(authorizedKeyCheck(found.publicLine), {allowFailure: true, signal: ctx.signal});
			return result.code === 0;
		},
		plan(ctx) {
			if (ctx.node.auth.kind === 'key') return [];
			const found = findKeyPair(host, paths());
			const line = found?.publicLine ?? `ssh-ed25519 ${keyPlaceholder}`;
			const command = found ? authorizedKeyScript(line) : `# add ${keyPlaceholder} to ~/.ssh/authorized_keys (mode 600, ~/.ssh mode 700)`;
			return [{kind: 'run', command}];
		},
		async apply(ctx) {
			if (ctx.node.auth.kind === 'key') return;
			const found = findKeyPair(host, paths());
			if (!found) throw noKeyPair(paths().sshDir);
			await ctx.remote.exec(authorizedKeyScript(found.publicLine), {signal: ctx.signal});
		},
		async verify(ctx) {
			if (ctx.node.auth.kind === 'key') return;
			const found = findKeyPair(host, paths());
			if (!found) throw noKeyPair(paths().sshDir);
			const present = await ctx.remote.exec(authorizedKeyCheck(found.publicLine), {allowFailure: true, signal: ctx.signal});
			if (present.code !== 0) {
				throw new StepError({
					ru: `На ${ctx.node.name} открытого ключа нет в ~/.ssh/authorized_keys пользователя ${ctx.node.sshUser}; повторите шаг.`,
					en: `On ${ctx.node.name} the public key is not in ~/.ssh/authorized_keys of ${ctx.node.sshUser}; run the step again.`,
				});
			}

			const modes = await ctx.remote.exec(authorizedKeyModes, {allowFailure: true, signal: ctx.signal});
			const [home] = modes.stdout.trim().split(/\s+/).map(value => Number.parseInt(value, 8));
			if (home !== undefined && !Number.isNaN(home) && (home & 0o022) !== 0) {
				throw new StepError({
					ru: `На ${ctx.node.name} домашняя папка ${ctx.node.sshUser} доступна на запись другим, и sshd не примет ключ: выполните на узле chmod go-w ~.`,
					en: `On ${ctx.node.name} the home folder of ${ctx.node.sshUser} is writable by others, so sshd ignores the key: run chmod go-w ~ on the node.`,
				});
			}
		},
	};

	const configStep: Step = {
		id: 'host-ssh-config',
		title: {ru: 'Узлы в конфиге SSH (для VS Code)', en: 'The nodes in the SSH config (for VS Code)'},
		explain: {
			ru: 'VS Code Remote-SSH берёт список узлов из файла config в папке .ssh. pgha находит папку по USERPROFILE (Windows) или HOME, создаёт .ssh, если её нет, переносит записи из случайного config.txt (так сохраняет Блокнот), пишет файл в UTF-8 без BOM и меняет только свой блок между метками. Остальные записи не трогаются, прежний файл сохраняется рядом, повторный запуск ничего не меняет.',
			en: 'VS Code Remote-SSH lists the hosts of the config file in the .ssh folder. pgha finds the folder from USERPROFILE (Windows) or HOME, creates .ssh when missing, merges a stray config.txt (Notepad saves it so), writes UTF-8 without BOM and changes only its own block between two marker lines. Other entries stay untouched, the previous file is kept next to it, and running it again changes nothing.',
		},
		scope: 'host',
		safeToSkip: true,
		async check(ctx) {
			return planIsDone(await planFor(ctx.cluster));
		},
		plan(ctx): Action[] {
			const content = renderSshConfigBlock(ctx.cluster.name, entries(ctx.cluster)).join('\n') + '\n';
			return [{kind: 'write', path: paths().config, content, mode: 0o600}];
		},
		async apply(ctx) {
			const plan = await planFor(ctx.cluster);
			if (planIsDone(plan)) return;
			const result = await applySshConfig(host, plan, options.now);
			for (const note of [...resultNotes(plan, result), ...otherEntryNotes(plan)]) ctx.log(bilingual(note));
		},
		async verify(ctx) {
			const wanted = entries(ctx.cluster);
			const plan = await planFor(ctx.cluster, wanted);
			if (!planIsDone(plan)) {
				throw new StepError({
					ru: `В ${plan.paths.config} нет актуального блока pgha; повторите шаг.`,
					en: `${plan.paths.config} does not hold pgha's current block; run the step again.`,
				});
			}

			if (options.verifyWithSsh === false) return;
			const findings = await checkWithSsh(host, run, options.exists, plan.paths.config, wanted, ctx.log);
			if (findings.length > 0) throw findingsError(findings);
		},
	};

	const steps: Step[] = manageKeys ? [keyPairStep, authorizedKeyStep, configStep] : [configStep];
	return {
		id: 'ssh-config',
		title: {ru: 'Доступ по SSH с этого компьютера (VS Code)', en: 'SSH access from this computer (VS Code)'},
		explain: {
			ru: 'Готовит вход на узлы по имени pg-node-N из VS Code и терминала: ключ SSH, его установка на узлы и записи в файле config папки .ssh.',
			en: 'Prepares logging in to the nodes by the name pg-node-N from VS Code and a terminal: an SSH key, the key on the nodes, and entries in the config file of the .ssh folder.',
		},
		differsFromGuide: {
			ru: 'Папка берётся из USERPROFILE, а не набирается по имени пользователя (кириллица ломала путь), файл пишется в UTF-8 без BOM, чужие записи не трогаются, а вместо пароля используется ключ.',
			en: 'The folder comes from USERPROFILE instead of a typed user name (a Cyrillic name broke the path), the file is UTF-8 without BOM, other entries are kept, and a key replaces the password.',
		},
		steps,
	};
}

export const sshConfigStage: Stage = createSshConfigStage();

/** No key pair to copy to the nodes: the sentence says how to make one. */
function noKeyPair(sshDir: string): StepError {
	return new StepError({
		ru: `В ${sshDir} нет пары ключей SSH (id_ed25519 и id_ed25519.pub).`,
		en: `There is no SSH key pair (id_ed25519 and id_ed25519.pub) in ${sshDir}.`,
	}, {ru: 'Создайте её командой ssh-keygen -t ed25519.', en: 'Create one with ssh-keygen -t ed25519.'});
}
