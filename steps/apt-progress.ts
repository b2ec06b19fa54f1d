/**
 * apt-get's progress, read from its ordinary output (what the step log shows anyway, so the command
 * stays the one the runbook prints): the count it announces ("2 upgraded, 66 newly installed"), the
 * bytes it needs ("Need to get 80.2 MB"), then one "Get:" line per package fetched, one "Unpacking"
 * and one "Setting up" per package installed. Unpacking and setting up are one phase, each counting
 * half a package: dpkg interleaves them (mmdebstrap all the time), and two phases would flip back
 * and forth on the screen.
 */
import type {Progress, ProgressReader} from './types.ts';
import {text} from './commands.ts';

function phasesOf(label: string) {
	return {
		download: text(`${label}: скачивание`, `${label}: downloading`),
		install: text(`${label}: установка`, `${label}: installing`),
	};
}

type Phase = keyof ReturnType<typeof phasesOf>;

const sizeUnits: Record<string, number> = {B: 1, kB: 1e3, MB: 1e6, GB: 1e9};

/** apt's sizes ("80.2 MB", "2423 kB", "0 B") in bytes. */
export function aptSize(value: string, unit: string): number {
	return Number(value.replace(/,/g, '')) * (sizeUnits[unit] ?? 1);
}

const summary = /^(\d+) upgraded, (\d+) newly installed(?:, (\d+) reinstalled)?/;
// "Need to get 80.2 MB of archives." or, with part of it cached, "Need to get 1234 kB/80.2 MB of archives."
const need = /^Need to get ([\d.,]+) ([kMG]?B)(?:\/[\d.,]+ [kMG]?B)? of archives/;
const get = /^Get:\d+ .*\[([\d.,]+) ([kMG]?B)\]$/;

export class AptProgress implements ProgressReader {
	private readonly phases: ReturnType<typeof phasesOf>;
	private total = 0;
	private needBytes = 0;
	private fetched = 0;
	private fetchedBytes = 0;
	private unpacked = 0;
	private setUp = 0;

	/** `label` names the work on the screen: apt on a node, or the lab's rootfs (mmdebstrap runs apt and dpkg). */
	constructor(label = 'apt') {
		this.phases = phasesOf(label);
	}

	read(line: string): Progress | undefined {
		const counts = summary.exec(line);
		if (counts) {
			// Each apt-get run (the lock wait runs it again) announces its own count.
			this.total = Number(counts[1]) + Number(counts[2]) + Number(counts[3] ?? 0);
			this.needBytes = 0;
			this.fetched = 0;
			this.fetchedBytes = 0;
			this.unpacked = 0;
			this.setUp = 0;
			return undefined;
		}

		if (this.total === 0) return undefined;
		const needed = need.exec(line);
		if (needed) {
			this.needBytes = aptSize(needed[1]!, needed[2]!);
			return undefined;
		}

		const fetch = get.exec(line);
		if (fetch) {
			this.fetched++;
			this.fetchedBytes += aptSize(fetch[1]!, fetch[2]!);
			return this.figures('download');
		}

		if (line.startsWith('Fetched ')) {
			// Each Get's size is rounded: at the end the announced total is the figure.
			this.fetchedBytes = this.needBytes || this.fetchedBytes;
			return this.figures('download');
		}

		if (line.startsWith('Unpacking ')) {
			this.unpacked++;
			return this.figures('install');
		}

		if (line.startsWith('Setting up ')) {
			this.setUp++;
			return this.figures('install');
		}

		return undefined;
	}

	private figures(phase: Phase): Progress {
		const base = {phase: this.phases[phase], unit: 'packages' as const, total: this.total};
		if (phase === 'download') {
			const bytes = this.needBytes ? {done: Math.min(this.fetchedBytes, this.needBytes), total: this.needBytes} : {done: this.fetchedBytes};
			return {...base, done: Math.min(this.fetched, this.total), bytes};
		}

		// A package is installed once unpacked and set up: each half of it counts half.
		return {...base, done: Math.min(Math.floor((Math.min(this.unpacked, this.total) + Math.min(this.setUp, this.total)) / 2), this.total)};
	}
}
