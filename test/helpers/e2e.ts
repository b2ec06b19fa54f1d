/**
 * End-to-end helpers: pgha as a child process in a throwaway folder (its own HOME, a copy of the
 * lab's cluster file), and what a user would look at afterwards: psql through HAProxy or straight
 * to a node, the HAProxy stats page, service PIDs on the nodes.
 *
 * Secrets stay off command lines here too: psql gets its password from the environment, curl reads
 * its credentials from stdin.
 */
import {execFileSync, spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {setTimeout as sleep} from 'node:timers/promises';
import type {ExecutionContext, TestFn} from 'ava';
import YAML from 'yaml';
import {servedEtcdRelease} from '../../source/lab/etcd-release.ts';
import {releasePaths} from '../../source/lab/settings.ts';
import {readState} from '../../source/lab/state.ts';
import {inSwitch, labClusterFile, labExec, labNodes, labSshPassword, type Result} from './lab.ts';

export const pghaBin = fileURLToPath(new URL('../../source/bin.js', import.meta.url));

export interface Workdir {
	/** The folder holding pgha.yaml, pgha.secrets.yaml and .pgha/. */
	readonly dir: string;
	/** HOME for pgha (the SSH config stage writes $HOME/.ssh/config and a key). */
	readonly home: string;
	readonly clusterFile: string;
	remove(): void;
}

type ClusterDoc = Record<string, any>;

/** A temp folder with the lab's cluster file copied as pgha.yaml, optionally edited first. */
export function makeWorkdir(prefix: string, edit?: (doc: ClusterDoc) => void): Workdir {
	const source = labClusterFile();
	if (!source) throw new Error('the lab has no cluster file (is it up?)');
	const root = mkdtempSync(join(tmpdir(), `pgha-e2e-${prefix}-`));
	const dir = join(root, 'cluster');
	const home = join(root, 'home');
	mkdirSync(dir);
	mkdirSync(home, {mode: 0o700});
	const clusterFile = join(dir, 'pgha.yaml');
	writeCluster(clusterFile, YAML.parse(readFileSync(source, 'utf8')) as ClusterDoc, edit);
	return {dir, home, clusterFile, remove: () => rmSync(root, {recursive: true, force: true})};
}

export function writeCluster(file: string, doc: ClusterDoc, edit?: (doc: ClusterDoc) => void): void {
	const copy = structuredClone(doc);
	edit?.(copy);
	writeFileSync(file, YAML.stringify(copy));
}

export function readCluster(file: string): ClusterDoc {
	return YAML.parse(readFileSync(file, 'utf8')) as ClusterDoc;
}

/** The generated passwords pgha wrote beside the cluster file. */
export function readSecrets(work: Workdir): Record<string, string> {
	return YAML.parse(readFileSync(join(work.dir, 'pgha.secrets.yaml'), 'utf8')) as Record<string, string>;
}

export interface PghaRun {
	readonly cwd: string;
	readonly args: readonly string[];
	readonly home: string;
	/** Extra environment (PGHA_SSH_PASSWORD defaults to the lab password; pass undefined values to drop). */
	readonly env?: Readonly<Record<string, string | undefined>>;
	/** SIGKILL pgha (kill -9, only its own PID) as soon as a stdout line matches. */
	readonly killAfter?: (line: string) => boolean;
	/** Called with every stdout line as it arrives. */
	readonly onLine?: (line: string) => void;
	/** Hard bound for the whole run; pgha and its process group are killed after it. Default 12 min. */
	readonly timeoutMs?: number;
}

export interface PghaResult extends Result {
	readonly signal: NodeJS.Signals | null;
	/** The killAfter line that triggered the SIGKILL. */
	readonly killedAt?: string;
	readonly timedOut: boolean;
	readonly ms: number;
}

/**
 * `node source/bin.js ARGS` in `cwd`, English messages, plain output (pipes, NO_COLOR). pgha runs in
 * its own process group so whatever it leaves behind after a SIGKILL can be cleaned up afterwards.
 */
export function runPgha(options: PghaRun): Promise<PghaResult> {
	const args = options.args.includes('--lang') ? [...options.args] : [...options.args, '--lang', 'en'];
	const env: NodeJS.ProcessEnv = {...process.env, HOME: options.home, NO_COLOR: '1', FORCE_COLOR: '0', PGHA_SSH_PASSWORD: labSshPassword};
	for (const [key, value] of Object.entries(options.env ?? {})) {
		if (value === undefined) delete env[key];
		else env[key] = value;
	}

	const started = Date.now();
	return new Promise(resolve => {
		const child = spawn(process.execPath, [pghaBin, ...args], {cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true});
		let stdout = '';
		let stderr = '';
		let pending = '';
		let killedAt: string | undefined;
		let timedOut = false;
		let exit: {code: number | null; signal: NodeJS.Signals | null} | undefined;
		const killGroup = () => {
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {
				// The group is gone already.
			}
		};

		child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
			stdout += chunk;
			if ((!options.killAfter && !options.onLine) || killedAt !== undefined) return;
			pending += chunk;
			const lines = pending.split('\n');
			pending = lines.pop() ?? '';
			for (const line of lines) options.onLine?.(line);
			const hit = options.killAfter ? lines.find(line => options.killAfter!(line)) : undefined;
			if (hit !== undefined) {
				killedAt = hit;
				child.kill('SIGKILL');
			}
		});
		child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup();
		}, options.timeoutMs ?? 12 * 60_000);
		let finished = false;
		const finish = () => {
			if (finished) return;
			finished = true;
			clearTimeout(timer);
			// After a SIGKILL, helpers pgha started (socat into the lab namespace) must not outlive the test.
			if (killedAt !== undefined || timedOut) killGroup();
			const code = exit?.code ?? (exit?.signal === 'SIGKILL' ? 137 : 128);
			resolve({code, signal: exit?.signal ?? null, stdout, stderr, killedAt, timedOut, ms: Date.now() - started});
		};

		child.on('error', error => {
			stderr += error.message;
			finish();
		});
		child.on('exit', (code, signal) => {
			exit = {code, signal};
			// Output still in the pipes arrives before 'close'; orphans holding the pipes must not block.
			setTimeout(finish, 5000).unref();
		});
		child.on('close', () => finish());
	});
}

/** Lines of plain output, trimmed of trailing blanks. */
export function outputLines(text: string): string[] {
	return text.split('\n').map(line => line.trimEnd()).filter(line => line.length > 0);
}

export interface PsqlOptions {
	readonly host: string;
	readonly port: number;
	readonly password: string;
	readonly user?: string;
	readonly database?: string;
}

/** psql from the lab switch (where the nodes' addresses are), one fresh connection per call. */
export function psql(target: PsqlOptions, sql: string): Promise<Result> {
	return inSwitch('psql', [
		'-h', target.host, '-p', String(target.port), '-U', target.user ?? 'postgres', '-d', target.database ?? 'postgres',
		'-XAtq', '-F', '|', '-v', 'ON_ERROR_STOP=1', '-c', sql,
	], {env: {...process.env, PGPASSWORD: target.password, PGCONNECT_TIMEOUT: '5'}, timeoutMs: 30_000});
}

/** psql that must succeed; returns its trimmed output. */
export async function psqlValue(target: PsqlOptions, sql: string): Promise<string> {
	const result = await psql(target, sql);
	if (result.code !== 0) throw new Error(`psql ${target.host}:${target.port} failed (${result.code}): ${result.stderr.trim()}`);
	return result.stdout.trim();
}

/** HTTP status of a URL fetched with curl from the switch; credentials (user:password) go on stdin. */
export async function httpStatus(url: string, credentials?: string): Promise<number> {
	const args = ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '10'];
	if (credentials !== undefined) args.push('-K', '-');
	args.push(url);
	const result = await inSwitch('curl', args, {input: credentials === undefined ? undefined : `user = "${credentials}"\n`, timeoutMs: 20_000});
	return Number(result.stdout.trim() || '0');
}

/** Polls `probe` until it returns a value (not undefined), at most `attempts` times. */
export async function waitUntil<T>(probe: () => Promise<T | undefined>, {attempts, intervalMs}: {attempts: number; intervalMs: number}): Promise<T | undefined> {
	for (let i = 0; i < attempts; i++) {
		const value = await probe().catch(() => undefined);
		if (value !== undefined) return value;
		await sleep(intervalMs);
	}

	return undefined;
}

/** A root command on a node that must succeed; returns trimmed stdout. */
export async function nodeOutput(node: number, command: string): Promise<string> {
	const result = await labExec(node, command, {timeoutMs: 60_000});
	if (result.code !== 0) throw new Error(`pg-node-${node}: ${command} failed (${result.code}): ${result.stderr.trim()}`);
	return result.stdout.trim();
}

/** systemd's MainPID of a unit (0 when it does not run). */
export async function mainPid(node: number, unit: string): Promise<number> {
	return Number(await nodeOutput(node, `systemctl show -p MainPID --value ${unit}`));
}

/** The postmaster's PID from postmaster.pid in Patroni's data directory (0 when absent). */
export async function postmasterPid(node: number): Promise<number> {
	const output = await nodeOutput(node, "d=$(awk '/^ *data_dir:/ {print $2; exit}' /etc/patroni/config.yml); head -1 \"$d/postmaster.pid\" 2>/dev/null || echo 0");
	return Number(output.split('\n')[0]);
}

/** Node numbers 1..N of the running lab. */
export function nodeNumbers(): number[] {
	return labNodes().map((_, index) => index + 1);
}

export function nodeIp(node: number): string {
	const spec = labNodes()[node - 1];
	if (!spec) throw new Error(`no lab node ${node}`);
	return spec.ip;
}

const nodePath = 'export PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin;';

/** etcdctl (v3 API) on a node, against its own member unless ARGS name --endpoints. */
export function etcdctlOnNode(node: number, args: string): Promise<Result> {
	const endpoints = args.includes('--endpoints') ? '' : '--endpoints=http://127.0.0.1:2379';
	return labExec(node, `${nodePath} ETCDCTL_API=3 etcdctl ${endpoints} --dial-timeout=3s --command-timeout=5s ${args}`, {timeoutMs: 30_000});
}

export interface Member {
	readonly name: string;
	readonly host: string;
	/** Leader, Replica, Sync Standby, ... as patronictl prints it. */
	readonly role: string;
	readonly state: string;
}

/** `patronictl list` on a node, as the postgres user (the config is 0600 postgres). */
export async function clusterMembers(node: number): Promise<Member[]> {
	const output = await nodeOutput(node, `${nodePath} cd / && runuser -u postgres -- "$(command -v patronictl || echo /opt/patroni-venv/bin/patronictl)" -c /etc/patroni/config.yml list -f json`);
	const rows = JSON.parse(output) as Array<Record<string, unknown>>;
	return rows.map(row => ({
		name: String(row['Member']),
		host: String(row['Host']).replace(/:\d+$/, ''),
		role: String(row['Role']),
		state: String(row['State']),
	}));
}

/** Client addresses of the replicas streaming from this server (pg_stat_replication). */
export async function streamingReplicas(leaderIp: string, password: string): Promise<string[]> {
	const output = await psqlValue({host: leaderIp, port: 5432, password}, "select client_addr from pg_stat_replication where state = 'streaming' order by 1");
	return output.split('\n').filter(Boolean);
}

export interface EtcdRelease {
	/** Serve this folder as etcd.download_base: it holds v<version>/<tarball> and v<version>/SHA256SUMS. */
	readonly root: string;
	/** Upstream version, e.g. 3.4.23. */
	readonly version: string;
	/** The tarball, with SHA256SUMS beside it (what etcd.tarball points at for `upload`). */
	readonly tarball: string;
	/** The etcd binary inside the tarball (to compare with what runs on the nodes). */
	readonly etcdBinary: string;
	remove(): void;
}

/**
 * The etcd release the lab serves (`pgha lab build` repacks it from the release's Debian packages in
 * the official layout): its folder, version, tarball and the etcd binary inside it.
 */
export function buildEtcdRelease(): EtcdRelease {
	const lab = readState();
	const served = lab ? servedEtcdRelease(lab.release) : undefined;
	if (!lab || !served) throw new Error('the lab serves no etcd release (run: pgha lab build)');
	const scratch = mkdtempSync(join(tmpdir(), 'pgha-e2e-etcd-binary-'));
	execFileSync('tar', ['-xzf', served.tarball, '-C', scratch]);
	return {
		root: releasePaths(lab.release).etcdDir,
		version: served.version,
		tarball: served.tarball,
		etcdBinary: join(scratch, `etcd-v${served.version}-linux-amd64`, 'etcd'),
		// The lab's own folder stays: only the scratch copy of the binary is this helper's.
		remove: () => rmSync(scratch, {recursive: true, force: true}),
	};
}

/** A healthy cluster whose etcd is the tarball's binary in /usr/local/bin (no etcd package). */
export async function assertTarballEtcd(t: ExecutionContext, work: Workdir, release: EtcdRelease): Promise<void> {
	const status = await runPgha({cwd: work.dir, home: work.home, args: ['status']});
	t.is(status.code, 0, `${status.stdout.split('\n').slice(-30).join('\n')}\n--- stderr\n${status.stderr.split('\n').slice(-30).join('\n')}`);
	t.regex(status.stdout, /^Healthy\.$/m);
	const digest = createHash('sha256').update(readFileSync(release.etcdBinary)).digest('hex');
	for (const node of nodeNumbers()) {
		t.regex(await nodeOutput(node, '/usr/local/bin/etcd --version'), new RegExp(`^etcd Version: ${release.version.replaceAll('.', '\\.')}$`, 'm'));
		t.is((await nodeOutput(node, 'sha256sum /usr/local/bin/etcd')).split(' ')[0], digest, `pg-node-${node} runs the tarball's etcd`);
		t.is(await nodeOutput(node, 'systemctl show -p ExecStart --value etcd | grep -o "path=[^ ;]*"'), 'path=/usr/local/bin/etcd');
		t.is(await nodeOutput(node, "dpkg-query -W -f='${Status}' etcd-server 2>/dev/null | grep -c 'install ok installed' || true"), '0', 'the etcd-server package is not installed');
		t.is(await nodeOutput(node, 'test -e /var/tmp/pgha-etcd && echo left || echo clean'), 'clean', 'the scratch folder is removed');
	}

	const health = await etcdctlOnNode(1, 'endpoint health --cluster');
	t.is(health.code, 0, health.stderr);
	t.is((health.stdout + health.stderr).match(/is healthy/g)?.length, 3);
}

/** The last lines of a pgha run's stdout and stderr, for an assertion's message. */
export function outputTail(result: Result, lines = 30): string {
	return `${result.stdout.split('\n').slice(-lines).join('\n')}\n--- stderr\n${result.stderr.split('\n').slice(-lines).join('\n')}`;
}

/**
 * For a test file that needs the lab's etcd release and work folders. The release is read on first
 * use inside a test (after requireLab, under the lab's lock): ava runs `before` hooks concurrently
 * with the lab hooks, when another file may still be switching the lab over. The folders and the
 * binary's scratch copy are removed after the file.
 */
export function useEtcdRelease(test: TestFn): {release(): EtcdRelease; workdir(prefix: string, edit?: (doc: ClusterDoc) => void): Workdir} {
	let release: EtcdRelease | undefined;
	const workdirs: Workdir[] = [];
	test.after.always(() => {
		for (const work of workdirs) work.remove();
		release?.remove();
	});
	return {
		release() {
			release ??= buildEtcdRelease();
			return release;
		},
		workdir(prefix, edit) {
			const work = makeWorkdir(prefix, edit);
			workdirs.push(work);
			return work;
		},
	};
}
