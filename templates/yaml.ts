/**
 * YAML output for files read by PyYAML (Patroni) and go-yaml (etcd). Both follow YAML 1.1, where a
 * bare `on`, `off`, `yes` or `y` is a boolean, so we emit with the 1.1 schema: such strings get quoted.
 */
import {stringify} from 'yaml';

export function toYaml(value: unknown): string {
	return stringify(value, {version: '1.1', lineWidth: 0, aliasDuplicateObjects: false});
}

/** A comment block for the top of a generated file. */
export function headerComment(lines: readonly string[]): string {
	return lines.map(line => `# ${line}`.trimEnd()).join('\n') + '\n';
}
