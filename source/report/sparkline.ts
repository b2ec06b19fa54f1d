/** A one-line picture of writes per bucket for the terminal; the gap shows as blanks. */
const bars = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

export function sparkline(values: readonly number[], width = 60): string {
	if (values.length === 0) return '';
	const perCell = Math.max(1, Math.ceil(values.length / width));
	const cells: number[] = [];
	for (let i = 0; i < values.length; i += perCell) {
		const slice = values.slice(i, i + perCell);
		cells.push(slice.reduce((sum, value) => sum + value, 0) / slice.length);
	}

	const max = Math.max(...cells);
	return cells
		.map(value => {
			if (value === 0 || max === 0) return ' ';
			const index = Math.min(bars.length - 1, Math.floor((value / max) * (bars.length - 1)));
			return bars[index]!;
		})
		.join('');
}
