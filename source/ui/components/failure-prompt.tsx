import {Box, Text} from 'ink';
import type {Lang} from '../../core/text.ts';
import type {Text as Bilingual} from '../../core/text.ts';
import type {FailureChoice} from '../ui-store.ts';
import {color} from '../theme.ts';
import {messages} from '../messages.ts';
import {SelectMenu, type MenuItem} from './select-menu.tsx';

export interface FailurePromptProps {
	readonly lang: Lang;
	readonly stage: Bilingual;
	readonly error: string;
	readonly tail: readonly string[];
	readonly logFile: string;
	readonly canSkip: boolean;
	readonly maxTailLines: number;
	readonly onChoice: (choice: FailureChoice) => void;
}

/** After the automatic retries: the error in one sentence, the last lines, and what to do next. */
export function FailurePrompt({lang, stage, error, tail, logFile, canSkip, maxTailLines, onChoice}: FailurePromptProps) {
	const items: Array<MenuItem<FailureChoice>> = [{value: 'retry', label: messages.retry[lang]}];
	if (canSkip) items.push({value: 'skip', label: messages.skip[lang]});
	items.push({value: 'log', label: messages.showLog[lang]}, {value: 'quit', label: messages.quit[lang]});
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={color('red')} paddingX={1}>
			<Text color={color('red')} bold>
				✖ {messages.stageFailed[lang]}: {stage[lang]}
			</Text>
			<Text>{error}</Text>
			{tail.length > 0 ? <Text dimColor>{messages.lastLines[lang]}:</Text> : null}
			{tail.slice(-maxTailLines).map((line, index) => (
				<Text key={index} dimColor wrap="truncate">
					{'  '}
					{line}
				</Text>
			))}
			<Text dimColor>
				{messages.logFile[lang]}: {logFile}
			</Text>
			<SelectMenu items={items} onSelect={onChoice} />
			<Text dimColor>{messages.keysHelp[lang]}</Text>
		</Box>
	);
}
