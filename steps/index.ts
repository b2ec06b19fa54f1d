/**
 * The one ordered list of stages, in the course guide's order. The engine, the wizard, `apply`, the
 * runbook, `status`, the VM checks and the packages stage all read it; adding a stage is one line here.
 */
import type {ClusterConfig, NodeConfig} from '../source/core/cluster.ts';
import type {SectionReader} from '../source/core/section.ts';
import type {PortClaim, Stage} from '../source/core/stage.ts';
import {testStage} from './cluster-test.ts';
import {etcdStage} from './etcd.ts';
import {haproxyStage} from './haproxy.ts';
import {keepalivedStage} from './keepalived.ts';
import {claimedPorts, everyPackage, neededPackages, passwordStages} from './needs.ts';
import {createPackagesStage} from './packages.ts';
import {patroniInstallStage} from './patroni-install.ts';
import {patroniStage} from './patroni.ts';
import {reachabilityStage} from './reachability.ts';
import {sshConfigStage} from './ssh-config.ts';
import {sshServerStage} from './ssh-server.ts';
import {userStage} from './user.ts';
import {virtualboxStage} from './virtualbox.ts';
import {createVmChecksStage} from './vm-checks.ts';

/**
 * Where a stage belongs: `host` stages work on the computer running pgha (VirtualBox, reachability,
 * ~/.ssh/config) and are left out with --no-host; `install` stages build the cluster on the nodes;
 * `test` proves the cluster and runs only when asked for (or by the wizard).
 */
export type StagePart = 'host' | 'install' | 'test';

export interface ListedStage {
	readonly stage: Stage;
	readonly part: StagePart;
}

/** The two stages that act on what the others declare read the whole list, asked when they run. */
const stagesOf = (list: readonly ListedStage[]): Stage[] => list.map(item => item.stage);
const allStages = (): readonly Stage[] => stagesOf(stageList);
const vmChecksStage = createVmChecksStage(allStages);
const packagesStage = createPackagesStage(allStages);

export const stageList: readonly ListedStage[] = [
	{stage: virtualboxStage, part: 'host'},
	{stage: reachabilityStage, part: 'host'},
	{stage: vmChecksStage, part: 'install'},
	{stage: userStage, part: 'install'},
	{stage: sshServerStage, part: 'install'},
	{stage: sshConfigStage, part: 'host'},
	{stage: packagesStage, part: 'install'},
	{stage: patroniInstallStage, part: 'install'},
	{stage: etcdStage, part: 'install'},
	{stage: patroniStage, part: 'install'},
	{stage: haproxyStage, part: 'install'},
	{stage: keepalivedStage, part: 'install'},
	{stage: testStage, part: 'test'},
];

export interface StageSelection {
	/** Include the stages that run on the computer running pgha. Default true. */
	readonly host?: boolean;
	/** Append the test stage. Default false. */
	readonly test?: boolean;
}

/** The stages of a run, in order: the course's (host ones included unless left out), then the test stage if asked. */
export function courseStages({host = true, test = false}: StageSelection = {}, list: readonly ListedStage[] = stageList): Stage[] {
	return list.filter(item => item.part === 'install' || (item.part === 'host' && host) || (item.part === 'test' && test)).map(item => item.stage);
}

/** The stages that run on the nodes to build the cluster (no host stages, no test). */
export const installStages: readonly Stage[] = courseStages({host: false});

/** Every apt package a node needs for this cluster file, in the list's order (what the packages stage installs). */
export function packageList(cluster: ClusterConfig, node: NodeConfig, pgMajor: string, list: readonly ListedStage[] = stageList): string[] {
	return neededPackages(stagesOf(list), cluster, node, pgMajor);
}

/** Every package any stage may install, over every branch of the cluster file (both Patroni sources, every etcd source): what a package mirror must hold. */
export function allStagePackages(pgMajor: string, list: readonly ListedStage[] = stageList): string[] {
	return everyPackage(stagesOf(list), pgMajor);
}

/** The ports the stages claim on this node (the VM checks require them free). */
export function requiredPorts(cluster: ClusterConfig, node: NodeConfig, list: readonly ListedStage[] = stageList): PortClaim[] {
	return claimedPorts(stagesOf(list), cluster, node);
}

/** The cluster-file readers the stages declare beside their steps, in the list's order (validate.ts calls them). */
export function sectionReaders(list: readonly ListedStage[] = stageList): SectionReader[] {
	return stagesOf(list).flatMap(stage => {
		const read = stage.needs?.section?.read;
		return read ? [read] : [];
	});
}

/** The stages that put a generated password on the nodes (the secrets file must not be lost after them). */
export function secretStageIds(list: readonly ListedStage[] = stageList): string[] {
	return passwordStages(stagesOf(list));
}

export {etcdStage, haproxyStage, keepalivedStage, packagesStage, patroniInstallStage, patroniStage, sshServerStage, testStage, userStage, vmChecksStage};
/** `pgha test` builds its own test stage, with hooks for the report. */
export {createTestStage, testChoices, testIdsOf, whyNotHere, type TestStageHooks} from './cluster-test.ts';
