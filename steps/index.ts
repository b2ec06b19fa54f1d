/** The install stages in the course guide's order. */
import type {Stage} from './types.ts';
import {etcdStage} from './etcd.ts';
import {haproxyStage} from './haproxy.ts';
import {keepalivedStage} from './keepalived.ts';
import {packagesStage} from './packages.ts';
import {patroniInstallStage} from './patroni-install.ts';
import {patroniStage} from './patroni.ts';
import {sshServerStage} from './ssh-server.ts';
import {userStage} from './user.ts';
import {vmChecksStage} from './vm-checks.ts';

export const installStages: readonly Stage[] = [
	vmChecksStage,
	userStage,
	sshServerStage,
	packagesStage,
	patroniInstallStage,
	etcdStage,
	patroniStage,
	haproxyStage,
	keepalivedStage,
];

export {etcdStage, haproxyStage, keepalivedStage, packagesStage, patroniInstallStage, patroniStage, sshServerStage, userStage, vmChecksStage};
