import {Box, Text} from 'ink';
import {useKeys} from '../keys.tsx';
import {useState} from 'react';
import type {Lang} from '../../core/text.ts';
import {messages} from '../messages.ts';

export interface LogViewerProps {
	readonly lang: Lang;
	readonly title: string;
	readonly lines: readonly string[];
	readonly height: number;
	readonly onClose: () => void;
}

/** A scrollable window on a log file; it starts at the end, where the error is. */
export function LogViewer({lang, title, lines, height, onClose}: LogViewerProps) {
	const page = Math.max(1, height - 2);
	const last = Math.max(0, lines.length - page);
	const [top, setTop] = useState(last);
	useKeys((input, key) => {
		if (input === 'q' || key.escape) onClose();
		else if (key.upArrow) setTop(value => Math.max(0, value - 1));
		else if (key.downArrow) setTop(value => Math.min(last, value + 1));
		else if (key.pageUp) setTop(value => Math.max(0, value - page));
		else if (key.pageDown) setTop(value => Math.min(last, value + page));
	});
	return (
		<Box flexDirection="column">
			<Text bold>
				{title} ({top + 1}-{Math.min(lines.length, top + page)}/{lines.length}) {messages.logHelp[lang]}
			</Text>
			{lines.slice(top, top + page).map((line, index) => (
				<Text key={top + index} wrap="truncate">
					{line}
				</Text>
			))}
		</Box>
	);
}
