import {Box, Text} from 'ink';
import type {Lang} from '../../core/text.ts';
import type {Text as Bilingual} from '../../core/text.ts';
import {color} from '../theme.ts';
import {messages} from '../messages.ts';
import {SelectMenu} from './select-menu.tsx';

export type PreviewChoice = 'continue' | 'skip' | 'quit';

export interface StepPreviewProps {
	readonly lang: Lang;
	readonly stage: Bilingual;
	readonly explain: Bilingual;
	readonly commands: readonly string[];
	readonly maxLines: number;
	readonly onChoice: (choice: PreviewChoice) => void;
}

/** --step mode: what the stage is for and the commands it will run, before it runs. */
export function StepPreview({lang, stage, explain, commands, maxLines, onChoice}: StepPreviewProps) {
	const shown = commands.slice(0, Math.max(1, maxLines));
	const hidden = commands.length - shown.length;
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={color('cyan')} paddingX={1}>
			<Text bold>{stage[lang]}</Text>
			<Text>{explain[lang]}</Text>
			<Text dimColor>{messages.commandsToRun[lang]}:</Text>
			{shown.map((command, index) => (
				<Text key={index} color={color('cyan')} wrap="truncate">
					{'  $ '}
					{command}
				</Text>
			))}
			{hidden > 0 ? <Text dimColor>  … +{hidden}</Text> : null}
			<SelectMenu
				items={[
					{value: 'continue', label: messages.continue[lang]},
					{value: 'skip', label: messages.skip[lang]},
					{value: 'quit', label: messages.quit[lang]},
				]}
				onSelect={onChoice}
			/>
		</Box>
	);
}
