/**
 * The lab's local Python package index (PEP 503), so a node's `pip install 'patroni[etcd3]'
 * psycopg2-binary` works with no internet, exactly as the course types it. Built offline from the
 * release's own Debian *source* packages: their upstream tarballs are turned into wheels inside a
 * throwaway root filesystem of the same release (same Python, C extensions compiled there), then
 * checked by installing them into a fresh venv before the index is published.
 */
import {createHash} from 'node:crypto';
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {aptOptions} from './repo.ts';
import {run} from './process.ts';
import {removeTree} from './rootfs.ts';
import {indexedPatroni, releasePaths, wheelBuildPackages, type LabRelease} from './settings.ts';

/** The course's command line; every name must resolve on the index. */
export const courseRequirements = ['patroni[etcd3]', 'psycopg2-binary'] as const;

/**
 * Binary packages whose source packages make the wheels: Patroni, its etcd3 extra and their
 * dependencies, and psycopg2 (published as psycopg2-binary, the name the course uses).
 */
const wheelSources = [
	'patroni', 'python3-etcd', 'python3-psycopg2', 'python3-psutil', 'python3-yaml', 'python3-click',
	'python3-prettytable', 'python3-dateutil', 'python3-urllib3', 'python3-ydiff', 'python3-dnspython',
	'python3-wcwidth', 'python3-six',
];

/** "1:8.2.0+0.really.8.1.8-1" -> "8.1.8"; "0.2.13+dfsg1-1" -> "0.2.13": the upstream release. */
export function upstreamVersion(debianVersion: string): string {
	let version = debianVersion.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
	const really = /really\.?(.+)$/.exec(version);
	if (really) version = really[1]!;
	return version.replace(/[+~](dfsg|ds|repack)\d*$/i, '');
}

/** PEP 503 project name: lower case, runs of -_. as one dash. */
export function normalizeProject(name: string): string {
	return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The distribution name inside a wheel file name (PEP 427): everything before the first dash. */
export function wheelProject(file: string): string {
	return normalizeProject(file.split('-')[0]!);
}

function escapeHtml(text: string): string {
	return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** The index pages for a folder of wheels: simple/index.html and simple/<project>/index.html. */
export function indexPages(wheels: ReadonlyArray<{readonly file: string; readonly sha256: string}>): Map<string, string> {
	const byProject = new Map<string, Array<{file: string; sha256: string}>>();
	for (const wheel of wheels) {
		const project = wheelProject(wheel.file);
		byProject.set(project, [...(byProject.get(project) ?? []), wheel]);
	}

	const page = (title: string, links: string[]) => `<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0"><title>${escapeHtml(title)}</title></head><body>\n${links.join('\n')}\n</body></html>\n`;
	const pages = new Map<string, string>();
	const projects = [...byProject.keys()].sort();
	pages.set('simple/index.html', page('Simple index', projects.map(project => `<a href="${project}/">${project}</a>`)));
	for (const project of projects) {
		const links = byProject.get(project)!.map(wheel => `<a href="../../files/${encodeURIComponent(wheel.file)}#sha256=${wheel.sha256}">${escapeHtml(wheel.file)}</a>`);
		pages.set(`simple/${project}/index.html`, page(`Links for ${project}`, links));
	}

	return pages;
}

/** Runs inside the builder: one wheel per source tree, then the course's install into a fresh venv. */
export function builderScript(patroniVersion: string): string {
	return [
		'#!/bin/sh',
		'set -eu',
		'cd /build',
		'mkdir -p wheels',
		'for dir in src/*/; do',
		'  version=$(cat "$dir/.upstream-version")',
		'  echo "== wheel: $dir $version"',
		// Projects versioned from git tags read it from here (the tarballs carry no .git).
		'  SETUPTOOLS_SCM_PRETEND_VERSION="$version" python3 -m pip wheel --no-deps --no-build-isolation --no-index --disable-pip-version-check -w wheels "$dir"',
		'done',
		'python3 -m venv /build/check',
		`/build/check/bin/pip install --no-index --disable-pip-version-check --find-links wheels 'patroni[etcd3]==${patroniVersion}' psycopg2-binary`,
		"/build/check/bin/python -c 'import patroni, psycopg2, etcd, psutil, yaml'",
		'/build/check/bin/patroni --version',
		'',
	].join('\n');
}

/** Downloads the source packages (.dsc, upstream tarball, Debian changes) into `dir`. */
async function downloadSources(release: LabRelease, dir: string, logFd: number): Promise<void> {
	await run('apt-get', [...aptOptions(release), 'source', '--download-only', ...wheelSources], {cwd: dir, logFd});
}

/** Unpacks each upstream tarball into trees/<source>/, with its upstream version beside it. */
async function unpackSources(downloads: string, trees: string): Promise<void> {
	for (const dsc of readdirSync(downloads).filter(name => name.endsWith('.dsc'))) {
		const text = readFileSync(path.join(downloads, dsc), 'utf8');
		const source = /^Source:\s*(\S+)/m.exec(text)?.[1];
		const version = /^Version:\s*(\S+)/m.exec(text)?.[1];
		if (!source || !version) throw new Error(`cannot read ${dsc}`);
		const tarball = readdirSync(downloads).find(name => name.startsWith(`${source}_`) && /\.orig\.tar\.[a-z0-9]+$/.test(name));
		if (!tarball) throw new Error(`no upstream tarball for ${source} in ${downloads}`);
		const tree = path.join(trees, source);
		mkdirSync(tree, {recursive: true});
		await run('tar', ['-xf', path.join(downloads, tarball), '-C', tree, '--strip-components=1']);
		writeFileSync(path.join(tree, '.upstream-version'), `${upstreamVersion(version)}\n`);
		// psycopg2-binary is psycopg2 under another name (upstream builds it the same way).
		if (source === 'psycopg2') {
			const setup = path.join(tree, 'setup.py');
			const renamed = readFileSync(setup, 'utf8').replace(/name=(["'])psycopg2\1/, 'name="psycopg2-binary"');
			if (!renamed.includes('name="psycopg2-binary"')) throw new Error('psycopg2 setup.py: the name line was not found');
			writeFileSync(setup, renamed);
		}
	}
}

/** Builds the wheels and publishes the index into the release's pypi folder (replacing the old one). */
export async function buildPythonIndex(release: LabRelease, logFd: number): Promise<{wheels: number}> {
	const patroniVersion = indexedPatroni[release];
	if (!patroniVersion) throw new Error(`no Python index is built for ${release}`);
	const {cacheDir, pypiDir, repoDebianDir} = releasePaths(release);
	const work = mkdtempSync(path.join(cacheDir, 'pypi-build-'));
	try {
		const downloads = path.join(work, 'downloads');
		const trees = path.join(work, 'src');
		mkdirSync(downloads);
		mkdirSync(trees);
		await downloadSources(release, downloads, logFd);
		await unpackSources(downloads, trees);
		writeFileSync(path.join(work, 'build.sh'), builderScript(patroniVersion), {mode: 0o755});
		const output = path.join(work, 'wheels');
		mkdirSync(output);
		const root = path.join(work, 'root');
		await run('mmdebstrap', [
			'--mode=root',
			'--variant=apt',
			'--format=directory',
			`--include=${wheelBuildPackages(release).join(',')}`,
			'--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount',
			'--aptopt=Acquire::Languages "none"',
			`--customize-hook=mkdir -p "$1/build" && cp -a ${trees} "$1/build/src" && cp ${path.join(work, 'build.sh')} "$1/build/build.sh"`,
			'--customize-hook=chroot "$1" /bin/sh /build/build.sh',
			`--customize-hook=cp "$1"/build/wheels/*.whl ${output}/`,
			release,
			root,
			`deb [trusted=yes] file://${repoDebianDir} ${release} main`,
		], {logFd});
		await removeTree(root);

		const staged = path.join(work, 'pypi');
		mkdirSync(path.join(staged, 'files'), {recursive: true});
		const wheels = readdirSync(output).filter(name => name.endsWith('.whl')).sort().map(file => {
			const content = readFileSync(path.join(output, file));
			writeFileSync(path.join(staged, 'files', file), content);
			return {file, sha256: createHash('sha256').update(content).digest('hex')};
		});
		for (const [page, html] of indexPages(wheels)) {
			mkdirSync(path.dirname(path.join(staged, page)), {recursive: true});
			writeFileSync(path.join(staged, page), html);
		}

		rmSync(pypiDir, {recursive: true, force: true});
		renameSync(staged, pypiDir);
		return {wheels: wheels.length};
	} finally {
		await removeTree(path.join(work, 'root'));
		rmSync(work, {recursive: true, force: true});
	}
}
