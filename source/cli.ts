import {readFileSync} from 'node:fs';
import {parseArgs, hasFlag, type ParsedArgs} from './cli-args.ts';

export type CommandRunner = (args: ParsedArgs) => Promise<number>;

interface CommandEntry {
	readonly summary: string;
	readonly load: () => Promise<CommandRunner>;
}

/** Commands whose issue is not done yet say so and fail; they never pretend success. */
function notYet(what: string): () => Promise<CommandRunner> {
	return async () => async () => {
		process.stderr.write(`pgha: "${what}" is not implemented yet / пока не реализовано\n`);
		return 2;
	};
}

const commands: Record<string, CommandEntry> = {
	apply: {summary: 'run every stage without prompts (-c FILE, --yes, --from, --only)', load: async () => (await import('./commands/apply.ts')).run},
	status: {summary: 'print the cluster state without changing anything', load: async () => (await import('./commands/status.ts')).run},
	test: {summary: 'prove the cluster survives failures, with the outage measured', load: async () => (await import('./commands/test.ts')).run},
	runbook: {summary: 'print the corrected guide for your cluster file (Markdown)', load: async () => (await import('./commands/runbook.ts')).run},
	lab: {summary: 'local 3-node lab: build | up | down | reset | status | stop-node | start-node | cut | heal | exec', load: async () => (await import('./commands/lab.ts')).run},
};

export function helpText(): string {
	const lines = [
		'pgha: build and test a highly available PostgreSQL cluster (etcd + Patroni + HAProxy) over SSH',
		'pgha: сборка и проверка отказоустойчивого кластера PostgreSQL (etcd + Patroni + HAProxy) по SSH',
		'',
		'Usage: pgha [command] [options]',
		'  (no command)   the wizard / мастер установки',
	];
	for (const [name, entry] of Object.entries(commands)) lines.push(`  ${name.padEnd(14)} ${entry.summary}`);
	lines.push(
		'',
		'Options:',
		'  -c, --config FILE   cluster file (default: ./pgha.yaml)',
		'  --lang ru|en        language of the screens',
		'  --yes               agree in advance to destructive fixes',
		'  --step              step-by-step mode: explain each stage before running it',
		'  -h, --help          this text',
		'  -v, --version       version',
	);
	return lines.join('\n') + '\n';
}

export function version(): string {
	const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string};
	return pkg.version;
}

export async function main(argv: readonly string[]): Promise<number> {
	const args = parseArgs(argv);
	if (hasFlag(args, 'version', 'v') && !args.command) {
		process.stdout.write(`${version()}\n`);
		return 0;
	}

	if (hasFlag(args, 'help', 'h') || args.command === 'help') {
		process.stdout.write(helpText());
		return 0;
	}

	if (!args.command) {
		const {run} = await import('./commands/wizard.ts');
		return run(args);
	}

	const entry = commands[args.command];
	if (!entry) {
		process.stderr.write(`pgha: unknown command "${args.command}" / неизвестная команда. See pgha --help\n`);
		return 2;
	}

	const run = await entry.load();
	return run(args);
}
