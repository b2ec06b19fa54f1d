/**
 * Runs stages for a command: the engine underneath, Ink on top in a terminal, plain lines otherwise.
 * This module is the one owner of Ctrl+C during a run: it aborts the SSH work, lets the engine save
 * its state, restores the terminal and reports 'aborted' (exit code 130 for the caller).
 */
import {readFile} from 'node:fs/promises';
import {runPipeline, RunStore, displayCommand, type FailureInfo, type PipelineResult} from '../engine/index.ts';
import type {Stage} from '../core/stage.ts';
import type {Lang} from '../core/text.ts';
import {renderRun, type MountedRun} from '../ui/render-run.tsx';
import {planAll} from '../runbook.ts';
import type {Session} from './session.ts';

export interface RunStagesOptions {
	readonly session: Session;
	readonly stages: readonly Stage[];
	readonly lang: Lang;
	/** A terminal is attached: Ink screen and questions. Otherwise plain lines and no questions. */
	readonly interactive: boolean;
	readonly yes?: boolean;
	readonly from?: string;
	readonly only?: readonly string[];
	/** --step: explain each stage and list its commands before running it. */
	readonly stepMode?: boolean;
	/** Tests use silent output. */
	readonly quiet?: boolean;
}

export interface StagesOutcome {
	readonly result: PipelineResult;
	readonly interrupted: boolean;
	readonly mounted?: MountedRun;
}

function stageCommands(stage: Stage, session: Session): string[] {
	return planAll([stage], session.cluster).flatMap(item =>
		item.actions.map(action => `${item.node.name}: ${action.kind === 'run' ? displayCommand(action.command, action) : `write ${action.path}`}`),
	);
}

async function askAboutFailure(mounted: MountedRun, failure: FailureInfo, lang: Lang): Promise<'retry' | 'skip' | 'quit'> {
	const first = failure.failures[0];
	for (;;) {
		const answer = await mounted.ui.ask({
			kind: 'failure',
			stage: failure.stage.title,
			error: failure.failures.map(item => (item.text ? item.text[lang] : item.message)).join('\n'),
			tail: first?.tail ?? [],
			logFile: first?.logFile ?? '',
			canSkip: failure.canSkip,
		});
		if (answer.kind !== 'failure') return 'quit';
		if (answer.choice !== 'log') return answer.choice;
		const lines = first?.logFile ? (await readFile(first.logFile, 'utf8').catch(() => '')).split('\n') : [];
		await mounted.ui.showLog(first?.logFile ?? '', lines);
	}
}

export async function runStages(options: RunStagesOptions): Promise<StagesOutcome> {
	const {session, lang} = options;
	const controller = new AbortController();
	let interrupted = false;
	const interrupt = () => {
		interrupted = true;
		controller.abort(new Error('interrupted'));
	};

	process.on('SIGINT', interrupt);
	process.on('SIGTERM', interrupt);
	const runStore = new RunStore();
	const mounted = options.interactive && !options.quiet ? renderRun(runStore, lang, session.paths.logsDir, interrupt) : undefined;
	try {
		const result = await runPipeline({
			cluster: session.cluster,
			secrets: session.secrets,
			stages: options.stages,
			remotes: session.remotes,
			hostRemote: session.hostRemote,
			stateFile: session.paths.stateFile,
			logDir: session.paths.logsDir,
			renderer: mounted ? 'store' : options.quiet ? 'silent' : 'simple',
			store: runStore,
			signal: controller.signal,
			yes: options.yes,
			from: options.from,
			only: options.only,
			lang,
			mask: session.password ? [session.password] : [],
			onFailure: mounted ? async failure => askAboutFailure(mounted, failure, lang) : undefined,
			beforeStage:
				mounted && options.stepMode
					? async info => {
							const answer = await mounted.ui.ask({kind: 'step-preview', stage: info.stage.title, explain: info.stage.explain, commands: stageCommands(info.stage, session)});
							return answer.kind === 'step-preview' ? (answer.choice === 'continue' ? 'run' : answer.choice === 'skip' ? 'skip' : 'quit') : 'quit';
						}
					: undefined,
		});
		return {result, interrupted: interrupted || result.status === 'aborted', mounted};
	} finally {
		process.off('SIGINT', interrupt);
		process.off('SIGTERM', interrupt);
	}
}
