/**
 * Stage ids for `--from` / `--only`, read from the stage list itself (never a copy), and the check
 * that a combination of them selects something: a run that selects nothing must not "succeed".
 */
import {courseStages, testChoices} from '../../steps/index.ts';
import {selectStages} from '../engine/participants.ts';
import type {Text} from '../core/text.ts';
import type {Stage} from '../core/stage.ts';
import {cliMsg} from './messages.ts';

/** Every stage id a command line may name: the course's stages, then the test stage. */
export function allStageIds(): string[] {
	return courseStages({test: true}).map(stage => stage.id);
}

/** What `pgha test --only` accepts: the test stage's tests by the names a student types. */
export function allTestChoices(): string[] {
	return [...testChoices];
}

export interface StageChoice {
	readonly host: boolean;
	readonly from?: string;
	readonly only?: readonly string[];
}

/** The stages `pgha apply` runs: the course's, plus the test stage when it is asked for by name. */
export function applyStages(choice: StageChoice): Stage[] {
	const wantsTest = choice.from === 'test' || (choice.only ?? []).includes('test');
	return courseStages({host: choice.host, test: wantsTest});
}

/** Why this choice cannot run, or undefined. Ids are known to be valid already. */
export function selectionProblem(choice: StageChoice): Text | undefined {
	const stages = applyStages(choice);
	const ids = new Set(stages.map(stage => stage.id));
	if (!choice.host) {
		if (choice.from && !ids.has(choice.from)) return cliMsg.hostStageLeftOut('--from', choice.from);
		const hostOnly = (choice.only ?? []).find(id => !ids.has(id));
		if (hostOnly) return cliMsg.hostStageLeftOut('--only', hostOnly);
	}

	if (choice.from && choice.only && selectStages(stages, choice.from, choice.only).size === 0) {
		return cliMsg.nothingSelected(choice.from, choice.only.join(','));
	}

	return undefined;
}
