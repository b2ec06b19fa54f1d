/** Where things live on a node, by install source. One place, so steps and templates agree. */
import type {ClusterConfig} from '../source/core/cluster.ts';
import {patroniConfigPath} from '../templates/patroni-yml.ts';

/** The course's virtual environment, moved out of a home directory and owned by the postgres user. */
export const patroniVenvDir = '/opt/patroni-venv';

export function patroniBinDir(cluster: ClusterConfig): string {
	return cluster.patroni.source === 'venv' ? `${patroniVenvDir}/bin` : '/usr/bin';
}

export function etcdBinDir(cluster: ClusterConfig): string {
	return cluster.etcd.source === 'package' ? '/usr/bin' : '/usr/local/bin';
}

export function pgBinDir(major: number | string): string {
	return `/usr/lib/postgresql/${major}/bin`;
}

/** Scratch directory for the etcd tarball (download and upload sources); removed afterwards. */
export const etcdScratchDir = '/var/tmp/pgha-etcd';

export function etcdTarballName(version: string, arch = 'amd64'): string {
	return `etcd-v${version}-linux-${arch}.tar.gz`;
}

export function etcdTarballUrl(cluster: ClusterConfig, arch = 'amd64'): string {
	return `${cluster.etcd.downloadBase.replace(/\/+$/, '')}/v${cluster.etcd.version}/${etcdTarballName(cluster.etcd.version, arch)}`;
}

export function etcdChecksumUrl(cluster: ClusterConfig): string {
	return `${cluster.etcd.downloadBase.replace(/\/+$/, '')}/v${cluster.etcd.version}/SHA256SUMS`;
}

/** `etcdctl` against this node's own member, API v3 (the default since 3.4, explicit for older ones). */
export function etcdctl(cluster: ClusterConfig, args: string, endpoint = `http://127.0.0.1:${cluster.ports.etcdClient}`): string {
	return `env ETCDCTL_API=3 ${etcdBinDir(cluster)}/etcdctl --endpoints=${endpoint} --dial-timeout=3s --command-timeout=5s ${args}`;
}

export function patronictl(cluster: ClusterConfig, args: string): string {
	return `${patroniBinDir(cluster)}/patronictl -c ${patroniConfigPath} ${args}`;
}
