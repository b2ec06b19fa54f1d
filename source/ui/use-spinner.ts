import {useEffect, useState} from 'react';

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** One spinner frame; a single interval per screen keeps repaints cheap. */
export function useSpinner(active: boolean, intervalMs = 250): string {
	const [index, setIndex] = useState(0);
	useEffect(() => {
		if (!active) return;
		const timer = setInterval(() => setIndex(value => (value + 1) % frames.length), intervalMs);
		return () => clearInterval(timer);
	}, [active, intervalMs]);
	return frames[index]!;
}
