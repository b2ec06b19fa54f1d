/**
 * What `pgha practice` and its `hint`, `check` and `undo` do, against an interface to the nodes
 * and to doctor, so the refusals and the bookkeeping are tested with fakes and no cluster.
 */
import type {ClusterConfig, NodeConfig, Secrets} from '../core/cluster.ts';
import type {Remote} from '../core/remote.ts';
import type {Lang, Text} from '../core/text.ts';
import {t} from '../core/text.ts';
import type {ClusterFacts} from '../doctor/facts.ts';
import type {Finding} from '../doctor/finding.ts';
import {secretValues} from '../config/secrets.ts';
import {shellQuote} from '../ssh/quote.ts';
import {backupDir, findScenario, rootScript, scenarios, type Scenario, type ScenarioContext} from './scenarios.ts';
import {finish, readProgress, score, takeHint, writeProgress, type Current, type Progress} from './progress.ts';

export interface Examination {
	readonly facts: ClusterFacts;
	readonly findings: readonly Finding[];
}

export interface PracticeIo {
	readonly cluster: ClusterConfig;
	readonly secrets: Secrets;
	readonly remotes: ReadonlyMap<string, Remote>;
	readonly progressFile: string;
	readonly lang: Lang;
	/** doctor's facts and findings, read from the nodes now. */
	examine(): Promise<Examination>;
	/** Undefined when there is no terminal to ask in. */
	readonly confirm?: (question: Text) => Promise<boolean>;
	print(line: string): void;
	now(): Date;
	random(): number;
	sleep(ms: number): Promise<void>;
}

/** Bounds a break or undo: long enough for a Patroni restart, short enough not to hang a lesson. */
export const scriptTimeoutMs = 120_000;

export const practiceMsg = {
	alreadyRunning: (name: string) => t(`Сценарий «${name}» уже идёт: pgha practice check, когда исправите, или pgha practice undo.`,
		`Scenario "${name}" is already running: pgha practice check when fixed, or pgha practice undo.`),
	noneRunning: t('Сейчас нет сценария: начните с pgha practice.', 'No scenario is running: start one with pgha practice.'),
	unknown: (name: string) => t(`Нет сценария «${name}» (список: pgha practice --list).`, `There is no scenario "${name}" (see pgha practice --list).`),
	notHealthy: (count: number) => t(`Кластер не здоров (pgha doctor находит проблем: ${count}); практика ломает только здоровый кластер. Сначала исправьте их.`,
		`The cluster is not healthy (pgha doctor finds ${count} problem(s)); practice breaks only a healthy cluster. Fix them first.`),
	question: t('Это ваши ВМ, не лаборатория: pgha сейчас сломает кластер (обратимо, pgha practice undo). Продолжить?',
		'These are your own VMs, not the lab: pgha will now break the cluster (reversibly, pgha practice undo). Go on?'),
	noConfirm: t('Это ваши ВМ, не лаборатория: подтвердите поломку параметром --yes.', 'These are your own VMs, not the lab: confirm the break with --yes.'),
	declined: t('Ничего не изменено.', 'Nothing was changed.'),
	noLeader: t('Не найден лидер и реплика в ответе Patroni: практика невозможна.', 'Patroni names no leader and replica: practice is not possible.'),
	breakFailed: (node: string, detail: string) => t(`Поломка на ${node} не удалась (${detail}); всё возвращено.`, `The break on ${node} failed (${detail}); everything was put back.`),
	started: (name: string, difficulty: number) => t(`Сценарий ${name} (сложность ${difficulty}/3). Что заметил пользователь:`, `Scenario ${name} (difficulty ${difficulty}/3). What a user noticed:`),
	next: t('Найдите причину (pgha doctor поможет) и исправьте. Подсказка: pgha practice hint; проверить: pgha practice check; сдаться: pgha practice undo.',
		'Find the cause (pgha doctor helps) and fix it. A hint: pgha practice hint; verify: pgha practice check; give up: pgha practice undo.'),
	hint: (n: number) => t(`Подсказка ${n} из 3:`, `Hint ${n} of 3:`),
	noMoreHints: t('Подсказок больше нет.', 'There are no more hints.'),
	stillFinds: t('Ещё не исправлено: pgha doctor находит:', 'Not fixed yet: pgha doctor finds:'),
	causeStays: t('doctor чист, но сама причина осталась (симптом мог уйти сам). Ищите дальше.', 'doctor is clean, but the cause itself is still there (the symptom may have gone by itself). Keep looking.'),
	wait: t('Если исправили только что, подождите несколько секунд и проверьте снова.', 'If you have just fixed it, wait a few seconds and check again.'),
	solved: (seconds: number, hints: number, points: number) => t(`Решено за ${seconds} с, подсказок: ${hints}, очков: ${points}.`, `Solved in ${seconds} s with ${hints} hint(s): ${points} points.`),
	undone: t('Кластер восстановлен; попытка записана без очков.', 'The cluster is restored; the attempt is recorded with no points.'),
	undoDirty: t('Откат выполнен, но doctor всё ещё находит:', 'Undone, but doctor still finds:'),
	undoFailed: (node: string, detail: string) => t(`Откат на ${node} не удался: ${detail}`, `The undo on ${node} failed: ${detail}`),
	total: (solved: number, points: number) => t(`Итого: решено ${solved}, очков ${points}.`, `In all: ${solved} solved, ${points} points.`),
};

function says(io: PracticeIo, text: Text): void {
	io.print(text[io.lang]);
}

function node(cluster: ClusterConfig, name: string): NodeConfig {
	return cluster.nodes.find(item => item.name === name)!;
}

/** The leader and a streaming replica, from the first Patroni that answered /cluster. */
export function rolesFrom(facts: ClusterFacts): {leader: string; replica: string} | undefined {
	for (const report of facts.nodes) {
		if (!report.reached) continue;
		const members = report.facts.patroni.cluster?.members;
		if (!members) continue;
		const leader = members.find(member => member.role === 'leader');
		const replica = members.find(member => member.role !== 'leader' && member.state === 'streaming');
		if (leader && replica) return {leader: leader.name, replica: replica.name};
	}

	return undefined;
}

export function targetOf(scenario: Scenario, cluster: ClusterConfig, roles: {leader: string; replica: string}): string {
	switch (scenario.target) {
		case 'leader': return roles.leader;
		case 'replica': return roles.replica;
		case 'haproxy': return cluster.haproxy.nodes[0]!;
		case 'last': return cluster.nodes.at(-1)!.name;
	}
}

export function contextOf(cluster: ClusterConfig, current: Pick<Current, 'node' | 'leader' | 'replica'>): ScenarioContext {
	return {cluster, node: node(cluster, current.node), leader: node(cluster, current.leader), replica: node(cluster, current.replica)};
}

/** One root script on a node; the replication password on stdin for the scripts that compare with it. */
export async function runOn(io: PracticeIo, name: string, script: string): Promise<{ok: boolean; detail: string}> {
	const remote = io.remotes.get(name);
	if (!remote) return {ok: false, detail: t('нет подключения', 'no connection')[io.lang]};
	const result = await remote.exec(`sh -c ${shellQuote(rootScript(script))}`, {
		sudo: true, allowFailure: true, timeoutMs: scriptTimeoutMs,
		stdin: `${io.secrets.replicationPassword}\n`, secrets: secretValues(io.secrets),
	});
	return {ok: result.code === 0, detail: (result.stderr.trim().split('\n').at(-1) ?? '') || `exit ${result.code}`};
}

function findingLines(io: PracticeIo, findings: readonly Finding[]): void {
	for (const item of findings) io.print(`  ${item.node ?? 'cluster'}: ${item.cause[io.lang]}`);
}

export interface StartOptions {
	readonly scenario?: string;
	readonly yes: boolean;
}

/** Exit codes as elsewhere: 0 done, 1 the nodes said no (unhealthy, a failed break), 2 refused as asked. */
export async function startPractice(io: PracticeIo, options: StartOptions): Promise<number> {
	const progress = await readProgress(io.progressFile);
	if (progress.current) {
		says(io, practiceMsg.alreadyRunning(progress.current.scenario));
		return 2;
	}

	let scenario: Scenario;
	if (options.scenario) {
		const named = findScenario(options.scenario);
		if (!named) {
			says(io, practiceMsg.unknown(options.scenario));
			return 2;
		}

		scenario = named;
	} else {
		scenario = scenarios[Math.floor(io.random() * scenarios.length)]!;
	}

	// The student's own VMs: nothing is broken without a yes, asked before anything is read from them.
	if (!io.cluster.lab && !options.yes) {
		if (!io.confirm) {
			says(io, practiceMsg.noConfirm);
			return 2;
		}

		if (!await io.confirm(practiceMsg.question)) {
			says(io, practiceMsg.declined);
			return 1;
		}
	}

	const before = await io.examine();
	if (before.findings.length > 0) {
		says(io, practiceMsg.notHealthy(before.findings.length));
		findingLines(io, before.findings);
		return 1;
	}

	const roles = rolesFrom(before.facts);
	if (!roles) {
		says(io, practiceMsg.noLeader);
		return 1;
	}

	const current: Current = {scenario: scenario.name, node: targetOf(scenario, io.cluster, roles), ...roles, startedAt: io.now().toISOString(), hints: 0};
	// Recorded before the break, so a break cut short can still be undone.
	await writeProgress(io.progressFile, {...progress, current});
	const context = contextOf(io.cluster, current);
	const steps = [{node: context.node, script: scenario.breaks(context)}, ...(scenario.alsoOn?.(context) ?? [])];
	for (const step of steps) {
		const result = await runOn(io, step.node.name, step.script);
		if (!result.ok) {
			await runOn(io, current.node, scenario.undo(context));
			await writeProgress(io.progressFile, progress);
			says(io, practiceMsg.breakFailed(step.node.name, result.detail));
			return 1;
		}
	}

	says(io, practiceMsg.started(scenario.name, scenario.difficulty));
	io.print(`  ${scenario.symptom[io.lang]}`);
	says(io, practiceMsg.next);
	return 0;
}

async function running(io: PracticeIo): Promise<{progress: Progress; current: Current; scenario: Scenario} | undefined> {
	const progress = await readProgress(io.progressFile);
	const scenario = progress.current && findScenario(progress.current.scenario);
	if (!progress.current || !scenario) {
		says(io, practiceMsg.noneRunning);
		return undefined;
	}

	return {progress, current: progress.current, scenario};
}

export async function hintPractice(io: PracticeIo): Promise<number> {
	const state = await running(io);
	if (!state) return 2;
	const before = state.current.hints;
	const {progress, shown} = takeHint(state.progress, state.scenario.hints.length);
	await writeProgress(io.progressFile, progress);
	for (let index = 0; index < shown; index++) {
		says(io, practiceMsg.hint(index + 1));
		io.print(`  ${state.scenario.hints[index]![io.lang]}`);
	}

	if (shown === before) says(io, practiceMsg.noMoreHints);
	return 0;
}

/** Solved: doctor finds nothing and the scenario's own cause is gone on its node. */
export async function checkPractice(io: PracticeIo): Promise<number> {
	const state = await running(io);
	if (!state) return 2;
	const now = await io.examine();
	if (now.findings.length > 0) {
		says(io, practiceMsg.stillFinds);
		findingLines(io, now.findings);
		says(io, practiceMsg.wait);
		return 1;
	}

	const cause = await runOn(io, state.current.node, state.scenario.causeGone(contextOf(io.cluster, state.current)));
	if (!cause.ok) {
		says(io, practiceMsg.causeStays);
		return 1;
	}

	// The break's backups are stale once the student has fixed the node by hand.
	await runOn(io, state.current.node, `rm -f ${backupDir}/* && rmdir ${backupDir} 2>/dev/null; true`);
	const done = finish(state.progress, state.scenario.difficulty, 'solved', io.now());
	await writeProgress(io.progressFile, done);
	const attempt = done.attempts.at(-1)!;
	says(io, practiceMsg.solved(attempt.seconds, attempt.hints, attempt.points));
	const total = score(done);
	says(io, practiceMsg.total(total.solved, total.points));
	return 0;
}

/** Puts the cluster back and waits (about a minute at most) for doctor to find nothing. */
export async function undoPractice(io: PracticeIo, {attempts = 12, intervalMs = 5000} = {}): Promise<number> {
	const state = await running(io);
	if (!state) return 2;
	const result = await runOn(io, state.current.node, state.scenario.undo(contextOf(io.cluster, state.current)));
	if (!result.ok) {
		// Kept as current: the student (or a second undo) can try again.
		says(io, practiceMsg.undoFailed(state.current.node, result.detail));
		return 1;
	}

	await writeProgress(io.progressFile, finish(state.progress, state.scenario.difficulty, 'undone', io.now()));
	let last: Examination | undefined;
	for (let attempt = 0; attempt < attempts; attempt++) {
		if (attempt > 0) await io.sleep(intervalMs);
		last = await io.examine();
		if (last.findings.length === 0) {
			says(io, practiceMsg.undone);
			return 0;
		}
	}

	says(io, practiceMsg.undoDirty);
	findingLines(io, last?.findings ?? []);
	return 1;
}

/** `--list`: name, difficulty and one line per scenario. */
export function catalogText(lang: Lang): string {
	return scenarios.map(scenario => `${scenario.name.padEnd(listNameWidth)} ${'*'.repeat(scenario.difficulty).padEnd(3)} ${scenario.description[lang]}`).join('\n') + '\n';
}

export const listNameWidth = 21;
