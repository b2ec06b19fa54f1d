/**
 * An etcd release as the course downloads it (etcd-vX.Y.Z-linux-amd64.tar.gz with etcd, etcdctl
 * and etcdutl, and a SHA256SUMS listing it among other artefacts), served by the lab as
 * http://<switch>/etcd so `etcd: {source: download}` works without internet. The lab has no way
 * out, so the release is repacked from the etcd-server and etcd-client packages of its repository.
 */
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {releasePaths, type LabRelease} from './settings.ts';

export interface EtcdRelease {
	/** Upstream version, e.g. 3.5.16. */
	readonly version: string;
	/** The tarball, with SHA256SUMS beside it. */
	readonly tarball: string;
}

/** "3.4.23-4+b4" or "1:3.5.16-3" -> the upstream release version. */
export function etcdUpstreamVersion(packaged: string): string {
	return packaged.replace(/^\d+:/, '').replace(/-[^-]*$/, '').replace(/[+~].*$/, '');
}

function poolDeb(poolDir: string, name: string): string {
	const file = readdirSync(poolDir).find(entry => entry.startsWith(`${name}_`) && entry.endsWith('_amd64.deb'));
	if (!file) throw new Error(`${name} is not in the lab repository (${poolDir})`);
	return path.join(poolDir, file);
}

/** Builds the release into the release's etcd folder (v<version>/...), replacing an older one. */
export function buildEtcdRelease(release: LabRelease): EtcdRelease {
	const {poolDir, etcdDir, cacheDir} = releasePaths(release);
	const server = poolDeb(poolDir, 'etcd-server');
	const version = etcdUpstreamVersion(execFileSync('dpkg-deb', ['-f', server, 'Version'], {encoding: 'utf8'}).trim());
	if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`cannot tell the etcd version from ${server}`);

	const work = mkdtempSync(path.join(cacheDir, 'etcd-build-'));
	try {
		const extracted = path.join(work, 'extracted');
		for (const file of [server, poolDeb(poolDir, 'etcd-client')]) execFileSync('dpkg-deb', ['-x', file, extracted]);
		const name = `etcd-v${version}-linux-amd64`;
		const staging = path.join(work, 'staging', name);
		mkdirSync(staging, {recursive: true});
		for (const binary of ['etcd', 'etcdctl', 'etcdutl']) {
			const from = path.join(extracted, 'usr', 'bin', binary);
			if (existsSync(from)) copyFileSync(from, path.join(staging, binary));
		}

		writeFileSync(path.join(staging, 'README.md'), `etcd ${version}, repacked from Debian's packages for the pgha lab\n`);
		const out = path.join(work, 'out');
		const releaseDir = path.join(out, `v${version}`);
		mkdirSync(releaseDir, {recursive: true});
		const tarball = path.join(releaseDir, `${name}.tar.gz`);
		execFileSync('tar', ['-czf', tarball, '-C', path.dirname(staging), name]);
		const digest = createHash('sha256').update(readFileSync(tarball)).digest('hex');
		// Like the real file: several artefacts, ours among them.
		const other = createHash('sha256').update('another artefact').digest('hex');
		writeFileSync(path.join(releaseDir, 'SHA256SUMS'), `${other}  etcd-v${version}-linux-arm64.tar.gz\n${digest}  ${name}.tar.gz\n${other}  etcd-v${version}-windows-amd64.zip\n`);
		rmSync(etcdDir, {recursive: true, force: true});
		renameSync(out, etcdDir);
		return {version, tarball: path.join(etcdDir, `v${version}`, `${name}.tar.gz`)};
	} finally {
		rmSync(work, {recursive: true, force: true});
	}
}

/** The release the lab serves, if built. */
export function servedEtcdRelease(release: LabRelease): EtcdRelease | undefined {
	const {etcdDir} = releasePaths(release);
	if (!existsSync(etcdDir)) return undefined;
	const folder = readdirSync(etcdDir).find(name => /^v\d+\.\d+\.\d+$/.test(name));
	if (!folder) return undefined;
	const version = folder.slice(1);
	const tarball = path.join(etcdDir, folder, `etcd-v${version}-linux-amd64.tar.gz`);
	return existsSync(tarball) ? {version, tarball} : undefined;
}
