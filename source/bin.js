#!/usr/bin/env -S node --max-semi-space-size=4
// The flag above: V8 sizes its young generation when it starts, so it cannot be set from here. pgha's
// garbage is many short-lived output lines; small young-generation spaces keep the peak memory low
// (issue 11: under 150 MB while 200,000 lines stream through the screen). npm's shims pass it on.
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
