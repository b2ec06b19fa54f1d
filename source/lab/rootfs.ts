/**
 * The nodes' shared root filesystem: a Debian system made by mmdebstrap from the local repository
 * only (it must never reach a mirror itself), then given the lab-wide settings every node shares.
 * Per-node identity (hostname, machine-id, host keys) is written later, into each node's overlay.
 */
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, lstatSync, readdirSync, unlinkSync} from 'node:fs';
import path from 'node:path';
import {unmountUnder} from './mounts.ts';
import {run} from './process.ts';
import {basePackages, labPassword, labUser, releasePaths, type LabRelease} from './settings.ts';

/** Bump when configureRootfs changes, so an old rootfs is rebuilt. */
const rootfsFormat = 1;

export function rootfsHash(release: LabRelease, arch: string): string {
	return createHash('sha256').update(JSON.stringify({rootfsFormat, release, arch, base: basePackages(release)})).digest('hex');
}

/** Removes a rootfs directory without ever following a leftover bind mount into the repository. */
export async function removeTree(dir: string): Promise<void> {
	if (!existsSync(dir)) return;
	await unmountUnder(dir);
	await run('rm', ['-rf', '--one-file-system', dir]);
}

/** `onLine` gets mmdebstrap's output as it comes: verbose, it is apt's and dpkg's own (counts, Unpacking, Setting up). */
export async function bootstrap(release: LabRelease, target: string, logFd: number, onLine?: (line: string) => void): Promise<void> {
	await removeTree(target);
	await run('mmdebstrap', [
		'--mode=root',
		'--verbose',
		'--variant=important',
		'--format=directory',
		`--include=${basePackages(release).join(',')}`,
		// Makes the file:// repository visible inside the chroot while apt runs there.
		'--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount',
		'--aptopt=Acquire::Languages "none"',
		release,
		target,
		`deb [trusted=yes] file://${releasePaths(release).repoDebianDir} ${release} main`,
	], {logFd, ...(onLine ? {onLine} : {})});
	// A failed hook can leave the repository bind-mounted inside; never keep such a mount around.
	await unmountUnder(target);
}

/** Units a real VM has but that only get in the way in a container lab (see the lab notes). */
const maskedUnits = [
	'apt-daily.timer',
	'apt-daily-upgrade.timer',
	'e2scrub_all.timer',
	'e2scrub_reap.service',
	'fstrim.timer',
	'systemd-pstore.service',
	'getty@tty1.service',
];

function write(root: string, file: string, content: string, mode = 0o644): void {
	const target = path.join(root, file);
	mkdirSync(path.dirname(target), {recursive: true});
	writeFileSync(target, content, {mode});
}

function removeIfExists(file: string): void {
	try {
		lstatSync(file);
		unlinkSync(file);
	} catch {}
}

export async function configureRootfs(root: string): Promise<void> {
	// mmdebstrap's own apt settings point at the build-time file:// repository.
	rmSync(path.join(root, 'etc/apt/apt.conf.d/99mmdebstrap'), {force: true});
	write(root, 'etc/default/locale', 'LANG=C.UTF-8\n');
	// Identity is per node: a shared machine-id or host key is exactly the cloned-VM trap.
	for (const name of readdirSync(path.join(root, 'etc/ssh'))) {
		if (name.startsWith('ssh_host_')) rmSync(path.join(root, 'etc/ssh', name));
	}

	writeFileSync(path.join(root, 'etc/machine-id'), '');
	const dbusId = path.join(root, 'var/lib/dbus/machine-id');
	removeIfExists(dbusId);
	mkdirSync(path.dirname(dbusId), {recursive: true});
	symlinkSync('/etc/machine-id', dbusId);
	writeFileSync(path.join(root, 'etc/hostname'), 'localhost\n');

	await run('chroot', [root, 'useradd', '--create-home', '--shell', '/bin/bash', '--groups', 'sudo', labUser]);
	await run('chroot', [root, 'chpasswd'], {input: `${labUser}:${labPassword}\n`});
	// Like a stock Ubuntu server: root has no password, admin work goes through sudo.
	await run('chroot', [root, 'passwd', '--lock', 'root']);

	write(root, 'etc/ssh/sshd_config.d/pgha-lab.conf', [
		'# pgha lab: password logins like a freshly installed course VM',
		'PasswordAuthentication yes',
		'PermitRootLogin prohibit-password',
		'UseDNS no',
		'',
	].join('\n'));

	const systemDir = path.join(root, 'etc/systemd/system');
	mkdirSync(systemDir, {recursive: true});
	for (const unit of maskedUnits) {
		const link = path.join(systemDir, unit);
		removeIfExists(link);
		symlinkSync('/dev/null', link);
	}

	write(root, 'etc/motd', [
		'',
		'pgha lab node: a Debian container that stands in for a course VM.',
		'Узел лаборатории pgha: контейнер Debian вместо ВМ курса.',
		'',
	].join('\n'));
}

export function rootfsLooksComplete(release: LabRelease, root: string): boolean {
	try {
		return readFileSync(path.join(root, 'etc/os-release'), 'utf8').includes(release) && existsSync(path.join(root, 'usr/sbin/sshd'));
	} catch {
		return false;
	}
}
