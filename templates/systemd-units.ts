/**
 * systemd units pgha installs in /etc/systemd/system (they take precedence over the packages' units of
 * the same name). Services instead of the guide's `nohup ... &` or a foreground terminal: they survive
 * the end of the SSH session, start at boot and restart after a crash.
 */
import {etcdConfigPath} from './etcd-config.ts';
import {patroniConfigPath, patroniOsUser} from './patroni-yml.ts';

export const etcdUnitPath = '/etc/systemd/system/etcd.service';
export const patroniUnitPath = '/etc/systemd/system/patroni.service';

export interface EtcdUnitInput {
	/** /usr/bin/etcd (package) or /usr/local/bin/etcd (release tarball). */
	readonly etcdBinary: string;
	readonly configFile?: string;
}

export function renderEtcdUnit(input: EtcdUnitInput): string {
	return `# Written by pgha: overrides the packaged etcd.service, if any.
[Unit]
Description=etcd key-value store for Patroni (pgha)
Documentation=https://etcd.io/docs/
After=network-online.target
Wants=network-online.target

[Service]
# etcd reports readiness itself; the first member of a new cluster is ready only once a quorum exists,
# which is why pgha starts the members with --no-block.
Type=notify
User=etcd
Group=etcd
ExecStart=${input.etcdBinary} --config-file ${input.configFile ?? etcdConfigPath}
Restart=on-failure
RestartSec=5s
TimeoutStartSec=120
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
`;
}

export interface PatroniUnitInput {
	/** /usr/bin/patroni (package) or /opt/patroni-venv/bin/patroni (venv). */
	readonly patroniBinary: string;
	readonly configFile?: string;
}

export function renderPatroniUnit(input: PatroniUnitInput): string {
	return `# Written by pgha: overrides the packaged patroni.service, if any.
[Unit]
Description=Patroni: high-availability PostgreSQL (pgha)
Documentation=https://patroni.readthedocs.io/
After=network-online.target etcd.service
Wants=network-online.target
ConditionPathExists=${input.configFile ?? patroniConfigPath}
# Five failed starts within five minutes and systemd gives up, so a broken configuration stops
# with its error in the journal instead of restarting forever.
StartLimitIntervalSec=300
StartLimitBurst=5

[Service]
Type=simple
# The postgres user owns /var/run/postgresql and the data directory: no lock-file errors.
User=${patroniOsUser}
Group=${patroniOsUser}
ExecStart=${input.patroniBinary} ${input.configFile ?? patroniConfigPath}
ExecReload=/bin/kill -s HUP $MAINPID
# Stopping Patroni must not kill PostgreSQL under it: Patroni stops PostgreSQL itself.
KillMode=process
TimeoutSec=30
# on-failure, not always: a deliberate stop stays stopped.
Restart=on-failure
RestartSec=5s

[Install]
WantedBy=multi-user.target
`;
}
