/** The test stage, when it exists (issue 6); kept apart so the wizard's list has one place to grow. */
import type {Stage} from '../../steps/types.ts';

export function testStages(): Stage[] {
	return [];
}
