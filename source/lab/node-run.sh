#!/bin/bash
# Supervisor of one lab node (started detached by `pgha lab up`, one per node).
# Boots the node with systemd-nspawn in its own cgroup, boots it again after an in-node `reboot`
# (nspawn exits 133), and on SIGTERM asks nspawn for a clean poweroff.
# Usage: node-run.sh NAME ROOT NETNS_PATH WRAP_CGROUPS NODE_CGROUPS   (cgroup lists: colon-separated)
set -u
name=$1 root=$2 netns=$3
IFS=: read -r -a wrap_cgroups <<<"$4"
IFS=: read -r -a node_cgroups <<<"$5"

# The supervisor sits outside the node's cgroup so that cgroup holds only the node itself.
for dir in "${wrap_cgroups[@]}"; do echo $$ >"$dir/cgroup.procs"; done

child=0
stopping=0
stop() {
	stopping=1
	if [ "$child" -gt 0 ]; then kill -TERM "$child" 2>/dev/null; fi
}
trap stop TERM INT HUP

while :; do
	(
		# With --keep-unit nspawn uses the cgroup it is started in; one per node keeps the nodes'
		# systemds from managing (and killing) each other's services.
		for dir in "${node_cgroups[@]}"; do echo "$BASHPID" >"$dir/cgroup.procs"; done
		exec systemd-nspawn --quiet --boot --directory="$root" --machine="$name" \
			--network-namespace-path="$netns" --capability=CAP_NET_ADMIN,CAP_IPC_LOCK \
			--register=no --keep-unit --resolv-conf=off --timezone=off --link-journal=no \
			--console=read-only
	) </dev/null &
	child=$!
	if [ "$stopping" = 1 ]; then kill -TERM "$child" 2>/dev/null; fi
	# `wait` returns early when a trapped signal arrives; keep waiting until nspawn itself is gone.
	while :; do
		wait "$child"
		rc=$?
		kill -0 "$child" 2>/dev/null || break
	done
	echo "[pgha-lab] $name: systemd-nspawn exited with code $rc"
	if [ "$stopping" = 1 ]; then exit 0; fi
	if [ "$rc" != 133 ]; then exit "$rc"; fi
	echo "[pgha-lab] $name: rebooting"
done
