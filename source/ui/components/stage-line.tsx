import {Box, Text} from 'ink';
import {memo} from 'react';
import {color} from '../theme.ts';
import type {Row} from '../stage-row.ts';

export interface StageLineProps {
	/** Laid out for the terminal's width (stage-row.ts), never wrapped by Ink or the terminal. */
	readonly rows: readonly Row[];
}

/**
 * One stage with its per-node status: `✔ etcd  pg-node-1 ✔  pg-node-2 ✔  pg-node-3 ✔  12s`.
 * The rows keep their identity while the stage does not change, so an unchanged line is not redrawn.
 */
export const StageLine = memo(function StageLine({rows}: StageLineProps) {
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
});
