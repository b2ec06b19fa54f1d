/** The test stage that follows HAProxy in the wizard: the cluster is proven, not just installed. */
import type {Stage} from '../core/stage.ts';
import {testStage} from '../../steps/cluster-test.ts';

export function testStages(): Stage[] {
	return [testStage];
}
