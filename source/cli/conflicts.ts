/** Options that are each fine but cannot go together (or not here): decided before anything runs. */
import type {Text} from '../core/text.ts';
import {cliMsg} from './messages.ts';
import {selectionProblem} from './stage-selection.ts';

export type Flags = ReadonlyMap<string, string | true>;

export interface RunContext {
	/** A terminal on both sides: questions can be asked. */
	readonly interactive: boolean;
}

const str = (flags: Flags, name: string): string | undefined => {
	const value = flags.get(name);
	return typeof value === 'string' ? value : undefined;
};

function stepMode(flags: Flags, context: RunContext): Text | undefined {
	return flags.has('step') && !context.interactive ? cliMsg.stepNeedsTerminal() : undefined;
}

const checks: Record<string, (flags: Flags, context: RunContext) => Text | undefined> = {
	apply: (flags, context) =>
		selectionProblem({host: !flags.has('no-host'), from: str(flags, 'from'), only: str(flags, 'only')?.split(',')}) ?? stepMode(flags, context),
	test: stepMode,
	// --list only reads the catalog: a scenario or a yes beside it would silently do nothing.
	practice: flags => (flags.has('list') && (flags.has('scenario') || flags.has('yes')) ? cliMsg.listAlone(flags.has('scenario') ? '--scenario' : '--yes') : undefined),
	runbook: flags => (flags.has('force') && !flags.has('output') ? cliMsg.forceWithoutOutput() : undefined),
};

export function conflictIn(command: string, flags: Flags, context: RunContext): Text | undefined {
	return checks[command]?.(flags, context);
}
