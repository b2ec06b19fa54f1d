/**
 * curl's own progress meter, one update a second, as lines (the command turns its carriage returns
 * into newlines): "% Total  % Received ..." with sizes such as 20.8M, 5120k or 900 (bytes, 1024-based).
 */
import type {Progress, ProgressReader, Text} from './types.ts';

const sizeUnits: Record<string, number> = {'': 1, k: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4};

/** A size as curl's meter prints it, in bytes. */
export function curlSize(value: string): number | undefined {
	const match = /^([\d.]+)([kMGT]?)$/.exec(value);
	return match ? Number(match[1]) * sizeUnits[match[2]!]! : undefined;
}

// "% Total" "Total" "% Received" "Received" ...; the first two numbers on a meter line.
const meter = /^\s*(\d{1,3})\s+(\S+)\s+\d{1,3}\s+(\S+)\s+\d{1,3}\s+\S+\s+\S+\s+\S+\s+[\d:-]+\s+[\d:-]+\s+[\d:-]+\s+\S+\s*$/;

export class CurlProgress implements ProgressReader {
	constructor(private readonly phase: Text) {}

	read(line: string): Progress | undefined {
		const figures = meter.exec(line);
		if (!figures) return undefined;
		const total = curlSize(figures[2]!);
		const done = curlSize(figures[3]!);
		if (done === undefined || total === undefined) return undefined;
		// curl prints 0 for a total the server did not announce.
		return {phase: this.phase, unit: 'bytes', done, ...(total > 0 ? {total} : {})};
	}
}
