/** The one pause every layer uses: Node's promise timer, cancelled by a signal. */
import {setTimeout} from 'node:timers/promises';

/** A cancelled wait rejects with the signal's own reason (why the run stopped), not Node's generic AbortError. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	try {
		await setTimeout(ms, undefined, signal ? {signal} : undefined);
	} catch (error) {
		throw signal?.aborted ? signal.reason ?? error : error;
	}
}
