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

/** A value that no OpenSSH config line can carry: a line break would start a new (injected) directive. */
export class UnsafeSshConfigValue extends Error {
	override readonly name = 'UnsafeSshConfigValue';
}

/**
 * One value for a config line. OpenSSH splits on spaces and honours `'` and `"` quotes and a `#` that
 * starts a word, so such values are double-quoted; a `"` or a control character cannot be represented
 * in every OpenSSH version and is refused (the cluster file's validation refuses them first).
 * Backslashes are left alone: older Win32-OpenSSH releases do not unescape them, so Windows paths are
 * given with `/` instead. `tokens`: the keyword expands `%x` (IdentityFile), so a literal `%` is `%%`.
 */
export function sshConfigValue(value: string, options: {tokens?: boolean} = {}): string {
	if (/[\u0000-\u001f\u007f"]/.test(value) || value === '') throw new UnsafeSshConfigValue(`cannot be written into an OpenSSH config: ${JSON.stringify(value)}`);
	const literal = options.tokens ? value.replaceAll('%', '%%') : value;
	return /[\s#']/.test(literal) ? `"${literal}"` : literal;
}

/** Lines of the block, without line terminators. */
export function renderSshConfigBlock(clusterName: string, entries: readonly SshHostEntry[]): string[] {
	const lines = [blockStartMarker(clusterName), '# Written by pgha; it rewrites the lines between these markers on every run.'];
	for (const [index, entry] of entries.entries()) {
		if (index > 0) lines.push('');
		lines.push(`Host ${sshConfigValue(entry.alias)}`);
		lines.push(`    HostName ${sshConfigValue(entry.hostName)}`);
		lines.push(`    User ${sshConfigValue(entry.user)}`);
		lines.push(`    Port ${entry.port}`);
		if (entry.identityFile !== undefined) lines.push(`    IdentityFile ${sshConfigValue(entry.identityFile, {tokens: true})}`);
	}

	lines.push(blockEndMarker(clusterName));
	return lines;
}
