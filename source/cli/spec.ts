/**
 * What every command accepts, as data: its options (with values and their allowed sets), its
 * positional arguments and whether it takes a command after `--`. The parser, the usage text and
 * `--help` all read this one definition, so they never disagree.
 */
import type {Text} from '../core/text.ts';
import {defaultRelease, labReleases, maxNodes, minNodes, validPrefix} from '../lab/settings.ts';
import {scenarioNames} from '../practice/scenarios.ts';

const t = (ru: string, en: string): Text => ({ru, en});

export interface OptionValue {
	/** Shown in the usage: FILE, STAGE... */
	readonly hint: string;
	/** The allowed values, read when needed (stage ids come from the stage list itself). */
	readonly choices?: () => readonly string[];
	/** Comma-separated list; the option may also be repeated. */
	readonly list?: boolean;
	/** Extra check of one value: a sentence when it is not acceptable. */
	readonly check?: (value: string) => Text | undefined;
}

export interface OptionSpec {
	readonly name: string;
	readonly short?: string;
	/** Absent: a switch (no value). */
	readonly value?: OptionValue;
	readonly help: Text;
}

export interface PositionalSpec {
	readonly name: string;
	readonly check?: (value: string) => Text | undefined;
}

export interface CommandSpec {
	/** As typed after `pgha` ("" for the wizard, "lab up" for a lab command). */
	readonly name: string;
	readonly summary: Text;
	readonly options: readonly OptionSpec[];
	readonly positionals?: readonly PositionalSpec[];
	/** A command line after `--` is required (lab exec). */
	readonly rest?: string;
}

export const helpOption: OptionSpec = {name: 'help', short: 'h', help: t('эта справка', 'this help')};
const langValues = ['ru', 'en'] as const;
const configOption: OptionSpec = {name: 'config', short: 'c', value: {hint: 'FILE'}, help: t('файл кластера (по умолчанию ./pgha.yaml)', 'the cluster file (default: ./pgha.yaml)')};
const langOption: OptionSpec = {name: 'lang', value: {hint: 'ru|en', choices: () => langValues}, help: t('язык сообщений (по умолчанию из локали)', 'language of the messages (default: from the locale)')};
const yesOption: OptionSpec = {name: 'yes', short: 'y', help: t('заранее согласиться на разрушающие исправления (например, очистку старого каталога etcd)', 'agree in advance to destructive fixes (such as clearing a stale etcd data directory)')};
const stepOption: OptionSpec = {name: 'step', help: t('перед каждым этапом: объяснение и команды, затем продолжить / пропустить / выйти (нужен терминал)', 'before each stage: its explanation and commands, then continue / skip / quit (needs a terminal)')};

export function stageOptions(stageIds: () => readonly string[]): OptionSpec[] {
	return [
		{name: 'from', value: {hint: 'STAGE', choices: stageIds}, help: t('начать с этого этапа', 'start at this stage')},
		{name: 'only', value: {hint: 'STAGE,...', choices: stageIds, list: true}, help: t('только эти этапы', 'only these stages')},
		{name: 'no-host', help: t('без этапов на этом компьютере (VirtualBox, доступность, ~/.ssh/config)', 'leave out the stages on this computer (VirtualBox, reachability, ~/.ssh/config)')},
	];
}

const nodeNumber: PositionalSpec = {
	name: 'N',
	check: value => (/^[1-9]\d*$/.test(value) && Number(value) <= maxNodes ? undefined : t(`номер узла от 1 до ${maxNodes}`, `a node number from 1 to ${maxNodes}`)),
};

const labCommon = [langOption, helpOption];
const releaseOption: OptionSpec = {
	name: 'release',
	value: {hint: labReleases.join('|'), choices: () => labReleases},
	help: t(`выпуск Debian узлов (по умолчанию ${defaultRelease})`, `the nodes' Debian release (default: ${defaultRelease})`),
};

function labNodeCommand(name: string, summary: Text): CommandSpec {
	return {name: `lab ${name}`, summary, options: labCommon, positionals: [nodeNumber]};
}

/** The lab's commands, in the order of its usage text. */
export const labCommands: readonly CommandSpec[] = [
	{name: 'lab build', summary: t('локальный apt-репозиторий и корневая ФС узлов (кэш в /var/cache/pgha-lab)', 'local apt repository and node root filesystem (cached in /var/cache/pgha-lab)'), options: [
		{name: 'force', help: t('собрать заново, даже если ничего не изменилось', 'rebuild even when nothing changed')}, releaseOption, ...labCommon]},
	{name: 'lab up', summary: t('запустить узлы и записать файл кластера', 'boot the nodes and write the cluster file'), options: [
		{name: 'nodes', value: {hint: 'N', check: value => (/^\d+$/.test(value) && Number(value) >= minNodes && Number(value) <= maxNodes ? undefined : t(`от ${minNodes} до ${maxNodes}`, `from ${minNodes} to ${maxNodes}`))}, help: t('число узлов', 'how many nodes')},
		{name: 'prefix', value: {hint: '192.168.0', check: value => (validPrefix(value) ? undefined : t('три числа сети /24, например 192.168.0', 'the three numbers of a /24, e.g. 192.168.0'))}, help: t('сеть узлов', 'the nodes\' network')},
		{name: 'output', short: 'o', value: {hint: 'FILE'}, help: t('куда записать файл кластера (по умолчанию pgha.yaml)', 'where to write the cluster file (default: pgha.yaml)')},
		releaseOption, ...labCommon]},
	{name: 'lab status', summary: t('узлы, адреса, работает ли (код 3, если лаборатория не запущена)', 'nodes, IPs, up or down (exit 3 when the lab is down)'), options: labCommon},
	{name: 'lab reset', summary: t('все узлы снова чистые, за секунды', 'every node back to fresh, in seconds'), options: labCommon},
	{name: 'lab down', summary: t('выключить и убрать всё, что создала лаборатория', 'power off and remove everything the lab created'), options: labCommon},
	labNodeCommand('stop-node', t('выключить узел (данные сохраняются)', 'power a node off (its data is kept)')),
	labNodeCommand('start-node', t('включить узел снова', 'power a node on again')),
	labNodeCommand('cut', t('отключить сетевой кабель узла', 'unplug a node\'s network cable')),
	labNodeCommand('heal', t('подключить кабель обратно', 'plug the cable back in')),
	{name: 'lab exec', summary: t('выполнить команду от root внутри узла без SSH', 'run a command as root inside a node, without SSH'), options: labCommon, positionals: [nodeNumber], rest: 'CMD'},
];

const practiceCommon = [configOption, langOption, helpOption];

/** `pgha practice` itself and its three follow-ups, in the order of its usage text. */
export const practiceCommand: CommandSpec = {
	name: 'practice', summary: t('сломать здоровый кластер учебной неисправностью и найти причину: hint | check | undo', 'break a healthy cluster with a training fault and find the cause: hint | check | undo'),
	options: [configOption, langOption,
		{name: 'scenario', value: {hint: 'NAME', choices: scenarioNames}, help: t('этот сценарий (по умолчанию случайный)', 'this scenario (default: a random one)')},
		{name: 'list', help: t('список сценариев со сложностью; ничего не меняет', 'the scenarios with their difficulty; changes nothing')},
		{name: 'yes', short: 'y', help: t('на своих ВМ (не в лаборатории): согласие ломать без вопроса', 'on your own VMs (not the lab): agree to the break without a question')},
		helpOption],
};

export const practiceCommands: readonly CommandSpec[] = [
	{name: 'practice hint', summary: t('следующая подсказка (всего три, каждая стоит очков)', 'the next hint (three in all, each costs points)'), options: practiceCommon},
	{name: 'practice check', summary: t('проверить с узлов: doctor чист и причина устранена', 'verify from the nodes: doctor clean and the cause gone'), options: practiceCommon},
	{name: 'practice undo', summary: t('сдаться: вернуть кластер как был', 'give up: put the cluster back as it was'), options: practiceCommon},
];

/** The top-level commands; stage ids and the test stage's test names are passed in so this module does not load every step. */
export function topCommands(stageIds: () => readonly string[], testChoices: () => readonly string[] = () => []): readonly CommandSpec[] {
	return [
		{name: '', summary: t('мастер: вопросы установки (в первый раз) или экран продолжения, затем все этапы', 'the wizard: setup questions (first time) or the resume screen, then every stage'),
			options: [configOption, langOption, yesOption, stepOption, helpOption, {name: 'version', short: 'v', help: t('версия', 'version')}]},
		{name: 'apply', summary: t('все этапы без вопросов; код 0 только если кластер проверен и здоров', 'every stage without setup questions; exit 0 only when the cluster is verified healthy'),
			options: [configOption, langOption, yesOption, ...stageOptions(stageIds), stepOption, helpOption]},
		{name: 'status', summary: t('участники, роли, отставание, линия времени и серверы HAProxy; ничего не меняет', 'members, roles, lag, timeline and HAProxy backends; changes nothing'),
			options: [configOption, langOption, helpOption]},
		{name: 'test', summary: t('доказать, что кластер переживает отказы, с замером простоя', 'prove the cluster survives failures, with the outage measured'),
			options: [configOption, langOption, yesOption, stepOption,
				{name: 'only', value: {hint: 'TEST,...', choices: testChoices, list: true},
					help: t('только эти проверки (например, kill или poweroff,cut); подготовка и отчёт выполняются всегда', 'only these tests (e.g. kill, or poweroff,cut); the preparation and the report always run')},
				{name: 'max-outage', value: {hint: 'S', check: value => (/^[1-9]\d{0,3}$/.test(value) ? undefined : t('целое число секунд от 1 до 9999', 'a whole number of seconds from 1 to 9999'))},
					help: t('предел простоя записи при отказе: дольше — проверка не пройдена (без него медленнее теории — «медленно», не ошибка)', 'a limit on the write outage of a failover: longer fails the check (without it, slower than the theory is reported as slow, not failed)')},
				{name: 'timing', value: {hint: 'PRESET', choices: () => ['default', 'fast']},
					help: t('другой тайминг Patroni только на этот тест (через patronictl edit-config), после теста — как в файле', 'another Patroni timing for this test only (through patronictl edit-config), put back to the file\'s afterwards')},
				helpOption]},
		{name: 'doctor', summary: t('что не так с кластером: по узлам, с уликой, исправлением и ссылкой на runbook; ничего не меняет', 'what is wrong with the cluster: by node, with the evidence, the fix and a runbook link; changes nothing'),
			options: [configOption, langOption,
				{name: 'json', help: t('вывод в JSON для скриптов', 'JSON output for scripts')},
				helpOption]},
		practiceCommand,
		{name: 'runbook', summary: t('исправленная методичка для вашего файла кластера (Markdown)', 'the corrected guide for your cluster file (Markdown)'),
			options: [configOption, langOption,
				{name: 'output', short: 'o', value: {hint: 'FILE'}, help: t('записать в файл (только новый файл или runbook, записанный pgha)', 'write to a file (a new file or a runbook pgha wrote)')},
				{name: 'force', help: t('с -o: перезаписать и чужой файл', 'with -o: overwrite even a file pgha did not write')},
				helpOption]},
		{name: 'lab', summary: t('три локальных узла, как ВМ курса: build | up | down | reset | status | stop-node | start-node | cut | heal | exec', 'three local nodes like the course VMs: build | up | down | reset | status | stop-node | start-node | cut | heal | exec'),
			options: labCommon},
	];
}
