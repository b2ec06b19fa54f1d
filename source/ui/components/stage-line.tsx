import {Box, Text} from 'ink';
import type {Lang} from '../../core/text.ts';
import type {StageView} from '../view-model.ts';
import {color} from '../theme.ts';
import {stageRows} from '../stage-row.ts';

export interface StageLineProps {
	readonly stage: StageView;
	readonly lang: Lang;
	readonly spinner: string;
	readonly now: number;
	/** The terminal's width: rows are laid out for it (stage-row.ts), never wrapped by Ink or the terminal. */
	readonly width: number;
}

/** One stage with its per-node status: `✔ etcd  pg-node-1 ✔  pg-node-2 ✔  pg-node-3 ✔  12s`. */
export function StageLine({stage, lang, spinner, now, width}: StageLineProps) {
	const rows = stageRows(stage, lang, width, spinner, now);
	return (
		<Box flexDirection="column">
			{rows.map((row, rowIndex) => (
				<Text key={rowIndex} wrap="truncate">
					{row.map((segment, index) => (
						<Text key={index} color={segment.color ? color(segment.color) : undefined} bold={segment.bold} dimColor={segment.dim}>
							{segment.text}
						</Text>
					))}
				</Text>
			))}
		</Box>
	);
}
