/**
 * Probes from the host to a node: a TCP connect that also reads the SSH banner, and the system ping.
 * A runner either probes directly or through a command prefix (the lab: `ip netns exec lab-sw`).
 */
import net from 'node:net';
import {findOnPath, type ExistsFn, type HostEnv} from './platform.ts';
import {runFile, type RunFile} from './run-file.ts';

export type TcpStatus = 'open' | 'refused' | 'timeout' | 'unreachable' | 'error';

export interface TcpProbe {
	readonly status: TcpStatus;
	/** First line the server sent (an SSH server sends `SSH-2.0-...` at once). */
	readonly banner?: string;
	/** The system's error code or message, for 'unreachable' and 'error'. */
	readonly detail?: string;
}

/** 'unavailable': no ping program here. */
export type PingResult = 'reply' | 'no-reply' | 'unavailable';

export interface ProbeTimeouts {
	readonly connectMs: number;
	readonly bannerMs: number;
}

export const defaultTimeouts: ProbeTimeouts = {connectMs: 3000, bannerMs: 2000};

export interface ProbeRunner {
	/** How the probes travel, for the log ("direct", "ip netns exec lab-sw"). */
	readonly label: string;
	tcp(ip: string, port: number): Promise<TcpProbe>;
	ping(ip: string): Promise<PingResult>;
}

export function classifyError(code: string | undefined): TcpStatus {
	switch (code) {
		case 'ECONNREFUSED':
			return 'refused';
		case 'ETIMEDOUT':
			return 'timeout';
		case 'EHOSTUNREACH':
		case 'ENETUNREACH':
		case 'EHOSTDOWN':
		case 'EADDRNOTAVAIL':
			return 'unreachable';
		default:
			return 'error';
	}
}

function firstLine(text: string): string | undefined {
	const line = text.split(/\r?\n/)[0]?.trim();
	return line ? line.slice(0, 200) : undefined;
}

/** TCP connect from this process, then up to bannerMs for the first line. */
export async function probeTcp(ip: string, port: number, timeouts: ProbeTimeouts = defaultTimeouts): Promise<TcpProbe> {
	return new Promise(resolve => {
		const socket = net.connect({host: ip, port});
		let connected = false;
		let received = '';
		let settled = false;
		const finish = (result: TcpProbe) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			socket.destroy();
			resolve(result);
		};

		let timer = setTimeout(() => finish({status: 'timeout'}), timeouts.connectMs);
		socket.setEncoding('latin1');
		socket.once('connect', () => {
			connected = true;
			clearTimeout(timer);
			timer = setTimeout(() => finish({status: 'open', banner: firstLine(received)}), timeouts.bannerMs);
		});
		socket.on('data', (chunk: string) => {
			received += chunk;
			if (/\n/.test(received) || received.length > 1024) finish({status: 'open', banner: firstLine(received)});
		});
		socket.on('error', (error: NodeJS.ErrnoException) => {
			if (connected) finish({status: 'open', banner: firstLine(received)});
			else {
				const status = classifyError(error.code);
				finish({status, detail: status === 'refused' || status === 'timeout' ? undefined : error.code ?? error.message});
			}
		});
		socket.on('close', () => finish(connected ? {status: 'open', banner: firstLine(received)} : {status: 'error', detail: 'closed'}));
	});
}

/** The platform's single-echo ping with a short wait. */
export function pingArgs(platform: HostEnv['platform'], ip: string): string[] {
	if (platform === 'win32') return ['-n', '1', '-w', '1000', ip];
	if (platform === 'darwin') return ['-c', '1', '-t', '2', ip];
	return ['-c', '1', '-W', '1', ip];
}

/**
 * Windows ping exits 0 when a router answers "Destination host unreachable", so there only a line with
 * TTL= (in every language) counts as a reply.
 */
export function pingReplied(platform: HostEnv['platform'], code: number | undefined, stdout: string): boolean {
	if (platform === 'win32') return /TTL=/i.test(stdout);
	return code === 0;
}

export interface RunnerOptions {
	readonly host: HostEnv;
	readonly run?: RunFile;
	readonly exists?: ExistsFn;
	readonly timeouts?: ProbeTimeouts;
}

export function directProbeRunner(options: RunnerOptions): ProbeRunner {
	const run = options.run ?? runFile;
	const timeouts = options.timeouts ?? defaultTimeouts;
	return {
		label: 'direct',
		tcp: async (ip, port) => probeTcp(ip, port, timeouts),
		async ping(ip) {
			const ping = findOnPath(options.host, 'ping', options.exists);
			if (!ping) return 'unavailable';
			const result = await run(ping, pingArgs(options.host.platform, ip), {timeoutMs: 5000});
			return pingReplied(options.host.platform, result.code, result.stdout) ? 'reply' : 'no-reply';
		},
	};
}

/** bash's /dev/tcp, so the probe needs nothing but bash inside the wrapped context. */
const bashProbe = [
	'exec 3<>"/dev/tcp/$1/$2" || exit 3',
	'echo OPEN',
	'if IFS= read -r -t "$3" line <&3; then printf "BANNER %s\\n" "$line"; fi',
	'exit 0',
].join('\n');

export function parseWrappedTcp(code: number | undefined, stdout: string, stderr: string, timedOut: boolean): TcpProbe {
	const banner = /^BANNER (.*)$/m.exec(stdout)?.[1]?.replace(/\r$/, '');
	if (/^OPEN$/m.test(stdout)) return {status: 'open', banner: banner ? firstLine(banner) : undefined};
	if (code === 124 || timedOut) return {status: 'timeout'};
	if (/connection refused/i.test(stderr)) return {status: 'refused'};
	const unreachable = /(no route to host|network is unreachable|host is down)/i.exec(stderr);
	if (unreachable) return {status: 'unreachable', detail: unreachable[1]};
	return {status: 'error', detail: firstLine(stderr) ?? `exit code ${code ?? '?'}`};
}

/**
 * Probes run as commands under a prefix, e.g. `ip netns exec lab-sw` for the lab, whose addresses
 * exist only inside that namespace. Linux only (bash, coreutils timeout, iputils ping).
 */
export function wrappedProbeRunner(
	label: string,
	wrap: (argv: readonly string[]) => readonly string[],
	options: RunnerOptions,
): ProbeRunner {
	const run = options.run ?? runFile;
	const timeouts = options.timeouts ?? defaultTimeouts;
	const exec = async (argv: readonly string[], timeoutMs: number) => {
		const [file, ...args] = wrap(argv);
		return run(file!, args, {timeoutMs, env: {...process.env, LC_ALL: 'C'}});
	};

	return {
		label,
		async tcp(ip, port) {
			const seconds = Math.ceil((timeouts.connectMs + timeouts.bannerMs) / 1000);
			const bannerSeconds = Math.max(1, Math.ceil(timeouts.bannerMs / 1000));
			const result = await exec(
				['timeout', String(seconds), 'bash', '-c', bashProbe, 'probe', ip, String(port), String(bannerSeconds)],
				(seconds + 5) * 1000,
			);
			return parseWrappedTcp(result.code, result.stdout, result.stderr, result.timedOut);
		},
		async ping(ip) {
			if (!findOnPath(options.host, 'ping', options.exists)) return 'unavailable';
			const result = await exec(['ping', ...pingArgs('linux', ip)], 5000);
			return result.code === 0 ? 'reply' : 'no-reply';
		},
	};
}

export function netnsProbeRunner(netns: string, options: RunnerOptions): ProbeRunner {
	return wrappedProbeRunner(`ip netns exec ${netns}`, argv => ['ip', 'netns', 'exec', netns, ...argv], options);
}
