// Module resolution hooks, registered by runtime-settings.js; Node runs them on its hooks thread.
// Plain JavaScript: they are in place before tsx. Ink 6's `import {throttle} from 'es-toolkit/compat'`
// loads the ~400 modules of es-toolkit's lodash layer (about 25 MB of memory; issue 11: the run
// screen's peak under 150 MB) for one function: Ink's own files, and nothing else, get that
// function's own module.
const inkFiles = '/node_modules/ink/build/';

export async function resolve(specifier, context, nextResolve) {
	if (specifier === 'es-toolkit/compat' && context.parentURL?.includes(inkFiles)) {
		const {url} = await nextResolve('es-toolkit/compat/throttle', context);
		return {url: `data:text/javascript,${encodeURIComponent(`export {default as throttle} from ${JSON.stringify(url)};`)}`, shortCircuit: true};
	}

	return nextResolve(specifier, context);
}
