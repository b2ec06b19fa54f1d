import {Box, Text} from 'ink';
import type {Lang} from '../../i18n.ts';
import type {StageView} from '../view-model.ts';
import {color, statusColor, statusGlyph} from '../theme.ts';
import {formatElapsed} from '../elapsed.ts';
import {messages} from '../messages.ts';
import {nodesInStage} from '../stage-summary.ts';

export interface StageLineProps {
	readonly stage: StageView;
	readonly lang: Lang;
	readonly spinner: string;
	readonly now: number;
}

/** One stage with its per-node status: `✔ etcd  pg-node-1 ✔ pg-node-2 ✔ pg-node-3 ✔  12s`. */
export function StageLine({stage, lang, spinner, now}: StageLineProps) {
	const glyph = stage.status === 'running' ? spinner : statusGlyph[stage.status];
	const nodes = nodesInStage(stage);
	const elapsed = stage.startedAt ? formatElapsed((stage.endedAt ?? now) - stage.startedAt) : '';
	const note = stage.status === 'already-done' ? ` (${messages.alreadyDone[lang]})` : stage.status === 'skipped' ? ` (${messages.skipped[lang]})` : '';
	return (
		<Box>
			<Text color={color(statusColor[stage.status])}>{glyph} </Text>
			<Text bold={stage.status === 'running'}>{stage.title[lang]}</Text>
			<Text dimColor>{note}</Text>
			{nodes.map(node => (
				<Text key={node.node}>
					{'  '}
					{node.node}{' '}
					<Text color={color(statusColor[node.status])}>{node.status === 'running' ? spinner : statusGlyph[node.status]}</Text>
					{node.retries > 0 ? <Text color={color('yellow')}> ↻{node.retries}</Text> : null}
				</Text>
			))}
			{elapsed ? <Text dimColor>  {elapsed}</Text> : null}
		</Box>
	);
}
