/**
 * A finding of `pgha doctor` and the definitions findings are made from. A definition is the
 * general case (what the student notices, why it happens, where the runbook covers it); the
 * runbook's "when things go wrong" chapter is printed from the same definitions.
 */
import type {Text} from '../core/text.ts';

export type Severity = 'error' | 'warning';

/** A stage of the runbook, and a step of it when one step covers the matter. */
export interface RunbookLink {
	readonly stage: string;
	readonly step?: string;
}

export interface FindingDefinition {
	readonly id: string;
	readonly severity: Severity;
	/** Short name of the problem, a heading in the runbook chapter. */
	readonly title: Text;
	/** What the student notices first. */
	readonly symptom: Text;
	/** Why it happens and what to do, in general. */
	readonly remedy: Text;
	readonly runbook: RunbookLink;
}

export interface Finding {
	readonly rule: string;
	/** The node the cause is on; undefined for the cluster as a whole (etcd quorum, Patroni paused). */
	readonly node?: string;
	readonly severity: Severity;
	/** One sentence, naming what is wrong. */
	readonly cause: Text;
	/** The lines that prove it: a log line, a config line, a command's output. */
	readonly evidence: readonly string[];
	/** Commands that fix it; a line starting with # says where or why. */
	readonly fix: readonly string[];
	readonly runbook: RunbookLink;
}

export function finding(definition: FindingDefinition, node: string | undefined, cause: Text, evidence: readonly string[], fix: readonly string[]): Finding {
	return {rule: definition.id, node, severity: definition.severity, cause, evidence, fix, runbook: definition.runbook};
}

/** The runbook's anchor for a link: `step-ID` or `stage-ID` (source/runbook.ts writes them). */
export function runbookAnchor(link: RunbookLink): string {
	return link.step ? `step-${link.step}` : `stage-${link.stage}`;
}
