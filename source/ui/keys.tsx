/**
 * One reader of the keyboard for the whole run screen. Ink's useInput subscribes in a passive effect,
 * after the frame that shows a dialog is already on the terminal, and again after every render; a key
 * pressed in between reached nobody (issue 20: the first arrow in the failure dialog did nothing).
 * Here the screen's single useInput lives as long as the screen, and a dialog's handler is registered
 * in a layout effect, in the same commit that draws the dialog: a key that can be seen can be pressed.
 */
import {useInput, type Key} from 'ink';
import {createContext, useContext, useLayoutEffect, useMemo, useRef, type ReactNode} from 'react';

export type KeyHandler = (input: string, key: Key) => void;

interface KeyRouter {
	add(handler: {current: KeyHandler}): () => void;
}

const RouterContext = createContext<KeyRouter | undefined>(undefined);

/** Routes every key to the newest dialog's handler (then to `fallback`, e.g. Ctrl+C). */
export function KeyRoot({fallback, children}: {readonly fallback: KeyHandler; readonly children: ReactNode}) {
	const handlers = useRef<Array<{current: KeyHandler}>>([]);
	const fallbackRef = useRef(fallback);
	fallbackRef.current = fallback;
	const router = useMemo<KeyRouter>(
		() => ({
			add(handler) {
				handlers.current.push(handler);
				return () => {
					handlers.current = handlers.current.filter(item => item !== handler);
				};
			},
		}),
		[],
	);
	useInput((input, key) => {
		fallbackRef.current(input, key);
		// Ctrl+C belongs to the screen; a menu must not read it as the letter c ("continue").
		if (key.ctrl && input === 'c') return;
		handlers.current.at(-1)?.current(input, key);
	});
	return <RouterContext.Provider value={router}>{children}</RouterContext.Provider>;
}

/** useInput for dialogs: through the screen's router when there is one, else Ink's own. */
export function useKeys(handler: KeyHandler): void {
	const router = useContext(RouterContext);
	const current = useRef(handler);
	current.current = handler;
	useLayoutEffect(() => router?.add(current), [router]);
	useInput((input, key) => current.current(input, key), {isActive: router === undefined});
}
