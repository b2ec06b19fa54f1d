// Module resolution hooks, registered by runtime-settings.js; Node runs them on its hooks thread.
// Plain JavaScript: they are in place before tsx. Two of Ink 6's imports cost the run screen far more
// than it uses (issue 11: its memory and CPU), so Ink's own files, and nothing else, get leaner ones:
// - `import {throttle} from 'es-toolkit/compat'` loads the ~400 modules of es-toolkit's lodash layer
//   (about 25 MB of memory; the peak with 200,000 lines must stay under 150 MB) for one function:
//   Ink gets that function's own module.
// - @alcalzone/ansi-tokenize: Ink gets ui/ink-ansi.js, the same module with the work Ink repeats on
//   every frame made cheap (see there). The same characters reach the terminal.
const inkFiles = '/node_modules/ink/build/';
const tokenizer = '@alcalzone/ansi-tokenize';
const leanTokenizer = new URL('./ui/ink-ansi.js', import.meta.url).href;
/** The Ink file that imported the tokenizer: ink-ansi.js gets the real one from where Ink would. */
let tokenizerImporter;

export async function resolve(specifier, context, nextResolve) {
	const parent = context.parentURL;
	if (specifier === 'es-toolkit/compat' && parent?.includes(inkFiles)) {
		const {url} = await nextResolve('es-toolkit/compat/throttle', context);
		return {url: `data:text/javascript,${encodeURIComponent(`export {default as throttle} from ${JSON.stringify(url)};`)}`, shortCircuit: true};
	}

	if (specifier === tokenizer && parent?.includes(inkFiles)) {
		tokenizerImporter = parent;
		return {url: leanTokenizer, shortCircuit: true};
	}

	if (specifier === tokenizer && parent === leanTokenizer && tokenizerImporter) return nextResolve(specifier, {...context, parentURL: tokenizerImporter});
	return nextResolve(specifier, context);
}
