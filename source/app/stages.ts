/** The full list of stages in the course guide's order, host-side stages included. */
import type {Stage} from '../core/stage.ts';
import {etcdStage, haproxyStage, keepalivedStage, packagesStage, patroniInstallStage, patroniStage, sshServerStage, userStage, vmChecksStage} from '../../steps/index.ts';
import {reachabilityStage} from '../../steps/reachability.ts';
import {sshConfigStage} from '../../steps/ssh-config.ts';
import {virtualboxStage} from '../../steps/virtualbox.ts';

export interface StageSelection {
	/** Stages that run on the computer running pgha (VirtualBox, reachability, ~/.ssh/config). */
	readonly host?: boolean;
	/** Extra stages appended at the end (the test stage). */
	readonly extra?: readonly Stage[];
}

export function courseStages({host = true, extra = []}: StageSelection = {}): Stage[] {
	const stages: Stage[] = [];
	if (host) stages.push(virtualboxStage, reachabilityStage);
	stages.push(vmChecksStage, userStage, sshServerStage);
	if (host) stages.push(sshConfigStage);
	stages.push(packagesStage, patroniInstallStage, etcdStage, patroniStage, haproxyStage, keepalivedStage, ...extra);
	return stages;
}
