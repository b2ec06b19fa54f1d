/**
 * Facts discovered on a node (kept per node by the engine for the run). A resumed run may skip the
 * stage that found them, so every reader re-detects a missing fact from the node itself.
 */
import type {PlanContext, StepContext} from './types.ts';
import {nodeError, probe, shq, text} from './commands.ts';

export const factKeys = {
	/** PostgreSQL major in use, e.g. "16". */
	pgMajor: 'pg.major',
	/** e.g. /usr/lib/postgresql/16/bin, checked to hold `postgres`. */
	pgBinDir: 'pg.binDir',
	patroniVersion: 'patroni.version',
	etcdVersion: 'etcd.version',
	osId: 'os.id',
	osVersion: 'os.version',
	arch: 'os.arch',
} as const;

/** The major for plans: the cluster file's number, a detected fact, or a placeholder for the runbook. */
export function plannedMajor(ctx: PlanContext): string {
	if (typeof ctx.cluster.postgresVersion === 'number') return String(ctx.cluster.postgresVersion);
	return ctx.facts.get(factKeys.pgMajor) ?? '<major>';
}

/** Newest major among `NN` words (e.g. apt-cache names or directory names). */
export function newestMajor(lines: string, pattern: RegExp): number | undefined {
	const majors = lines.split('\n')
		.map(line => pattern.exec(line.trim())?.[1])
		.filter((value): value is string => value !== undefined)
		.map(Number)
		.filter(value => Number.isInteger(value) && value > 0);
	return majors.length === 0 ? undefined : Math.max(...majors);
}

/** The newest `postgresql-NN` server package in the node's current apt lists. */
export async function candidateMajor(ctx: StepContext): Promise<number | undefined> {
	const result = await probe(ctx, 'apt-cache pkgnames postgresql-');
	return newestMajor(result.stdout, /^postgresql-(\d+)$/);
}

/** The newest PostgreSQL major whose server binary is installed. */
export async function installedMajor(ctx: StepContext): Promise<number | undefined> {
	const result = await probe(ctx, 'ls -1d /usr/lib/postgresql/*/bin/postgres');
	return newestMajor(result.stdout, /^\/usr\/lib\/postgresql\/(\d+)\/bin\/postgres$/);
}

/**
 * The major of this cluster's data directory on the node, if Patroni already created one: with
 * `auto`, a newer major appearing in the repositories later must not move an existing cluster.
 */
export async function dataDirMajor(ctx: StepContext): Promise<number | undefined> {
	const result = await probe(ctx, `ls -1d /var/lib/postgresql/*/${shq(ctx.cluster.name)}/PG_VERSION`, {sudo: true});
	const pattern = /^\/var\/lib\/postgresql\/(\d+)\//;
	return newestMajor(result.stdout, pattern);
}

/** The major this node uses, from the cluster file, the run's facts or the node (recorded as a fact). */
export async function ensurePgMajor(ctx: StepContext): Promise<string> {
	if (typeof ctx.cluster.postgresVersion === 'number') {
		ctx.facts.set(factKeys.pgMajor, String(ctx.cluster.postgresVersion));
		return String(ctx.cluster.postgresVersion);
	}

	const known = ctx.facts.get(factKeys.pgMajor);
	if (known) return known;
	const major = await dataDirMajor(ctx) ?? await installedMajor(ctx);
	if (major === undefined) {
		throw nodeError(ctx.node.name,
			text('PostgreSQL не установлен.', 'PostgreSQL is not installed.'),
			text('Запустите этап packages (pgha apply --from packages).', 'Run the packages stage (pgha apply --from packages).'));
	}

	ctx.facts.set(factKeys.pgMajor, String(major));
	return String(major);
}
