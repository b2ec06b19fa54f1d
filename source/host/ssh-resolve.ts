/**
 * What the system OpenSSH client makes of a config: `ssh -G` prints the settings it would use for a
 * host without connecting. pgha uses it to prove the written file works (BOM, encoding, order).
 */
import type {RunFile} from './run-file.ts';

export interface ResolvedHost {
	readonly hostName?: string;
	readonly user?: string;
	readonly port?: number;
	readonly identityFiles: readonly string[];
}

export function parseSshG(output: string): ResolvedHost {
	let hostName: string | undefined;
	let user: string | undefined;
	let port: number | undefined;
	const identityFiles: string[] = [];
	for (const line of output.split(/\r?\n/)) {
		const match = /^(\S+)\s+(.*)$/.exec(line);
		if (!match) continue;
		const [, key, value] = match as unknown as [string, string, string];
		switch (key.toLowerCase()) {
			case 'hostname':
				hostName = value;
				break;
			case 'user':
				user = value;
				break;
			case 'port':
				port = Number(value);
				break;
			case 'identityfile':
				identityFiles.push(value);
				break;
		}
	}

	return {hostName, user, port, identityFiles};
}

export type ResolveOutcome = {readonly ok: true; readonly host: ResolvedHost} | {readonly ok: false; readonly error: string};

export async function resolveWithSsh(run: RunFile, ssh: string, configFile: string, alias: string): Promise<ResolveOutcome> {
	const result = await run(ssh, ['-G', '-F', configFile, alias], {timeoutMs: 15_000});
	if (result.code !== 0) {
		const message = result.stderr.replace(/^Pseudo-terminal will not be allocated.*$/m, '').trim();
		return {ok: false, error: message || result.failure || `exit code ${result.code ?? '?'}`};
	}

	return {ok: true, host: parseSshG(result.stdout)};
}
