/**
 * Running a step's actions on its node: what the engine does with a plan when a step has no apply of
 * its own, and what a step's apply uses when it picks among its actions. One runner for both.
 */
import {secretValues} from '../config/secrets.ts';
import type {ExecOptions, ExecResult} from '../core/remote.ts';
import type {Action, StepContext} from '../core/step.ts';

/** Runs a command and throws (the SSH layer's error) when it fails. */
export async function execute(ctx: StepContext, command: string, options: ExecOptions = {}): Promise<ExecResult> {
	return ctx.remote.exec(command, {
		signal: ctx.signal,
		secrets: secretValues(ctx.secrets),
		...options,
		allowFailure: false,
	});
}

/** What the engine's default apply does with a plan, for steps whose apply picks among its actions. */
export interface RunActionsOptions {
	readonly stdinFor?: (action: Action) => string | undefined;
	/** Every output line of the commands, e.g. for a reader of the tool's progress. */
	readonly onLine?: (line: string) => void;
}

export async function runActions(ctx: StepContext, actions: readonly Action[], options: RunActionsOptions = {}): Promise<void> {
	for (const action of actions) {
		if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('aborted');
		if (action.kind === 'run') {
			await execute(ctx, action.command, {
				sudo: action.sudo,
				asUser: action.asUser,
				timeoutMs: action.timeoutMs,
				stdin: options.stdinFor?.(action),
				...(options.onLine ? {onLine: options.onLine} : {}),
			});
		} else {
			await ctx.remote.upload(action.content, action.path, {mode: action.mode, owner: action.owner, group: action.group});
		}
	}
}

