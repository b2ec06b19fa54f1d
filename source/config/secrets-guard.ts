/**
 * The secrets file against the state file: once the state records a cluster built with the generated
 * passwords, an empty, cut-short or missing secrets file is a stop, never a silent regeneration (new
 * passwords would no longer match what the nodes already use). Deleting single lines stays the
 * documented way to get a new password.
 */
import path from 'node:path';
import type {StateData} from '../engine/state.ts';
import {ConfigError} from './errors.ts';
import {issue} from './messages.ts';
import {parseUserYaml, readUserTextFile} from './read-user-file.ts';
import {secretKeys} from './secrets.ts';

type Loss = 'missing' | 'empty' | 'truncated';

const lossWords: Record<Loss, {en: string; ru: string}> = {
	missing: {en: 'does not exist', ru: 'отсутствует'},
	empty: {en: 'is empty', ru: 'пуст'},
	truncated: {en: 'is cut short (its last line is incomplete)', ru: 'обрезан (последняя строка не закончена)'},
};

function lossIssue(loss: Loss, stateFile: string) {
	const state = path.relative(process.cwd(), stateFile) || stateFile;
	return issue('',
		`${lossWords[loss].en}, but ${state} records a cluster built with the passwords it held; new passwords would not match the nodes. Restore the file from a backup. To start over with new passwords on purpose, move ${state} away first.`,
		`${lossWords[loss].ru}, а ${state} говорит, что кластер уже собран с паролями из этого файла; новые пароли не совпадут с узлами. Восстановите файл из резервной копии. Чтобы сознательно начать с новыми паролями, сначала уберите ${state}.`);
}

/** True when any node finished a stage that put a generated password on it. */
export function builtWithSecrets(state: Readonly<StateData>, passwordStages: readonly string[]): boolean {
	return passwordStages.some(id => Object.values(state.stages[id]?.nodes ?? {}).some(record => record.status === 'done'));
}

async function lossOf(file: string): Promise<Loss | undefined> {
	let text: string;
	try {
		text = await readUserTextFile(file);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
		throw error;
	}

	const data = parseUserYaml(text, file);
	const present = typeof data === 'object' && data !== null
		? secretKeys.filter(([key]) => typeof (data as Record<string, unknown>)[key] === 'string' && (data as Record<string, string>)[key] !== '').length
		: 0;
	if (present === 0) return 'empty';
	// pgha always ends the file with a newline; a missing one plus missing lines is a cut-off write.
	if (!text.endsWith('\n') && present < secretKeys.length) return 'truncated';
	return undefined;
}

/** Throws ConfigError naming the secrets file when it cannot be read, or was lost after the cluster was built. */
export async function guardSecrets(secretsFile: string, stateFile: string, state: Readonly<StateData>, passwordStages: readonly string[]): Promise<void> {
	// Read in any case: a huge, binary or UTF-16 file is refused here, with the caps, before secrets.ts reads it.
	const loss = await lossOf(secretsFile);
	if (loss && builtWithSecrets(state, passwordStages)) throw new ConfigError(secretsFile, [lossIssue(loss, stateFile)]);
}
