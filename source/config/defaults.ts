/** Values used when the cluster file leaves a field out. They follow the course guide where it is right. */
import type {PatroniTiming, Ports, TimingPreset} from '../core/cluster.ts';

export const defaultClusterName = 'pg-cluster';

export const defaultSsh = {port: 22, user: 'patroni'} as const;

/**
 * The venv path pins the Patroni release CI proved end to end (on the lab's trixie nodes), so a new
 * upstream release cannot change a student's install overnight; `version: latest` opts out.
 */
export const provenPatroniVersion = '4.0.7';

export const defaultPatroni = {source: 'venv', user: 'patroni', version: provenPatroniVersion} as const;

export const defaultEtcd = {
	source: 'download',
	version: '3.5.11',
	downloadBase: 'https://github.com/etcd-io/etcd/releases/download',
} as const;

export const defaultPorts: Ports = {
	postgres: 5432,
	patroniApi: 8008,
	etcdClient: 2379,
	etcdPeer: 2380,
	haproxyWrite: 5000,
	haproxyRead: 5001,
	haproxyStats: 8404,
};

/** Patroni's own defaults (30/10/10) and a faster set for labs, both within loop_wait + 2*retry_timeout <= ttl. */
export const timingPresets: Record<TimingPreset, PatroniTiming> = {
	default: {ttl: 30, loopWait: 10, retryTimeout: 10},
	fast: {ttl: 20, loopWait: 5, retryTimeout: 5},
};

export const defaultHaproxyTiming = {inter: '3s', fall: 3, rise: 2} as const;

export const defaultDisk = {failBelowMb: 1024, warnBelowMb: 2048} as const;

/** The participant name the engine uses for steps that run on the computer running pgha. */
export const hostParticipant = 'host';
