import {Box, Text} from 'ink';
import type {Lang} from '../../core/text.ts';
import type {SummaryView} from '../ui-store.ts';
import {color} from '../theme.ts';
import {messages} from '../messages.ts';

export interface SummaryProps {
	readonly lang: Lang;
	readonly summary: SummaryView;
}

function cell(text: string, width: number): string {
	return text.length >= width ? `${text.slice(0, width - 1)} ` : text.padEnd(width);
}

/** The finished cluster: members, where to connect, where the passwords are, what to run next. */
export function Summary({lang, summary}: SummaryProps) {
	const header = cell(messages.member[lang], 12) + cell('Host', 16) + cell(messages.role[lang], 14) + cell(messages.state[lang], 12) + cell(messages.timeline[lang], 4) + messages.lag[lang];
	return (
		<Box flexDirection="column">
			<Text bold color={color('green')}>
				✔ {messages.summaryTitle[lang]}
			</Text>
			<Text bold>{header}</Text>
			{summary.members.map(member => (
				<Text key={member.name}>
					{cell(member.name, 12)}
					{cell(member.host, 16)}
					<Text color={member.role === 'leader' ? color('green') : undefined}>{cell(member.role, 14)}</Text>
					{cell(member.state, 12)}
					{cell(member.timeline === undefined ? '' : String(member.timeline), 4)}
					{member.lagMb === undefined ? '' : String(member.lagMb)}
				</Text>
			))}
			<Text>
				{messages.writes[lang]}: {summary.writeUrl}
			</Text>
			<Text>
				{messages.reads[lang]}: {summary.readUrl}
			</Text>
			{summary.multiHostUrl ? <Text>{lang === 'ru' ? 'Без VIP (libpq)' : 'Without the VIP (libpq)'}: {summary.multiHostUrl}</Text> : null}
			{summary.vip ? <Text>VIP: {summary.vip}</Text> : null}
			{summary.software ? <Text>{summary.software[lang]}</Text> : null}
			<Text>
				{messages.stats[lang]}: {summary.statsUrl}
			</Text>
			<Text>
				{messages.passwords[lang]}: {summary.secretsFile}
			</Text>
			<Text>
				{messages.next[lang]}: <Text color={color('cyan')}>{summary.nextCommand}</Text>
			</Text>
			<Text>
				{messages.doctor[lang]}: <Text color={color('cyan')}>{summary.doctorCommand}</Text>
			</Text>
			<Text>
				{messages.practice[lang]}: <Text color={color('cyan')}>{summary.practiceCommand}</Text>
			</Text>
			{summary.lab ? <Text>{summary.lab[lang]}</Text> : null}
		</Box>
	);
}
