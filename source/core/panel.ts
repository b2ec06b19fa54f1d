/**
 * A live block a running step keeps on the screen while something long and watched happens (the
 * test stage's failover drill: per node its Patroni role, the leader key's TTL, HAProxy's view, the
 * acknowledged writes, a clock). The step hands a new Panel object per update through
 * StepContext.panel; the run screen draws it in place of the node's output tail, and plain output
 * (CI logs) and the run log get its `plain` line, timestamped, at most once a second.
 */

/** A live block a running step keeps on the screen (the drill view while a fault runs). */
export interface Panel {
	/** Rows for the terminal, each at most `width` columns (the screen passes its width; clip anyway). */
	render(width: number): readonly string[];
	/** The same state as one plain line, for output that is not a terminal (CI logs). */
	readonly plain: string;
}
