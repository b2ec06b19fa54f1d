// Prints a captured output again at its recorded pace: each input line is "OFFSET_MS<TAB>TEXT".
// Used by the UI benchmark as the "node" command, so the screen sees apt's real rhythm.
import {readFileSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';

const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map(line => {
	const tab = line.indexOf('\t');
	return {offsetMs: Number(line.slice(0, tab)), text: line.slice(tab + 1)};
});
const start = Date.now();
let batch = [];
for (const line of lines) {
	const wait = start + line.offsetMs - Date.now();
	if (wait > 0) {
		if (batch.length > 0) process.stdout.write(batch.join(''));
		batch = [];
		await sleep(wait);
	}

	batch.push(`${line.text}\n`);
}

process.stdout.write(batch.join(''));
