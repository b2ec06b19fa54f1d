/**
 * The block pgha owns in the user's OpenSSH config: one `Host` entry per node, between two marker
 * comments that carry the cluster name so several clusters can live in one file.
 */

export interface SshHostEntry {
	/** The name typed in `ssh ALIAS` and shown by VS Code Remote-SSH, e.g. pg-node-1. */
	readonly alias: string;
	readonly hostName: string;
	readonly user: string;
	readonly port: number;
	/** As it should appear in the file (e.g. `~/.ssh/id_ed25519`); absent for password logins. */
	readonly identityFile?: string;
}

export function blockStartMarker(clusterName: string): string {
	return `# >>> pgha managed block (cluster ${clusterName}) >>>`;
}

export function blockEndMarker(clusterName: string): string {
	return `# <<< pgha managed block (cluster ${clusterName}) <<<`;
}

/**
 * OpenSSH splits arguments on spaces; quote a value that contains one. Backslashes are left alone:
 * older Win32-OpenSSH releases do not unescape them, so Windows paths are given with `/` instead.
 */
export function sshConfigValue(value: string): string {
	return /\s/.test(value) ? `"${value}"` : value;
}

/** Lines of the block, without line terminators. */
export function renderSshConfigBlock(clusterName: string, entries: readonly SshHostEntry[]): string[] {
	const lines = [blockStartMarker(clusterName), '# Written by pgha; it rewrites the lines between these markers on every run.'];
	for (const [index, entry] of entries.entries()) {
		if (index > 0) lines.push('');
		lines.push(`Host ${entry.alias}`);
		lines.push(`    HostName ${entry.hostName}`);
		lines.push(`    User ${sshConfigValue(entry.user)}`);
		lines.push(`    Port ${entry.port}`);
		if (entry.identityFile !== undefined) lines.push(`    IdentityFile ${sshConfigValue(entry.identityFile)}`);
	}

	lines.push(blockEndMarker(clusterName));
	return lines;
}
