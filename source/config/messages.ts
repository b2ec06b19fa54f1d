/**
 * The sentences a user reads about a bad cluster or secrets file, in English and Russian.
 * Every line starts with the field path so the user knows which line of the file to fix.
 */
import type {ConfigIssue} from '../core/cluster.ts';

export function issue(field: string, en: string, ru: string): ConfigIssue {
	const prefix = field ? `${field}: ` : '';
	return {field, message: prefix + en, text: {en: prefix + en, ru: prefix + ru}};
}

/** A value as the user wrote it: strings quoted, lists and mappings named rather than dumped. */
export function show(value: unknown): {en: string; ru: string} {
	if (typeof value === 'string') return shownString(value);
	if (value === null || value === undefined) return same('null');
	if (Array.isArray(value)) return {en: 'a list', ru: 'список'};
	if (typeof value === 'object') return {en: 'a mapping', ru: 'словарь'};
	return same(String(value));
}

/** Longer values are cut: a 20 MB value must not come back whole on the screen. */
export const shownLength = 60;

function shownString(value: string): {en: string; ru: string} {
	if (value.length <= shownLength) return same(JSON.stringify(value));
	const head = JSON.stringify(value.slice(0, shownLength)).slice(0, -1);
	return {en: `${head}…" (${value.length} characters)`, ru: `${head}…" (${value.length} символов)`};
}

function same(text: string): {en: string; ru: string} {
	return {en: text, ru: text};
}

type Builder = (field: string, ...args: any[]) => ConfigIssue;

/** Message catalogue; one function per kind of problem. */
export const msg = {
	yamlSyntax: (line: number, column: number, detail: string) =>
		issue(`line ${line}, column ${column}`, `not valid YAML: ${detail}`, `ошибка синтаксиса YAML: ${detail}`),
	emptyFile: (what: string) =>
		issue('', `${what} is empty`, `${what} пуст`),
	notMapping: (field: string, value: unknown) =>
		issue(field, `${show(value).en} must be a mapping (key: value lines)`, `${show(value).ru} должно быть словарём (строки «ключ: значение»)`),
	unknownKey: (field: string, suggestion?: string) =>
		suggestion
			? issue(field, `unknown key (did you mean "${suggestion}"?)`, `неизвестный ключ (может быть, "${suggestion}"?)`)
			: issue(field, 'unknown key', 'неизвестный ключ'),
	missing: (field: string) =>
		issue(field, 'is missing', 'не указано'),
	notString: (field: string, value: unknown) =>
		issue(field, `${show(value).en} must be a text value`, `${show(value).ru} должно быть строкой`),
	notInteger: (field: string, value: unknown) =>
		issue(field, `${show(value).en} must be a whole number`, `${show(value).ru} должно быть целым числом`),
	notBoolean: (field: string, value: unknown) =>
		issue(field, `${show(value).en} must be true or false`, `${show(value).ru} должно быть true или false`),
	notList: (field: string, value: unknown) =>
		issue(field, `${show(value).en} must be a list`, `${show(value).ru} должно быть списком`),
	notOneOf: (field: string, value: unknown, allowed: readonly string[]) =>
		issue(field, `${show(value).en} must be one of ${allowed.join(', ')}`, `${show(value).ru} должно быть одним из: ${allowed.join(', ')}`),
	tooSmall: (field: string, value: number, min: number) =>
		issue(field, `${value} must be at least ${min}`, `${value} должно быть не меньше ${min}`),
	tooLarge: (field: string, value: number, max: number) =>
		issue(field, `${value} must be at most ${max}`, `${value} должно быть не больше ${max}`),
	notIpv4: (field: string, value: string) =>
		issue(field, `${show(value).en} is not an IPv4 address`, `${show(value).ru} — не IPv4-адрес`),
	notPort: (field: string, value: number) =>
		issue(field, `${value} is not a port number (1-65535)`, `${value} — не номер порта (1-65535)`),
	portTaken: (field: string, value: number, other: string) =>
		issue(field, `${value} is already used by ${other}`, `${value} уже занят полем ${other}`),
	duplicate: (field: string, value: string, other: string) =>
		issue(field, `${show(value).en} is already used by ${other}`, `${show(value).ru} уже занято в ${other}`),
	tooFewNodes: (field: string, count: number) =>
		issue(field, `only ${count} given; a highly available cluster needs at least 3 nodes`, `задано только ${count}; отказоустойчивому кластеру нужно не меньше 3 узлов`),
	evenNodes: (field: string, count: number) =>
		issue(
			field,
			`${count} nodes is an even number; etcd needs a majority, so ${count} nodes survive no more failures than ${count - 1}`,
			`${count} — чётное число узлов; etcd нужно большинство, поэтому кластер из ${count} узлов выдерживает не больше отказов, чем из ${count - 1}`,
		),
	notANode: (field: string, value: string, names: readonly string[]) =>
		issue(field, `${show(value).en} is not one of the nodes (${names.join(', ')})`, `${show(value).ru} — нет такого узла (${names.join(', ')})`),
	reservedName: (field: string, value: string) =>
		issue(field, `${show(value).en} is reserved by pgha for the computer it runs on`, `${show(value).ru} зарезервировано pgha для компьютера, на котором он запущен`),
	badHostname: (field: string, value: string) =>
		issue(field, `${show(value).en} is not a valid host name (letters, digits and "-", at most 63)`, `${show(value).ru} — недопустимое имя хоста (буквы, цифры и "-", не длиннее 63)`),
	badScope: (field: string, value: string) =>
		issue(field, `${show(value).en} may contain only letters, digits, "-", "_" and "."`, `${show(value).ru}: допустимы только буквы, цифры, "-", "_" и "."`),
	badUser: (field: string, value: string) =>
		issue(field, `${show(value).en} is not a valid Linux user name`, `${show(value).ru} — недопустимое имя пользователя Linux`),
	badAuth: (field: string, value: unknown) =>
		issue(field, `${show(value).en} must be "password" or {key: FILE}`, `${show(value).ru} должно быть "password" или {key: ФАЙЛ}`),
	badPgVersion: (field: string, value: unknown) =>
		issue(field, `${show(value).en} must be "auto" or a PostgreSQL major version such as 16`, `${show(value).ru} должно быть "auto" или основной версией PostgreSQL, например 16`),
	badVersion: (field: string, value: unknown) =>
		issue(field, `${show(value).en} is not a version such as 3.5.11`, `${show(value).ru} — не номер версии вида 3.5.11`),
	badPatroniVersion: (field: string, value: unknown) =>
		issue(field, `${show(value).en} is not a Patroni release such as 4.0.7, nor latest`, `${show(value).ru} — не выпуск Patroni вида 4.0.7 и не latest`),
	badUrl: (field: string, value: string) =>
		issue(field, `${show(value).en} must be an http:// or https:// address`, `${show(value).ru} должно быть адресом http:// или https://`),
	badDuration: (field: string, value: unknown) =>
		issue(field, `${show(value).en} is not an HAProxy time such as 3s or 500ms`, `${show(value).ru} — не время HAProxy вида 3s или 500ms`),
	badSubnet: (field: string, value: string) =>
		issue(field, `${show(value).en} is not an IPv4 subnet such as 192.168.0.0/24`, `${show(value).ru} — не подсеть IPv4 вида 192.168.0.0/24`),
	subnetHostBits: (field: string, value: string, network: string) =>
		issue(field, `${show(value).en} has host bits set; use ${network}`, `${show(value).ru}: в адресе сети заданы биты узла; укажите ${network}`),
	subnetMissesNode: (field: string, subnet: string, nodeField: string, ip: string) =>
		issue(field, `${subnet} does not contain ${nodeField} ${ip}`, `${subnet} не содержит ${nodeField} ${ip}`),
	timingRule: (field: string, loopWait: number, retryTimeout: number, ttl: number) =>
		issue(
			field,
			`loop_wait + 2 * retry_timeout must not exceed ttl, but ${loopWait} + 2 * ${retryTimeout} = ${loopWait + 2 * retryTimeout} > ${ttl}`,
			`loop_wait + 2 * retry_timeout должно быть не больше ttl, а здесь ${loopWait} + 2 * ${retryTimeout} = ${loopWait + 2 * retryTimeout} > ${ttl}`,
		),
	belowPatroniMin: (field: string, value: number, min: number) =>
		issue(field, `${value} is below Patroni's minimum of ${min}`, `${value} меньше минимума Patroni (${min})`),
	diskOrder: (field: string, value: number, other: string, otherValue: number) =>
		issue(field, `${value} must not exceed ${other} (${otherValue})`, `${value} должно быть не больше ${other} (${otherValue})`),
	tarballNeeded: (field: string) =>
		issue(field, 'is missing; etcd.source "upload" needs the path of an etcd release tarball on this computer', 'не указано; для etcd.source "upload" нужен путь к архиву etcd на этом компьютере'),
	fileMissing: (field: string, value: string) =>
		issue(field, `${show(value).en} does not exist`, `${show(value).ru} не существует`),
	badNetns: (field: string, value: string) =>
		issue(field, `${show(value).en} is not a network namespace name`, `${show(value).ru} — недопустимое имя сетевого пространства имён`),
	// Secrets file
	badSecret: (field: string) =>
		issue(field, 'may contain only letters and digits (other characters break pg_hba, YAML or HAProxy files); delete the line and pgha makes a new one',
			'допустимы только латинские буквы и цифры (другие символы ломают pg_hba, YAML или HAProxy); удалите строку, и pgha создаст новый'),
	shortSecret: (field: string, length: number) =>
		issue(field, `is too short (${length} characters, at least 16); delete the line and pgha makes a new one`,
			`слишком короткий (${length} символов, нужно не меньше 16); удалите строку, и pgha создаст новый`),
	sampleSecret: (field: string) =>
		issue(field, 'is a sample password printed in the course guide; delete the line and pgha makes a new one',
			'это пример пароля из методички; удалите строку, и pgha создаст новый'),
	secretsModeFixed: (file: string, mode: number) =>
		issue(file, `was readable by other users (mode ${mode.toString(8).padStart(4, '0')}); pgha changed it to 0600`,
			`был доступен другим пользователям (права ${mode.toString(8).padStart(4, '0')}); pgha установил 0600`),
} satisfies Record<string, Builder | ((...args: any[]) => ConfigIssue)>;
