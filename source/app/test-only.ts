/**
 * PGHA_TEST_ONLY: report ids, comma-separated, that narrow the test stage (the benchmark repeats
 * one fault; the wizard's end-to-end test needs the stage to run, not every fault again).
 */
export function testOnlyFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
	const only = env.PGHA_TEST_ONLY?.split(',').map(id => id.trim()).filter(Boolean);
	return only?.length ? only : undefined;
}
