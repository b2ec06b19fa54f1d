/**
 * Prepares the floor script's folder from pgha's own plans (planAll with the real secrets and the
 * PostgreSQL major pgha detected), so the floor writes byte-for-byte the files pgha writes and
 * installs the same packages. Only pgha's own bookkeeping (the etcd identity marker) is left out.
 */
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import type {ClusterConfig, Secrets} from '../../source/core/cluster.ts';
import {planAll} from '../../source/runbook.ts';
import {factKeys} from '../../steps/facts.ts';
import {etcdStage} from '../../steps/etcd.ts';
import {haproxyCandidatePath} from '../../steps/haproxy.ts';
import {haproxyStage} from '../../steps/haproxy.ts';
import {packageList, packagesStage} from '../../steps/index.ts';
import {patroniStage} from '../../steps/patroni.ts';
import {patroniInstallStage} from '../../steps/patroni-install.ts';
import {haproxyNode} from '../../steps/render.ts';
import type {Action} from '../../source/core/step.ts';
import {etcdDataDir} from '../../templates/etcd-config.ts';
import {haproxyConfigPath, haproxyPrimaryProxy, haproxyReplicasProxy} from '../../templates/haproxy-cfg.ts';

type Write = Extract<Action, {kind: 'write'}>;

/** A single-quoted shell word. */
function q(value: string): string {
	return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The course's install path beyond apt, as root shell lines from pgha's own plans: Patroni from pip
 * in a venv and etcd from the release tarball (nothing for the distribution's packages).
 */
function installCommands(cluster: ClusterConfig, secrets: Secrets, nodeName: string, facts: () => Map<string, string>): string[] {
	const stages = [
		...(cluster.patroni.source === 'venv' ? [patroniInstallStage] : []),
		...(cluster.etcd.source === 'package' ? [] : [{...etcdStage, steps: etcdStage.steps.filter(step => step.id === 'etcd.install')}]),
	];
	return planAll(stages, cluster, secrets, facts)
		.filter(entry => entry.node.name === nodeName)
		.flatMap(entry => entry.actions)
		.flatMap(action => action.kind !== 'run' ? [] : [action.asUser ? `runuser -u ${action.asUser} -- ${action.command}` : action.command]);
}

export function prepareFloor(dir: string, cluster: ClusterConfig, secrets: Secrets, major: string): void {
	mkdirSync(dir, {recursive: true, mode: 0o700});
	chmodSync(dir, 0o700);
	const facts = () => new Map([[factKeys.pgMajor, major]]);
	const planned = planAll([packagesStage, etcdStage, patroniStage, haproxyStage], cluster, secrets, facts);
	for (const node of cluster.nodes) {
		const nodeDir = path.join(dir, node.name);
		mkdirSync(nodeDir, {recursive: true, mode: 0o700});
		writeFileSync(path.join(nodeDir, 'packages'), `${packageList(cluster, node, major).join(' ')}\n`, {mode: 0o600});
		const manifests = {pre: [] as string[], post: [] as string[]};
		const seen = new Set<string>();
		for (const item of planned.filter(entry => entry.node.name === node.name)) {
			for (const action of item.actions) {
				if (action.kind !== 'write' || action.path.endsWith('.pgha-identity')) continue;
				// pgha checks the candidate with haproxy -c before moving it over; the floor writes it in place.
				const target = action.path === haproxyCandidatePath ? haproxyConfigPath : action.path;
				if (seen.has(target)) continue;
				seen.add(target);
				const file = `file-${seen.size}`;
				writeFileSync(path.join(nodeDir, file), (action as Write).content, {mode: 0o600});
				const mode = action.mode.toString(8).padStart(4, '0');
				const list = item.stage.id === packagesStage.id ? manifests.pre : manifests.post;
				list.push(`${mode} ${action.owner ?? 'root'} ${action.group ?? action.owner ?? 'root'} ${target} ${file}`);
			}
		}

		writeFileSync(path.join(nodeDir, 'extra'), `${installCommands(cluster, secrets, node.name, facts).join('\n')}\n`, {mode: 0o600});
		writeFileSync(path.join(nodeDir, 'pre'), manifests.pre.map(line => `${line}\n`).join(''), {mode: 0o600});
		writeFileSync(path.join(nodeDir, 'post'), manifests.post.map(line => `${line}\n`).join(''), {mode: 0o600});
	}

	const settings = [
		`NODES=(${cluster.nodes.map(node => q(`${node.name}:${node.ip}`)).join(' ')})`,
		`HAPROXY_NODE=${q(haproxyNode(cluster).name)}`,
		`MAJOR=${q(major)}`,
		`ETCD_DATA_DIR=${q(etcdDataDir(cluster.name))}`,
		`ADMIN_USER=${q(cluster.patroni.user)}`,
		`SSH_USER=${q(cluster.nodes[0]!.sshUser)}`,
		`PATRONI_PORT=${cluster.ports.patroniApi}`,
		`WRITE_PORT=${cluster.ports.haproxyWrite}`,
		`STATS_PORT=${cluster.ports.haproxyStats}`,
		`PRIMARY_PROXY=${q(haproxyPrimaryProxy)}`,
		`REPLICAS_PROXY=${q(haproxyReplicasProxy)}`,
	];
	writeFileSync(path.join(dir, 'settings'), `${settings.join('\n')}\n`, {mode: 0o600});
	const secretLines = [
		`PGPASSWORD=${q(secrets.superuserPassword)}`,
		`STATS_PASSWORD=${q(secrets.haproxyStatsPassword)}`,
		`ADMIN_PASSWORD=${q(secrets.adminUserPassword)}`,
	];
	writeFileSync(path.join(dir, 'secrets'), `${secretLines.join('\n')}\n`, {mode: 0o600});
}
