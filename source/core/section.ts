/**
 * How a stage reads its part of the cluster file (defaults and validation), declared beside its
 * steps. The Reader's one implementation lives in source/config/validate.ts, which owns the messages
 * and calls every stage's reader; this file only says what a reader may use.
 */
import type {ConfigIssue, NodeConfig, Ports, StageSections} from './cluster.ts';

/** A mapping from the parsed YAML. */
export type Dict = Record<string, unknown>;

/**
 * Reads typed values from the parsed YAML and collects every problem (the user fixes the whole file
 * in one go). `field` is the dotted path of the object read from; each method returns undefined when
 * the value is unusable, the problem already recorded.
 */
export interface Reader {
	readonly errors: ConfigIssue[];
	readonly warnings: ConfigIssue[];
	/** A mapping with only the listed keys; unknown keys are errors because they are usually typos. */
	mapping(value: unknown, field: string, keys: readonly string[]): Dict | undefined;
	/** Without a fallback the key is required. */
	string(object: Dict, key: string, field: string, fallback?: string): string | undefined;
	integer(object: Dict, key: string, field: string, fallback: number | undefined, min: number, max?: number): number | undefined;
	port(object: Dict, key: string, field: string, fallback: number): number | undefined;
	boolean(object: Dict, key: string, field: string, fallback: boolean): boolean | undefined;
	oneOf<T extends string>(object: Dict, key: string, field: string, allowed: readonly T[], fallback: T): T | undefined;
	/** A sub-mapping that may be left out entirely (then it is empty). */
	section(object: Dict, key: string, field: string, keys: readonly string[]): Dict | undefined;
}

/**
 * What a section reader sees: the whole file and what the core read before it. The stage sections
 * are read after the core's nodes, ports and subnet (and before disk and lab), so every one of them
 * gets these; a value is absent when it is wrong (already reported).
 */
export interface SectionContext {
	/** The cluster file's top-level mapping. */
	readonly root: Dict;
	/** A path written in the cluster file, made absolute (`~/` is the home folder, others are relative to the file). */
	readonly resolvePath: (value: string) => string;
	/** The node names, when every one is right. */
	readonly names?: readonly string[];
	/** The nodes, when every one is right. */
	readonly nodes?: readonly NodeConfig[];
	/** The core's ports, when every one is right (a stage's own port must not take one of them). */
	readonly ports?: Ports;
	/** The nodes' subnet, given or derived. */
	readonly subnet?: string;
}

/**
 * Fills one stage-owned field of ClusterConfig (a key of StageSections) from the cluster file's
 * top-level `key` (the field's name when left out, the usual case): undefined when it is wrong,
 * the problem reported to the Reader. validate.ts allows `key` at the top of the file and calls
 * `read` in the stage list's order.
 */
export type SectionReader = {
	[K in keyof StageSections]-?: {
		readonly field: K;
		readonly key?: string;
		readonly read: (r: Reader, context: SectionContext) => StageSections[K] | undefined;
	};
}[keyof StageSections];
