/** The etcd stage's part of the cluster file: the `etcd` section, with its defaults and checks. */
import type {EtcdSource} from '../source/core/cluster.ts';
import {defaultEtcd} from '../source/config/defaults.ts';
import {msg} from '../source/config/messages.ts';
import type {SectionReader} from './types.ts';

export const etcdSection: SectionReader = {
	field: 'etcd',
	read(r, {root, resolvePath}) {
		const section = r.section(root, 'etcd', '', ['source', 'version', 'download_base', 'tarball']);
		if (!section) return undefined;
		const source = r.oneOf<EtcdSource>(section, 'source', 'etcd', ['download', 'upload', 'package'], defaultEtcd.source);
		let version: string | undefined = defaultEtcd.version;
		if (section.version !== undefined && section.version !== null) {
			version = typeof section.version === 'string' && /^\d+\.\d+\.\d+$/.test(section.version) ? section.version : undefined;
			if (version === undefined) r.errors.push(msg.badVersion('etcd.version', section.version));
		}

		const downloadBase = r.string(section, 'download_base', 'etcd', defaultEtcd.downloadBase);
		if (downloadBase !== undefined && !/^https?:\/\/[^\s/]+/.test(downloadBase)) r.errors.push(msg.badUrl('etcd.download_base', downloadBase));
		const tarball = r.string(section, 'tarball', 'etcd', '');
		if (source === 'upload' && tarball === '') r.errors.push(msg.tarballNeeded('etcd.tarball'));
		if (source === undefined || version === undefined || downloadBase === undefined || tarball === undefined) return undefined;
		return {
			source,
			version,
			downloadBase: downloadBase.replace(/\/+$/, ''),
			...(tarball ? {tarball: resolvePath(tarball)} : {}),
		};
	},
};
