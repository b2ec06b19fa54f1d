/**
 * pip's progress, read from its ordinary output: one "Collecting" (or "Requirement already
 * satisfied") per requirement it resolves, with the wheel's size on the "Downloading" line; pip
 * learns the whole count only as it resolves, so the count has no total until "Installing collected
 * packages: a, b, c" names them all, and "Successfully installed" ends it.
 */
import type {Progress, ProgressReader} from './types.ts';
import {text} from './commands.ts';

const phases = {
	collect: text('pip: сбор пакетов', 'pip: collecting'),
	install: text('pip: установка', 'pip: installing'),
};

const sizeUnits: Record<string, number> = {bytes: 1, kB: 1e3, MB: 1e6, GB: 1e9};

const downloading = /^\s*Downloading \S+ \(([\d.]+) (bytes|kB|MB|GB)\)/;
const installing = /^Installing collected packages: (.+)$/;

function names(list: string): number {
	return list.split(/[,\s]+/).filter(Boolean).length;
}

export class PipProgress implements ProgressReader {
	private collected = 0;
	private bytes = 0;
	private total = 0;

	read(line: string): Progress | undefined {
		if (line.startsWith('Collecting ') || line.startsWith('Requirement already satisfied: ')) {
			this.collected++;
			return this.collecting();
		}

		const size = downloading.exec(line);
		if (size) {
			this.bytes += Number(size[1]) * sizeUnits[size[2]!]!;
			return this.collecting();
		}

		const list = installing.exec(line);
		if (list) {
			this.total = names(list[1]!);
			return {phase: phases.install, unit: 'packages', done: 0, total: this.total};
		}

		if (line.startsWith('Successfully installed ')) {
			const done = names(line.slice('Successfully installed '.length));
			return {phase: phases.install, unit: 'packages', done, total: Math.max(done, this.total)};
		}

		return undefined;
	}

	private collecting(): Progress {
		return {phase: phases.collect, unit: 'packages', done: this.collected, bytes: {done: this.bytes}};
	}
}
