import {Box, Text} from 'ink';
import {useKeys} from '../keys.tsx';
import type {Lang} from '../../core/text.ts';
import {color} from '../theme.ts';
import {messages} from '../messages.ts';

export interface NewHostKeyProps {
	readonly lang: Lang;
	readonly node: string;
	readonly host: string;
	readonly fingerprint: string;
	readonly onAnswer: (trust: boolean) => void;
}

/** Trust on first use: the student compares the fingerprint with `ssh-keygen -lf` on the VM. */
export function NewHostKeyPrompt({lang, node, host, fingerprint, onAnswer}: NewHostKeyProps) {
	useKeys(input => {
		if (input === 'y' || input === 'Y') onAnswer(true);
		if (input === 'n' || input === 'N') onAnswer(false);
	});
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={color('yellow')} paddingX={1}>
			<Text bold>
				{messages.hostKeyNew[lang]}: {node} ({host})
			</Text>
			<Text>{fingerprint}</Text>
			<Text>
				{messages.trust[lang]} {messages.yesNo[lang]}
			</Text>
		</Box>
	);
}

export interface ChangedHostKeyProps {
	readonly lang: Lang;
	readonly node: string;
	readonly host: string;
	readonly known: string;
	readonly offered: string;
	readonly onClose: () => void;
}

/** A changed key is refused outright; the screen only explains why and how to fix it. */
export function ChangedHostKeyNotice({lang, node, host, known, offered, onClose}: ChangedHostKeyProps) {
	useKeys(() => onClose());
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={color('red')} paddingX={1}>
			<Text color={color('red')} bold>
				{node} ({host}): {messages.hostKeyChanged[lang]}
			</Text>
			<Text>
				{messages.known[lang]}: {known}
			</Text>
			<Text>
				{messages.offered[lang]}: {offered}
			</Text>
			<Text dimColor>{messages.hostKeyFix[lang]}</Text>
		</Box>
	);
}
