/** The cluster file `pgha lab up` writes, so `pgha` targets the lab nodes at once. */
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {servedEtcdRelease} from './etcd-release.ts';
import {indexedPatroni, labUser, switchNetns, type LabLayout} from './settings.ts';

/** How the nodes get Patroni and etcd, as the cluster file's answers. */
export interface LabInstall {
	readonly patroni: {readonly source: 'venv' | 'package'; readonly user: string; readonly indexUrl?: string};
	readonly etcd: {readonly source: 'download' | 'package'; readonly version?: string; readonly downloadBase?: string};
}

/**
 * On a release with a lab Python index, the course's own path (pip in a venv, the etcd release
 * tarball), served by the lab; otherwise the distribution's packages.
 */
export function labInstall(layout: LabLayout, etcdVersion: string | undefined): LabInstall {
	const server = `http://${layout.switchIp}`;
	if (indexedPatroni[layout.release] && etcdVersion) {
		return {
			patroni: {source: 'venv', user: 'patroni', indexUrl: `${server}/pypi/simple`},
			etcd: {source: 'download', version: etcdVersion, downloadBase: `${server}/etcd`},
		};
	}

	return {patroni: {source: 'package', user: 'patroni'}, etcd: {source: 'package'}};
}

export function installLines(layout: LabLayout, etcdVersion: string | undefined): string[] {
	const {patroni, etcd} = labInstall(layout, etcdVersion);
	if (patroni.source === 'venv') {
		return [
			`patroni: {source: venv, user: ${patroni.user}, index_url: ${patroni.indexUrl}}`,
			`etcd: {source: download, version: ${etcd.version}, download_base: ${etcd.downloadBase}}`,
		];
	}

	return [`patroni: {source: package, user: ${patroni.user}}`, 'etcd: {source: package}'];
}

/** First line of every file the lab writes: only such a file may be overwritten by the next `up`. */
export const clusterFileMarker = '# written by `pgha lab up`';

export function clusterFileText(layout: LabLayout, install = installLines(layout, servedEtcdRelease(layout.release)?.version)): string {
	const first = layout.nodes[0]!.name;
	return [
		clusterFileMarker,
		'# SSH password / пароль SSH: student (export PGHA_SSH_PASSWORD=student)',
		'name: pg-cluster',
		'nodes:',
		...layout.nodes.map(node => `  - {name: ${node.name}, ip: ${node.ip}, ssh: {port: 22, user: ${labUser}, auth: password}}`),
		'postgres: {version: auto}',
		`# Debian ${layout.release} lab nodes`,
		...install,
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
