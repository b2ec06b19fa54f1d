/**
 * What the test stage measures, as plain data: the JSON report is exactly this object, and the
 * Markdown, the charts and the terminal table are rendered from it. Times are epoch milliseconds on
 * the HAProxy node's clock (the writer's), so figures from different commands can be compared.
 */
import type {Text} from '../core/text.ts';

/**
 * The leader lost four ways, and the front door lost two ways: HAProxy killed on the node holding
 * the floating address, and that node powered off while it is not the leader.
 */
export type FaultKind = 'graceful' | 'kill' | 'poweroff' | 'cut' | 'entry-haproxy' | 'entry-poweroff';

/**
 * The parts of a write outage, in order: the old leader's key leaves etcd (detection), a replica
 * takes it and its PostgreSQL accepts writes (election), HAProxy sends writes there (routing), the
 * client's next attempt commits (client). Front-door faults: keepalived notices, the address moves.
 */
export type PhaseId = 'detection' | 'election' | 'routing' | 'client';

/** One measured phase: from the end of the previous one to the event `evidence` names. */
export interface MeasuredPhase {
	readonly id: PhaseId;
	/** Its length; null when its end could not be read on the nodes: its time is then inside the next phase. */
	readonly ms: number | null;
	/** Earlier phases that could not be measured and whose time this one holds as well. */
	readonly includes?: readonly PhaseId[];
	/** The event that ended it and where it was read, or why it could not be. */
	readonly evidence: Text;
}

/** An outage split into its phases from evidence on the nodes, all on the client node's clock. */
export interface PhaseFigures {
	readonly phases: readonly MeasuredPhase[];
	/** The measured phases added up. */
	readonly sumMs: number;
	/** How far that sum is from the outage the writer measured (0 when the evidence agrees with it). */
	readonly gapMs: number;
}

/** The settings that explain the figures, from the cluster file. */
export interface TimingSettings {
	readonly ttl: number;
	readonly loopWait: number;
	readonly retryTimeout: number;
	/** HAProxy check interval as written in the cluster file (e.g. "3s") and in milliseconds. */
	readonly inter: string;
	readonly interMs: number;
	readonly fall: number;
	readonly rise: number;
	readonly synchronousMode: boolean;
}

/** The limits each figure is judged against, in milliseconds. */
export interface Bounds {
	readonly replicationVisibleMs: number;
	readonly switchoverMs: number;
	readonly gracefulMs: number;
	/** Kill, power off, network cut: the leader key has to expire first. */
	readonly hardMs: number;
	readonly rejoinMs: number;
	/** Fixed allowance added to every theoretical bound (promotion, connection set-up, polling). */
	readonly slackMs: number;
}

/** One judged figure: the report's list of these decides the exit code. */
export interface Check {
	readonly test: string;
	readonly ok: boolean;
	readonly text: Text;
	/**
	 * Passed, but later than its theoretical bound: the outcome was right and came slowly (a busy
	 * host, say). The report shows what the cluster was doing when the bound ran out.
	 */
	readonly slow?: boolean;
}

/** One node's own answer when a wait ran past its bound. */
export interface NodeAnswer {
	readonly name: string;
	/** False: its REST API did not answer (cut off, powered off, or Patroni stopped or frozen). */
	readonly answered: boolean;
	readonly role?: string;
	readonly state?: string;
	readonly timeline?: number;
	/** Read from inside the node (the lab), because it was cut off from everyone else. */
	readonly inside?: boolean;
}

/**
 * What the cluster was doing at the moment a wait passed its bound: every node's own answer, and
 * the last lines of Patroni's journal on the node the wait was about.
 */
export interface Evidence {
	/** What was awaited, e.g. "pg-node-1 steps down by itself". */
	readonly wait: Text;
	readonly boundMs: number;
	/** When it was read, ms after the fault. */
	readonly afterMs: number;
	readonly nodes: readonly NodeAnswer[];
	readonly journal?: {readonly node: string; readonly lines: readonly string[]};
}

export interface ChartMarkData {
	readonly kind: 'fault' | 'leader' | 'first-write' | 'vip';
	/** Milliseconds from the chart's start. */
	readonly atMs: number;
}

/** Acknowledged writes per bucket around a fault, and where the marks go. */
export interface ChartData {
	readonly startAt: number;
	readonly bucketMs: number;
	readonly buckets: readonly number[];
	readonly marks: readonly ChartMarkData[];
	/** File name of the SVG inside the report folder. */
	readonly file: string;
}

export interface WriterFigures {
	readonly acked: number;
	readonly failed: number;
	readonly firstSeq: number;
	/** What the application saw while writes failed: the writer's error messages, most frequent first. */
	readonly errors?: readonly {readonly reason: string; readonly count: number}[];
}

export interface ReplicaFigures {
	readonly name: string;
	readonly state: string;
	readonly syncState: string;
	/** Bytes the replica has not replayed yet, as the leader sees it. */
	readonly lagBytes: number | null;
	/** How long after the write the row was readable there (null: never within the bound). */
	readonly visibleMs: number | null;
}

export interface ReplicationFigures {
	readonly leader: string;
	readonly replicas: readonly ReplicaFigures[];
}

export interface RoutingFigures {
	readonly connections: number;
	readonly leaderHost: string;
	/** Server address -> connections that landed there. */
	readonly writeTargets: Readonly<Record<string, number>>;
	readonly readTargets: Readonly<Record<string, number>>;
	/** Connections through the read port that were on a server in recovery. */
	readonly readInRecovery: number;
	readonly statsUp: {readonly primary: readonly string[]; readonly replicas: readonly string[]};
}

export interface SwitchoverFigures {
	readonly from: string;
	readonly to: string;
	readonly requestedAt: number;
	readonly newLeaderAt: number | null;
	readonly gapMs: number | null;
	readonly boundMs: number;
	readonly primaryNow: readonly string[];
	readonly replicasNow: readonly string[];
	readonly oldLeaderStreaming: boolean;
	readonly writes: WriterFigures;
	readonly chart: ChartData | null;
	/** The write gap split into its phases (absent when there was none to split). */
	readonly phases?: PhaseFigures;
}

export interface FaultFigures {
	readonly kind: FaultKind;
	/** Set when the fault was not run (e.g. power off outside the lab). */
	readonly skipped?: Text;
	readonly victim: string;
	readonly newLeader: string | null;
	readonly faultAt: number;
	readonly newLeaderAt: number | null;
	readonly lastAckBefore: number | null;
	readonly firstAckAfter: number | null;
	readonly outageMs: number | null;
	readonly boundMs: number;
	readonly timelineBefore: number | null;
	readonly timelineAfter: number | null;
	readonly historyBefore: number | null;
	readonly historyAfter: number | null;
	/** What the test had to do beyond the obvious to bring the node back, and why. */
	readonly note?: Text;
	/**
	 * Cut only: a row written on the cut-off primary from its own side of the network, as a client
	 * there would. `gone` after the rejoin means pg_rewind discarded it (null: could not tell).
	 */
	readonly isolatedWrite?: {readonly token: string; readonly accepted: boolean; readonly gone: boolean | null};
	/** When the cut-off old primary was seen stepping down by itself, ms after the fault (cut only). */
	readonly demotedMs?: number | null;
	/** The bound for that step-down (cut only). */
	readonly stepDownBoundMs?: number;
	/** Waits that ran past their bound, with what the cluster was doing then. */
	readonly evidence?: readonly Evidence[];
	readonly restoredAt: number | null;
	readonly rejoinMs: number | null;
	readonly rejoined: boolean;
	readonly caughtUp: boolean;
	/** Patroni's journal on the old primary mentions pg_rewind (null: could not tell). */
	readonly rewound: boolean | null;
	readonly writes: WriterFigures;
	readonly chart: ChartData | null;
	/** With HAProxy on several nodes: what the other doors saw, and where the VIP went. */
	readonly entry?: EntryFigures;
	/** The outage split into its phases (absent when there was no outage to split). */
	readonly phases?: PhaseFigures;
}

/** The front door during one fault. Times on the client node's clock, like every other figure. */
export interface EntryFigures {
	/** The node the probes ran on (never the victim). */
	readonly client: string;
	/** Who held the VIP before the fault, and after (null: no VIP in this layout, or nobody). */
	readonly vipBefore: string | null;
	readonly vipAfter: string | null;
	/** When another node was seen holding the VIP, ms after the fault (null: it did not move). */
	readonly vipMovedMs: number | null;
	/** Who held the VIP once the victim was back (exactly one node expected). */
	readonly holdersAfterHeal: readonly string[] | null;
	/** Writes through the libpq multi-host string (every HAProxy node, target_session_attrs=read-write). */
	readonly multiHostOutageMs: number | null;
	readonly multiHostWrites: WriterFigures;
	/** Reads through the entry address's read port. */
	readonly readOutageMs: number | null;
	readonly reads: WriterFigures;
	/** The leader before and after (entry faults must not move it). */
	readonly leaderBefore: string | null;
	readonly leaderAfter: string | null;
}

/** etcd stopped on every node for a while: with failsafe_mode the primary keeps taking writes. */
export interface FailsafeFigures {
	readonly failsafeMode: boolean;
	readonly leader: string;
	readonly etcdDownAt: number;
	readonly etcdDownMs: number;
	/** Writes acknowledged while etcd was down, and the longest gap between them (ms). */
	readonly ackedWhileDown: number;
	readonly longestGapMs: number | null;
	/** Members seen as primary while etcd was down other than the leader (a promotion: must be none). */
	readonly promoted: readonly string[];
	/** The leader still led once etcd was back. */
	readonly leaderAfter: string | null;
	/** When (ms after etcd stopped) writes first failed; null if they never did. */
	readonly firstFailureMs: number | null;
	readonly writes: WriterFigures;
	readonly chart: ChartData | null;
}

export interface DataSafetyFigures {
	readonly acknowledged: number;
	readonly present: number;
	readonly lost: number;
	/** The first lost sequence numbers (at most 20). */
	readonly lostSample: readonly number[];
	readonly tableRows: number;
	/** Rows whose write reported an error but was committed anyway (the client cannot know). */
	readonly unacknowledgedPresent: number;
	readonly ackedChecksum: string;
	readonly presentChecksum: string;
	/** Rows of the table on each node after catching up. */
	readonly nodeRows: Readonly<Record<string, number | null>>;
	readonly expectZeroLoss: boolean;
}

export interface LoadPhase {
	readonly segments: number;
	readonly transactions: number;
	readonly seconds: number;
	readonly tps: number;
	readonly failedSegments: number;
	readonly abortedClients: number;
	readonly failedTransactions: number;
}

export interface LoadSide {
	readonly port: number;
	readonly before: LoadPhase;
	readonly during: LoadPhase;
	readonly after: LoadPhase;
}

export interface LoadFigures {
	readonly victim: string;
	readonly newLeader: string | null;
	readonly faultAt: number;
	readonly newLeaderAt: number | null;
	readonly clients: number;
	readonly segmentSeconds: number;
	readonly readWrite: LoadSide;
	readonly readOnly: LoadSide;
}

export interface TestReport {
	readonly version: 1;
	readonly runId: string;
	readonly cluster: string;
	readonly startedAt: string;
	readonly finishedAt?: string;
	/** Every test ran (the report step finished). */
	readonly complete: boolean;
	readonly settings: TimingSettings;
	readonly bounds: Bounds;
	readonly replication?: ReplicationFigures;
	readonly routing?: RoutingFigures;
	readonly switchover?: SwitchoverFigures;
	readonly faults: readonly FaultFigures[];
	readonly failsafe?: FailsafeFigures;
	readonly dataSafety?: DataSafetyFigures;
	readonly load?: LoadFigures;
	readonly checks: readonly Check[];
}

export function allPassed(report: TestReport): boolean {
	return report.complete && report.checks.every(check => check.ok);
}
