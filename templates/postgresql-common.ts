/**
 * A drop-in for Debian's postgresql-common (read through the `include_dir` of createcluster.conf):
 * installing postgresql-NN then creates no "main" cluster of its own, which would take port 5432
 * and start before Patroni does.
 */

export const createClusterDropInDir = '/etc/postgresql-common/createcluster.d';
export const createClusterDropInPath = `${createClusterDropInDir}/pgha.conf`;

export function renderCreateClusterDropIn(): string {
	return [
		'# Written by pgha: Patroni creates and runs the PostgreSQL cluster on this node,',
		'# so installing a PostgreSQL package must not create and start a "main" cluster.',
		'create_main_cluster = false',
		'',
	].join('\n');
}
