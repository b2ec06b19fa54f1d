import {Box, Text} from 'ink';
import {useKeys} from '../keys.tsx';
import {useRef, useState} from 'react';
import type {Lang} from '../../core/text.ts';
import {color} from '../theme.ts';
import {messages} from '../messages.ts';

export interface PasswordPromptProps {
	readonly lang: Lang;
	readonly node: string;
	readonly wrong: boolean;
	readonly onSubmit: (password: string) => void;
}

/** The password is never echoed, not even as a count of stars. */
export function PasswordPrompt({lang, node, wrong, onSubmit}: PasswordPromptProps) {
	// Kept in a ref, not state: nothing about the password is rendered, and the handler may be stale.
	const value = useRef('');
	const [, setTyped] = useState(0);
	useKeys((input, key) => {
		if (key.return) {
			const password = value.current;
			value.current = '';
			onSubmit(password);
		} else if (key.backspace || key.delete) {
			value.current = value.current.slice(0, -1);
		} else if (!key.ctrl && !key.meta && input) {
			value.current += input;
			setTyped(count => count + 1);
		}
	});
	return (
		<Box flexDirection="column">
			{wrong ? <Text color={color('red')}>{messages.sudoWrong[lang]}</Text> : null}
			<Text>
				{messages.sudoPassword[lang]} ({node}):{' '}
			</Text>
		</Box>
	);
}
