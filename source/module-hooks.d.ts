// Node's resolve hook (module-hooks.js), for the tests that call it.
export interface ResolveContext {
	readonly parentURL?: string;
	readonly conditions?: readonly string[];
	readonly importAttributes?: Record<string, string>;
}

export interface Resolved {
	readonly url: string;
	readonly format?: string | null;
	readonly shortCircuit?: boolean;
}

export function resolve(specifier: string, context: ResolveContext, nextResolve: (specifier: string, context?: ResolveContext) => Resolved | Promise<Resolved>): Promise<Resolved>;
