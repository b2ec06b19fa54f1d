/**
 * The lab's local Python package index (PEP 503), so a node's `pip install 'patroni[etcd3]'
 * psycopg2-binary` works with no internet, exactly as the course types it. Made offline from the
 * release's own Debian builds of those libraries (compiled by Debian for the nodes' very Python):
 * each binary package becomes one wheel with the package's own metadata (debs-to-wheels.py), and
 * psycopg2 is published under the name the course uses. The script refuses an index in which a
 * requirement of the course's install has no wheel.
 *
 * Debian's *source* packages would be the other way in, but their .dsc files are not reachable
 * from this machine's package mirror (404), while the binary packages always are.
 */
import {createHash} from 'node:crypto';
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {run} from './process.ts';
import {hostPython, indexedPatroni, pythonIndexPackages, releasePaths, releasePythonTag, type LabRelease} from './settings.ts';

const converter = fileURLToPath(new URL('debs-to-wheels.py', import.meta.url));

/** The course's names that differ from Debian's: psycopg2-binary is psycopg2 built as a wheel. */
export const courseRenames: Readonly<Record<string, string>> = {psycopg2: 'psycopg2-binary'};

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

/** The newest .deb of each package in the pool (a pool may hold an older one beside it). */
function poolDebs(poolDir: string, packages: readonly string[]): string[] {
	const files = readdirSync(poolDir);
	return packages.map(name => {
		const matches = files.filter(file => file.startsWith(`${name}_`) && file.endsWith('.deb')).sort();
		if (matches.length === 0) throw new Error(`${name} is not in the lab repository (${poolDir})`);
		return path.join(poolDir, matches.at(-1)!);
	});
}

/** Builds the wheels and publishes the index into the release's pypi folder (replacing the old one). */
export async function buildPythonIndex(release: LabRelease, logFd: number): Promise<{wheels: number}> {
	if (!indexedPatroni[release]) throw new Error(`no Python index is built for ${release}`);
	const {cacheDir, pypiDir, poolDir} = releasePaths(release);
	const work = mkdtempSync(path.join(cacheDir, 'pypi-build-'));
	try {
		const output = path.join(work, 'wheels');
		mkdirSync(output);
		const renames = Object.entries(courseRenames).map(([from, to]) => `${from}=${to}`).join(',');
		await run(hostPython, [converter, releasePythonTag[release], output, renames, ...poolDebs(poolDir, pythonIndexPackages(release))], {logFd});

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
		rmSync(work, {recursive: true, force: true});
	}
}
