/** Turns an error that stopped a command into one clear message and an exit code. */
import {LocalizedError} from '../core/error.ts';
import type {Lang, Text} from '../core/text.ts';

export function reportError(error: unknown, lang: Lang): number {
	// Every layer's translated error (cluster file, SSH, usage, steps) says itself and names its exit code.
	if (error instanceof LocalizedError) {
		process.stderr.write(`${error.say(lang)}\n`);
		return error.exitCode;
	}

	if (error instanceof Error && error.name === 'ExitPromptError') return 130;
	if ((error as NodeJS.ErrnoException)?.code === 'ENOENT') {
		const file = (error as NodeJS.ErrnoException).path ?? '';
		process.stderr.write(
			lang === 'ru'
				? `Файл ${file} не найден. Создайте его мастером (pgha) или лабораторией (pgha lab up).\n`
				: `${file} not found. Create it with the wizard (pgha) or the lab (pgha lab up).\n`,
		);
		return 2;
	}

	const fileProblem = fileSystemSentence(error as NodeJS.ErrnoException, lang);
	if (fileProblem) {
		process.stderr.write(`${fileProblem}\n`);
		return 2;
	}

	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	return 1;
}

/** File-system errors the user can fix on their side (rights, a folder where a file belongs), named by path. */
function fileSystemSentence(error: NodeJS.ErrnoException, lang: Lang): string | undefined {
	const file = error?.path;
	if (!file) return undefined;
	const sentences: Record<string, Text> = {
		EACCES: {ru: `${file}: нет прав доступа.`, en: `${file}: permission denied.`},
		EPERM: {ru: `${file}: операция не разрешена.`, en: `${file}: operation not permitted.`},
		EISDIR: {ru: `${file}: это папка, а нужен файл.`, en: `${file} is a folder, where a file is needed.`},
		ENOTDIR: {ru: `${file}: часть пути — не папка.`, en: `${file}: part of the path is not a folder.`},
		EROFS: {ru: `${file}: файловая система только для чтения.`, en: `${file}: the file system is read-only.`},
		ENAMETOOLONG: {ru: `${file.slice(0, 80)}…: слишком длинное имя.`, en: `${file.slice(0, 80)}…: the name is too long.`},
	};
	return sentences[error.code ?? '']?.[lang];
}
