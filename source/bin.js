#!/usr/bin/env -S node --max-semi-space-size=4 --no-memory-reducer
// The flags above: V8 reads them when it starts, so they cannot be set from here; npm's shims pass
// them on. pgha's garbage is many short-lived output lines; small young-generation spaces keep the
// peak memory low (issue 11: under 150 MB while 200,000 lines stream through the screen). V8's memory
// reducer runs full collections when it sees a quiet spell, which in pgha is every step that waits
// on a node: each costs about as much CPU as twenty idle frames of the screen (issue 11: idle under
// 1 % of a core), to return memory the next burst takes again. The peak stays the same.
// Entry point. `--version` is answered before TypeScript is loaded so it stays fast.
import {readFileSync} from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
	const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
	process.stdout.write(`${pkg.version}\n`);
	process.exit(0);
}

await import('./runtime-settings.js');
const {register} = await import('tsx/esm/api');
// The project's tsconfig (react-jsx and all), wherever the user runs pgha from.
register({tsconfig: new URL('../tsconfig.json', import.meta.url).pathname});
const {main} = await import('./cli.ts');
process.exitCode = await main(argv);
// Every command closes what it opened. Should a forgotten handle (a socket, a timer, stdin) still hold
// the event loop, a student in a terminal must get the prompt back anyway, and the leak is named so it
// gets reported. Terminal writes are synchronous: nothing is cut off. Pipes are left to drain.
if (process.stdout.isTTY) {
	setTimeout(() => {
		process.stderr.write(`pgha: ended with handles still open (${process.getActiveResourcesInfo().join(', ')}) / незакрытые ресурсы при выходе\n`);
		process.exit();
	}, 5000).unref();
}
