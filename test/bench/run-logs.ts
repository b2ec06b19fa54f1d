/**
 * Reads pgha's run logs (source/engine/run-log.ts: `YYYY-MM-DD HH:MM:SS.mmm [stage/step] M text`,
 * M = `$` command, ` ` stdout, `!` stderr, `#` info): where the time went per stage, how many
 * commands went over SSH, and a node's apt output with its timing (replayed by the UI benchmark).
 */
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {hostParticipant} from '../../source/config/defaults.ts';

export interface LogEntry {
	readonly participant: string;
	readonly at: number;
	readonly stage: string;
	readonly step: string;
	readonly mark: '$' | ' ' | '!' | '#';
	readonly text: string;
}

const linePattern = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) \[([^\]]*)\] ([$ !#]) (.*)$/;

export function parseRunLog(participant: string, content: string): LogEntry[] {
	const entries: LogEntry[] = [];
	for (const line of content.split('\n')) {
		const match = linePattern.exec(line);
		if (!match) continue;
		const [, y, mo, d, h, mi, s, ms, tag, mark, text] = match;
		const at = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms)).getTime();
		const [stage = '', step = ''] = tag!.split('/');
		entries.push({participant, at, stage, step, mark: mark as LogEntry['mark'], text: text!});
	}

	return entries;
}

export function readRunLogs(runDir: string): LogEntry[] {
	return readdirSync(runDir)
		.filter(name => name.endsWith('.log'))
		.flatMap(name => parseRunLog(name.slice(0, -4), readFileSync(path.join(runDir, name), 'utf8')));
}

/** The newest run folder under .pgha/logs (run ids sort by time). */
export function newestRunDir(logsDir: string): string {
	const runs = readdirSync(logsDir).filter(name => /^\d{8}-\d{6}-/.test(name)).sort();
	if (runs.length === 0) throw new Error(`no run logs in ${logsDir}`);
	return path.join(logsDir, runs.at(-1)!);
}

export interface StageSpan {
	readonly stage: string;
	readonly startMs: number;
	readonly endMs: number;
	readonly commands: number;
}

/** First to last log line of each stage, over every participant, in order of appearance. */
export function stageSpans(entries: readonly LogEntry[]): StageSpan[] {
	const spans = new Map<string, {startMs: number; endMs: number; commands: number}>();
	for (const entry of [...entries].sort((a, b) => a.at - b.at)) {
		if (entry.stage === 'engine') continue;
		const span = spans.get(entry.stage) ?? {startMs: entry.at, endMs: entry.at, commands: 0};
		span.endMs = Math.max(span.endMs, entry.at);
		if (entry.mark === '$') span.commands++;
		spans.set(entry.stage, span);
	}

	return [...spans].map(([stage, span]) => ({stage, ...span}));
}

export interface CommandCounts {
	/** Commands (exec) sent over SSH to the nodes. */
	readonly sshExec: number;
	/** Files sent over SSH (logged as `write PATH (...)`). */
	readonly sshUploads: number;
	/** Commands run on the computer running pgha itself. */
	readonly local: number;
}

/**
 * Every `$` line in a node's log went over SSH, to that node or (prefixed `(on NODE)`) to another.
 * The host's log holds local commands, except those prefixed `(on NODE)`.
 */
export function countCommands(entries: readonly LogEntry[]): CommandCounts {
	let sshExec = 0;
	let sshUploads = 0;
	let local = 0;
	for (const entry of entries) {
		if (entry.mark !== '$') continue;
		const remote = entry.participant !== hostParticipant || entry.text.startsWith('(on ');
		const command = entry.text.replace(/^\(on [^)]*\) /, '');
		if (!remote) local++;
		else if (/^write \S+ \(mode /.test(command)) sshUploads++;
		else sshExec++;
	}

	return {sshExec, sshUploads, local};
}

/** Output lines of one step on one participant, with milliseconds since the step's first line. */
export function stepOutput(entries: readonly LogEntry[], participant: string, stage: string, step: string): Array<{offsetMs: number; text: string}> {
	const lines = entries.filter(entry => entry.participant === participant && entry.stage === stage && entry.step === step);
	const start = lines[0]?.at ?? 0;
	return lines.filter(entry => entry.mark === ' ' || entry.mark === '!').map(entry => ({offsetMs: entry.at - start, text: entry.text}));
}
