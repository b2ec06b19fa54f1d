import {Box, Static, Text, useStdout} from 'ink';
import {useRef, useSyncExternalStore} from 'react';
import type {Lang} from '../core/text.ts';
import type {StageView} from '../engine/store.ts';
import type {UiStore} from './ui-store.ts';
import type {ScreenFeed} from './screen-feed.ts';
import {StageLine} from './components/stage-line.tsx';
import {LiveStep} from './components/live-step.tsx';
import {FailurePrompt} from './components/failure-prompt.tsx';
import {StepPreview} from './components/step-preview.tsx';
import {LogViewer} from './components/log-viewer.tsx';
import {Summary} from './components/summary.tsx';
import {spinnerFrames} from './theme.ts';
import {messages} from './messages.ts';
import {KeyRoot} from './keys.tsx';
import {rowsOf} from './stage-row.ts';

export interface RunScreenProps {
	/** The engine's snapshot and the spinner's beat. */
	readonly feed: ScreenFeed;
	/** Questions, the full log and the summary. */
	readonly store: UiStore;
	readonly lang: Lang;
	/** Ctrl+C arrives as a key while Ink holds the terminal in raw mode. */
	readonly onInterrupt?: () => void;
}

/** Enough to follow apt on three nodes; every extra line is redrawn on every frame. */
const maxLiveLines = 18;
/** What a failure dialog needs (its border, sentence, log path and four choices). */
const minLiveLines = 14;

const finished = new Set(['done', 'already-done', 'checked', 'skipped']);

/**
 * The stages for the screen's history: <Static> prints the items after the ones it has printed, by
 * count, so the list it gets must only ever grow, by stages finished in order. A stage is added once
 * it and every stage before it are finished, with the line it finished with; nothing is taken back.
 */
function useHistory(stages: readonly StageView[]): StageView[] {
	const printed = useRef<StageView[]>([]);
	let count = printed.current.length;
	const sameRun = printed.current.every((stage, index) => stages[index]?.id === stage.id);
	if (sameRun) {
		while (count < stages.length && finished.has(stages[count]!.status)) count++;
		if (count > printed.current.length) printed.current = [...printed.current, ...stages.slice(printed.current.length, count)];
	}

	return printed.current;
}

export function RunScreen({feed, store, lang, onInterrupt}: RunScreenProps) {
	const frame = useSyncExternalStore(feed.subscribe, feed.getSnapshot);
	const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
	const {stdout} = useStdout();
	const rows = stdout.rows || 24;
	const columns = stdout.columns || 80;
	const history = useHistory(frame.run.stages);
	const shown = new Set(history.map(stage => stage.id));
	const active = frame.run.stages.filter(stage => !shown.has(stage.id));
	const running = active.some(stage => stage.status === 'running');
	// The beat and the clock move together (screen-feed.ts): no timers of the screen's own.
	const spinner = running ? spinnerFrames[frame.tick % spinnerFrames.length]! : spinnerFrames[0]!;
	const now = Date.now();
	const runningStep = active.flatMap(stage => stage.steps).find(step => step.status === 'running');
	// The terminal's last column is left free: a row that fills it wraps in some terminals.
	const width = Math.max(20, columns - 1);
	const rowsOfStage = (stage: StageView) => rowsOf(stage, lang, width, spinner, now);
	const heightOf = (stages: readonly StageView[]) => stages.reduce((sum, stage) => sum + rowsOfStage(stage).length, 0);
	// Early in a run on a small terminal, the stages still to come would leave a dialog no room:
	// then they are one line, and each gets its own row once it starts.
	const waiting = active.filter(stage => stage.status === 'pending');
	const started = active.filter(stage => stage.status !== 'pending');
	const collapse = waiting.length > 1 && rows - heightOf(active) - 4 < minLiveLines;
	const shownStages = collapse ? started : active;
	const stageHeight = heightOf(shownStages) + (collapse ? 1 : 0);
	// Keep the live frame below the terminal's height: Ink clears the screen (and its history) on overflow.
	const budget = Math.min(maxLiveLines, Math.max(3, rows - stageHeight - 4));
	const question = state.question;
	const onKey = (input: string, key: {ctrl: boolean}) => {
		if (key.ctrl && input === 'c') onInterrupt?.();
	};

	const live = (
		<>
			{shownStages.map(stage => (
				<StageLine key={stage.id} rows={rowsOfStage(stage)} />
			))}
			{collapse ? (
				<Text dimColor wrap="truncate">
					· {messages.moreStages[lang]}: {waiting.map(stage => stage.title[lang]).join(', ')}
				</Text>
			) : null}
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
			{!question && runningStep ? <LiveStep step={runningStep} lang={lang} maxLines={budget} width={width} /> : null}
			{state.summary ? <Summary lang={lang} summary={state.summary} /> : null}
			<Text dimColor wrap="truncate">
				{messages.logs[lang]}: {frame.logDir}
			</Text>
		</>
	);

	// <Static> stays mounted, at the same place in the tree, whatever is shown below it: mounted
	// again, it would print the whole history a second time.
	return (
		<KeyRoot fallback={onKey}>
			<Box flexDirection="column">
				<Static items={history}>{stage => <StageLine key={stage.id} rows={rowsOf(stage, lang, width, '', now)} />}</Static>
				{state.log ? (
					<LogViewer lang={lang} title={state.log.title} lines={state.log.lines} height={rows - 1} onClose={() => store.answer({kind: 'closed'})} />
				) : (
					live
				)}
			</Box>
		</KeyRoot>
	);
}
