/**
 * `pgha test --timing PRESET`: one test run with another Patroni timing, to see what it changes
 * without editing the cluster file. ttl, loop_wait and retry_timeout live in Patroni's dynamic
 * configuration (in etcd), so they are set there with `patronictl edit-config` for the run and put
 * back to the cluster file's values afterwards, whatever the run's outcome.
 */
import type {Session} from '../app/session.ts';
import type {ClusterConfig, TimingPreset} from '../core/cluster.ts';
import {sleep} from '../core/sleep.ts';
import type {Lang, Text} from '../core/text.ts';
import {timingPresets} from '../config/defaults.ts';
import {secretValues} from '../config/secrets.ts';
import {patroniOsUser} from '../../templates/patroni-yml.ts';
import {editConfigCommand} from '../../steps/patroni.ts';

const describe = (cluster: ClusterConfig): string => `ttl ${cluster.timing.ttl}, loop_wait ${cluster.timing.loopWait}, retry_timeout ${cluster.timing.retryTimeout}`;

export const timingTexts = {
	applied: (preset: TimingPreset, run: ClusterConfig, file: ClusterConfig): Text => ({
		ru: `Тайминг «${preset}» на время теста: ${describe(run)} (в файле кластера ${describe(file)}; вернётся после теста).`,
		en: `Timing "${preset}" for this test: ${describe(run)} (the cluster file has ${describe(file)}; put back after the test).`,
	}),
	restored: (file: ClusterConfig): Text => ({
		ru: `Тайминг возвращён: ${describe(file)}.`,
		en: `Timing put back: ${describe(file)}.`,
	}),
	notApplied: (detail: string): Text => ({
		ru: `--timing: patronictl edit-config не сработал ни на одном узле (${detail}); тест не запускался.`,
		en: `--timing: patronictl edit-config failed on every node (${detail}); the test did not run.`,
	}),
	notRestored: (detail: string): Text => ({
		ru: `Тайминг НЕ возвращён (${detail}). Верните его: pgha apply --only patroni (шаг «Тайминги Patroni в etcd»).`,
		en: `The timing was NOT put back (${detail}). Put it back with: pgha apply --only patroni (step "Patroni timing in etcd").`,
	}),
};

/** The cluster as the run sees it: the preset's Patroni timing, everything else from the file. */
export function withPreset(cluster: ClusterConfig, preset: TimingPreset): ClusterConfig {
	return {...cluster, timing: timingPresets[preset]};
}

/** `patronictl edit-config` with `cluster`'s dynamic settings, on the first node that takes it. */
async function setDynamicConfig(session: Session, cluster: ClusterConfig): Promise<string | undefined> {
	let failure = 'no node connected';
	for (const node of cluster.nodes) {
		const remote = session.remotes.get(node.name);
		if (!remote) continue;
		const result = await remote.exec(editConfigCommand(cluster), {asUser: patroniOsUser, allowFailure: true, timeoutMs: 60_000, secrets: secretValues(session.secrets)})
			.catch((error: unknown) => ({code: -1, stdout: '', stderr: error instanceof Error ? error.message : String(error)}));
		if (result.code === 0) return undefined;
		failure = `${node.name}: ${(result.stderr || result.stdout).trim().split('\n').at(-1) ?? `exit ${result.code}`}`;
	}

	return failure;
}

/**
 * Runs `body` with the preset in force on the cluster (and in the session's cluster, which the bounds
 * and the prediction read), then puts the cluster file's timing back.
 */
export interface TimingIo {
	readonly say: (line: string) => void;
	/** The wait for every Patroni to read the change (a stand-in in tests). */
	readonly settle: (ms: number) => Promise<void>;
}

const terminalIo: TimingIo = {say: line => process.stdout.write(`${line}\n`), settle: ms => sleep(ms)};

export async function withTestTiming(session: Session, preset: TimingPreset | undefined, lang: Lang, body: (session: Session) => Promise<number>, io: TimingIo = terminalIo): Promise<number> {
	const {say} = io;
	const file = session.cluster;
	const run = preset ? withPreset(file, preset) : file;
	if (!preset || describe(run) === describe(file)) return body(session);
	const problem = await setDynamicConfig(session, run);
	if (problem) {
		process.stderr.write(`${timingTexts.notApplied(problem)[lang]}\n`);
		return 1;
	}

	say(timingTexts.applied(preset, run, file)[lang]);
	// Each Patroni reads the change on its next loop, at most the old loop_wait from now.
	await io.settle((file.timing.loopWait + 2) * 1000);
	try {
		return await body({...session, cluster: run});
	} finally {
		const notPutBack = await setDynamicConfig(session, file);
		say((notPutBack ? timingTexts.notRestored(notPutBack) : timingTexts.restored(file))[lang]);
	}
}
