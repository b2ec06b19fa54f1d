/**
 * Patroni's configuration for one node (/etc/patroni/config.yml), corrected where the course guide is
 * wrong: `etcd3` is a mapping with `hosts`, pg_hba is limited to the cluster subnet with
 * scram-sha-256 and lives in `postgresql.pg_hba`, pgpass is not in /tmp, passwords are generated.
 */
import {headerComment, toYaml} from './yaml.ts';

/** Debian's path: the packaged patroni.service has ConditionPathExists on it, and ours uses it too. */
export const patroniConfigPath = '/etc/patroni/config.yml';

/** Patroni runs as this OS user: it owns /var/run/postgresql and the data directory. */
export const patroniOsUser = 'postgres';

/** The postgres user's home on Debian and Ubuntu. */
export const postgresHome = '/var/lib/postgresql';

/** Patroni rewrites this file itself; a separate name keeps a student's own ~/.pgpass intact. */
export const patroniPgpassPath = `${postgresHome}/.pgpass_patroni`;

/** Database roles Patroni creates and uses. */
export const patroniRoles = {
	superuser: 'postgres',
	replication: 'replicator',
	rewind: 'rewind_user',
} as const;

/** User name for the REST API's unsafe calls (switchover, restart, reinit); health checks need none. */
export const restApiUser = 'patroni';

export const patroniNamespace = '/service/';

/** The data directory pgha gives a cluster, instead of the guide's home-directory path. */
export function patroniDataDir(major: number | string, scope: string): string {
	return `${postgresHome}/${major}/${scope}`;
}

export interface PatroniYmlInput {
	readonly scope: string;
	readonly name: string;
	readonly ip: string;
	readonly restApiPort: number;
	readonly restApiPassword: string;
	/** `ip:port` of every etcd member. */
	readonly etcdHosts: readonly string[];
	readonly ttl: number;
	readonly loopWait: number;
	readonly retryTimeout: number;
	readonly maximumLagOnFailover: number;
	readonly synchronousMode: boolean;
	/** Keep the primary while etcd is unreachable, as long as it reaches every member (Patroni 3.0+). */
	readonly failsafeMode: boolean;
	readonly postgresPort: number;
	readonly dataDir: string;
	readonly binDir: string;
	/** The cluster subnet in CIDR form, e.g. 192.168.0.0/24. */
	readonly subnet: string;
	readonly superuserPassword: string;
	readonly replicationPassword: string;
	readonly rewindPassword: string;
}

/** 1 MiB: a replica further behind than this is not promoted automatically. */
export const defaultMaximumLagOnFailover = 1_048_576;

/** pg_hba.conf rules: peer for local OS users, scram-sha-256 for the cluster subnet and loopback only. */
export function patroniPgHba(subnet: string): string[] {
	return [
		'local all all peer',
		`host replication ${patroniRoles.replication} 127.0.0.1/32 scram-sha-256`,
		`host replication ${patroniRoles.replication} ${subnet} scram-sha-256`,
		'host all all 127.0.0.1/32 scram-sha-256',
		`host all all ${subnet} scram-sha-256`,
	];
}

/** Cluster-wide PostgreSQL settings, sized for the course's 2 GB VMs. */
export const patroniPostgresParameters = {
	max_connections: 100,
	shared_buffers: '128MB',
	wal_level: 'replica',
	hot_standby: 'on',
	wal_keep_size: '128MB',
	max_wal_senders: 10,
	max_replication_slots: 10,
	// Needed by pg_rewind when the old primary rejoins (data checksums cover it too; both is safest).
	wal_log_hints: 'on',
	password_encryption: 'scram-sha-256',
} as const;

export function patroniConfigObject(input: PatroniYmlInput): Record<string, unknown> {
	const pgHba = patroniPgHba(input.subnet);
	return {
		scope: input.scope,
		namespace: patroniNamespace,
		name: input.name,
		restapi: {
			listen: `${input.ip}:${input.restApiPort}`,
			connect_address: `${input.ip}:${input.restApiPort}`,
			authentication: {username: restApiUser, password: input.restApiPassword},
		},
		etcd3: {hosts: [...input.etcdHosts]},
		bootstrap: {
			dcs: {
				ttl: input.ttl,
				loop_wait: input.loopWait,
				retry_timeout: input.retryTimeout,
				maximum_lag_on_failover: input.maximumLagOnFailover,
				synchronous_mode: input.synchronousMode,
				failsafe_mode: input.failsafeMode,
				postgresql: {
					use_pg_rewind: true,
					use_slots: true,
					parameters: {...patroniPostgresParameters},
				},
			},
			initdb: [{encoding: 'UTF8'}, 'data-checksums'],
			// Patroni 3.0.2 (Debian 12) refuses a bootstrap section without pg_hba in --validate-config;
			// the same rules as postgresql.pg_hba, which is what every start applies.
			pg_hba: [...pgHba],
		},
		postgresql: {
			listen: `${input.ip},127.0.0.1:${input.postgresPort}`,
			connect_address: `${input.ip}:${input.postgresPort}`,
			data_dir: input.dataDir,
			bin_dir: input.binDir,
			pgpass: patroniPgpassPath,
			authentication: {
				superuser: {username: patroniRoles.superuser, password: input.superuserPassword},
				replication: {username: patroniRoles.replication, password: input.replicationPassword},
				rewind: {username: patroniRoles.rewind, password: input.rewindPassword},
			},
			parameters: {unix_socket_directories: '/var/run/postgresql'},
			pg_hba: pgHba,
		},
		// A VirtualBox VM has no watchdog device; "off" says so instead of a warning at every start.
		watchdog: {mode: 'off'},
		tags: {
			nofailover: false,
			noloadbalance: false,
			clonefrom: false,
			nosync: false,
		},
	};
}

export function renderPatroniYml(input: PatroniYmlInput): string {
	return headerComment([
		`Written by pgha for node ${input.name} of cluster ${input.scope}. pgha rewrites this file;`,
		'change the cluster file (pgha.yaml) instead and run pgha apply again.',
	]) + toYaml(patroniConfigObject(input));
}
