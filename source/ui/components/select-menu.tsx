import {Box, Text} from 'ink';
import {useKeys} from '../keys.tsx';
import {useRef, useState} from 'react';
import {color} from '../theme.ts';

export interface MenuItem<T extends string> {
	readonly value: T;
	readonly label: string;
}

export interface SelectMenuProps<T extends string> {
	readonly items: ReadonlyArray<MenuItem<T>>;
	readonly onSelect: (value: T) => void;
	readonly initial?: number;
}

/** Arrow keys + Enter; the first letter of an item selects it too. Ink owns stdin, never inquirer. */
export function SelectMenu<T extends string>({items, onSelect, initial = 0}: SelectMenuProps<T>) {
	const [index, setIndexState] = useState(initial);
	// The input handler may be the previous render's; a ref always holds the shown choice.
	const current = useRef(initial);
	const setIndex = (next: number) => {
		current.current = next;
		setIndexState(next);
	};

	useKeys((input, key) => {
		if (key.upArrow) setIndex((current.current - 1 + items.length) % items.length);
		else if (key.downArrow || key.tab) setIndex((current.current + 1) % items.length);
		else if (key.return) onSelect(items[current.current]!.value);
		else {
			const match = items.find(item => item.value.startsWith(input.toLowerCase()) && input !== '');
			if (match) onSelect(match.value);
		}
	});
	return (
		<Box flexDirection="column">
			{items.map((item, itemIndex) => (
				<Text key={item.value} color={itemIndex === index ? color('cyan') : undefined}>
					{itemIndex === index ? '❯ ' : '  '}
					{item.label}
				</Text>
			))}
		</Box>
	);
}
