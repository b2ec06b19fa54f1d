/** The cluster file `pgha lab up` writes, so `pgha` targets the lab nodes at once. */
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {labUser, switchNetns, type LabLayout} from './settings.ts';

/** First line of every file the lab writes: only such a file may be overwritten by the next `up`. */
export const clusterFileMarker = '# written by `pgha lab up`';

export function clusterFileText(layout: LabLayout): string {
	const first = layout.nodes[0]!.name;
	return [
		clusterFileMarker,
		'# SSH password / пароль SSH: student (export PGHA_SSH_PASSWORD=student)',
		'name: pg-cluster',
		'nodes:',
		...layout.nodes.map(node => `  - {name: ${node.name}, ip: ${node.ip}, ssh: {port: 22, user: ${labUser}, auth: password}}`),
		'postgres: {version: auto}',
		'patroni: {source: package, user: patroni}',
		'etcd: {source: package}',
		`haproxy: {node: ${first}}`,
		`lab: {netns: ${switchNetns}}`,
		'',
	].join('\n');
}

/** A user's own cluster file (for real VMs) must never be replaced by a lab one. */
export function mayWrite(file: string): boolean {
	if (!existsSync(file)) return true;
	try {
		return readFileSync(file, 'utf8').startsWith(clusterFileMarker);
	} catch {
		return false;
	}
}

export function writeClusterFile(file: string, layout: LabLayout): void {
	writeFileSync(file, clusterFileText(layout), {mode: 0o644});
}
