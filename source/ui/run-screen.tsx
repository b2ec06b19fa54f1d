import {Box, Static, Text, useInput, useStdout} from 'ink';
import {useMemo, useSyncExternalStore} from 'react';
import type {Lang} from '../i18n.ts';
import type {UiStore} from './ui-store.ts';
import type {StageView} from './view-model.ts';
import {StageLine} from './components/stage-line.tsx';
import {LiveStep} from './components/live-step.tsx';
import {FailurePrompt} from './components/failure-prompt.tsx';
import {ChangedHostKeyNotice, NewHostKeyPrompt} from './components/host-key-prompt.tsx';
import {PasswordPrompt} from './components/password-prompt.tsx';
import {StepPreview} from './components/step-preview.tsx';
import {LogViewer} from './components/log-viewer.tsx';
import {Summary} from './components/summary.tsx';
import {spinnerFrames} from './theme.ts';
import {messages} from './messages.ts';

export interface RunScreenProps {
	readonly store: UiStore;
	readonly lang: Lang;
	/** Ctrl+C arrives as a key while Ink holds the terminal in raw mode. */
	readonly onInterrupt?: () => void;
}

/** Enough to follow apt on three nodes; every extra line is redrawn on every frame. */
const maxLiveLines = 18;

const finished = new Set(['done', 'already-done', 'skipped']);

/** Stages finished in order move to <Static>: printed once, never repainted. */
function splitFinished(stages: readonly StageView[]): [readonly StageView[], readonly StageView[]] {
	let index = 0;
	while (index < stages.length && finished.has(stages[index]!.status)) index++;
	return [stages.slice(0, index), stages.slice(index)];
}

export function RunScreen({store, lang, onInterrupt}: RunScreenProps) {
	useInput((input, key) => {
		if (key.ctrl && input === 'c') onInterrupt?.();
	});
	const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
	const {stdout} = useStdout();
	const rows = stdout.rows || 24;
	const columns = stdout.columns || 80;
	const [done, active] = splitFinished(state.run.stages);
	// <Static> prints only items it has not seen; a stable array spares it a diff on every output line.
	const doneKey = done.map(stage => stage.id).join('\n');
	const staticItems = useMemo(() => [...done], [doneKey]);
	const running = active.some(stage => stage.status === 'running');
	// The frame counter and the clock move together (render-run.tsx): no timers of the screen's own.
	const spinner = running ? spinnerFrames[(state.frame ?? 0) % spinnerFrames.length]! : spinnerFrames[0]!;
	const now = Date.now();
	const runningStep = active.flatMap(stage => stage.steps).find(step => step.status === 'running');
	// Keep the live frame below the terminal's height: Ink clears the screen on overflow.
	const budget = Math.min(maxLiveLines, Math.max(3, rows - active.length - 4));
	const question = state.question;

	if (state.log) {
		return <LogViewer lang={lang} title={state.log.title} lines={state.log.lines} height={rows - 1} onClose={() => store.answer({kind: 'closed'})} />;
	}

	return (
		<Box flexDirection="column">
			<Static items={staticItems}>{stage => <StageLine key={stage.id} stage={stage} lang={lang} spinner="" now={now} />}</Static>
			{active.map(stage => (
				<StageLine key={stage.id} stage={stage} lang={lang} spinner={spinner} now={now} />
			))}
			{question?.kind === 'failure' ? (
				<FailurePrompt
					lang={lang}
					stage={question.stage}
					error={question.error}
					tail={question.tail}
					logFile={question.logFile}
					canSkip={question.canSkip}
					maxTailLines={Math.max(1, budget - 8)}
					onChoice={choice => store.answer({kind: 'failure', choice})}
				/>
			) : null}
			{question?.kind === 'host-key-new' ? (
				<NewHostKeyPrompt lang={lang} node={question.node} host={question.host} fingerprint={question.fingerprint} onAnswer={trust => store.answer({kind: 'host-key', trust})} />
			) : null}
			{question?.kind === 'host-key-changed' ? (
				<ChangedHostKeyNotice lang={lang} node={question.node} host={question.host} known={question.known} offered={question.offered} onClose={() => store.answer({kind: 'closed'})} />
			) : null}
			{question?.kind === 'sudo-password' ? (
				<PasswordPrompt lang={lang} node={question.node} wrong={question.wrong} onSubmit={password => store.answer({kind: 'sudo-password', password})} />
			) : null}
			{question?.kind === 'step-preview' ? (
				<StepPreview
					lang={lang}
					stage={question.stage}
					explain={question.explain}
					commands={question.commands}
					maxLines={Math.max(1, budget - 8)}
					onChoice={choice => store.answer({kind: 'step-preview', choice})}
				/>
			) : null}
			{!question && runningStep ? <LiveStep step={runningStep} lang={lang} maxLines={budget} width={columns - 1} /> : null}
			{state.summary ? <Summary lang={lang} summary={state.summary} /> : null}
			{state.message ? <Text>{state.message}</Text> : null}
			<Text dimColor wrap="truncate">
				{messages.logs[lang]}: {state.run.logDir}
			</Text>
		</Box>
	);
}
