/** A stage: one section of the course guide, its steps, and what it needs from the rest of pgha. */
import type {ClusterConfig, NodeConfig, Secrets} from './cluster.ts';
import type {HealthProbe} from './health.ts';
import type {SectionReader} from './section.ts';
import type {Step} from './step.ts';
import type {Text} from './text.ts';

/** A TCP port a stage's service listens on; the VM checks require it free or held by `owners`. */
export interface PortClaim {
	readonly port: number;
	/** Process names allowed to hold it (the service pgha installs there). */
	readonly owners: readonly string[];
	readonly role: string;
	/** The systemd unit pgha runs it under: the same name started any other way is not pgha's. */
	readonly service?: string;
}

/**
 * What a stage needs from the rest of pgha, declared beside its steps so that adding a stage does
 * not mean editing the packages stage, the VM checks, the secrets or status.
 */
export interface StageNeeds {
	/** apt packages this node needs for the stage (installed by the packages stage); `pgMajor` is the PostgreSQL major being installed. */
	readonly packages?: (cluster: ClusterConfig, node: NodeConfig, pgMajor: string) => readonly string[];
	/** Every package the stage may install, over every branch of the cluster file (for the lab's package mirror). */
	readonly allPackages?: (pgMajor: string) => readonly string[];
	/** Ports its services listen on, on this node (checked free by the VM checks). */
	readonly ports?: (cluster: ClusterConfig, node: NodeConfig) => readonly PortClaim[];
	/**
	 * The cluster-file keys it reads, with what they mean (the runbook prints them), and the reader
	 * that fills its part of ClusterConfig with defaults and validation (validate.ts calls it).
	 */
	readonly section?: {readonly keys: readonly string[]; readonly doc: Text; readonly read?: SectionReader};
	/** The generated secrets it uses (keys of the secrets file's Secrets). */
	readonly secrets?: readonly (keyof Secrets)[];
	/** Whether the stage has work for this cluster file (its steps still undo an earlier layout). */
	readonly active?: (cluster: ClusterConfig) => boolean;
	/** Its part of `pgha status`, `apply`'s last check and the summary (read-only). */
	readonly health?: HealthProbe;
}

export interface Stage {
	readonly id: string;
	readonly title: Text;
	readonly explain: Text;
	/** Where pgha deliberately differs from the course guide, and why (one sentence). */
	readonly differsFromGuide?: Text;
	readonly steps: readonly Step[];
	readonly needs?: StageNeeds;
}
