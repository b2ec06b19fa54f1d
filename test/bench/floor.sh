#!/usr/bin/env bash
# The floor: the same install and configure commands pgha runs, as plain shell over ssh, the nodes
# in parallel, with no checks, no UI and no logging. `npm run bench` compares pgha apply against it.
#
#   ip netns exec lab-sw bash floor.sh DIR
#
# DIR (prepared by test/bench/floor-files.ts from pgha's own plans, mode 0700):
#   settings        shell variables: NODES=(name:ip ...), HAPROXY_NODE, MAJOR, ETCD_DATA_DIR,
#                   ADMIN_USER, SSH_USER, ports, proxy names
#   secrets         (0600) PGPASSWORD, STATS_PASSWORD, ADMIN_PASSWORD
#   NODE/packages   the apt packages of that node, one line
#   NODE/pre, NODE/post   manifests "mode owner group path file" of files written before / after apt
#   NODE/extra      root shell lines after apt: Patroni into a venv, etcd from its tarball (course path)
# SSHPASS in the environment is the SSH and sudo password (never on a command line).
# Prints "phase NAME START END" lines (epoch seconds) so the caller can see where the time goes.
set -euo pipefail
dir=$1
# shellcheck source=/dev/null
. "$dir/settings"
# shellcheck source=/dev/null
. "$dir/secrets"
export PGPASSWORD

ssh_opts=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
  -o ConnectTimeout=10 -o PubkeyAuthentication=no -o NumberOfPasswordPrompts=1)

now() { date +%s.%N; }
phase() { echo "phase $1 $2 $(now)"; }
ip_of() { local entry; for entry in "${NODES[@]}"; do [ "${entry%%:*}" = "$1" ] && echo "${entry#*:}"; done; }

# Runs stdin as a root bash script on a node: sudo reads the password line first, bash the rest.
as_root() {
  local node=$1
  { printf '%s\n' "$SSHPASS"; cat; } |
    sshpass -e ssh "${ssh_opts[@]}" "$SSH_USER@$(ip_of "$node")" "sudo -S -p '' bash -s" >>"$dir/$node.out" 2>&1
}

# The files of a manifest as shell: each file through a quoted here-document, then its owner and mode.
emit_files() {
  local manifest=$1 mode owner group path file
  [ -f "$manifest" ] || return 0
  while read -r mode owner group path file; do
    echo "install -d \"\$(dirname '$path')\""
    # umask 077 first: config.yml and haproxy.cfg hold passwords and must never be readable by others.
    echo "(umask 077; cat > '$path') <<'PGHA_FLOOR_EOF'"
    cat "$(dirname "$manifest")/$file"
    echo "PGHA_FLOOR_EOF"
    echo "chown $owner:$group '$path'; chmod $mode '$path'"
  done <"$manifest"
}

# Everything up to a running etcd member and HAProxy, with Patroni configured but not started.
install_node() {
  local node=$1 d=$dir/$1
  {
    echo 'set -e; export DEBIAN_FRONTEND=noninteractive LC_ALL=C'
    echo "id -u $ADMIN_USER >/dev/null 2>&1 || useradd -m -s /bin/bash $ADMIN_USER"
    echo "usermod -aG sudo $ADMIN_USER"
    echo "chpasswd <<'PGHA_FLOOR_EOF'"
    echo "$ADMIN_USER:$ADMIN_PASSWORD"
    echo "PGHA_FLOOR_EOF"
    emit_files "$d/pre"
    echo 'apt-get -o DPkg::Lock::Timeout=600 update </dev/null'
    echo "apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends $(cat "$d/packages") </dev/null"
    cat "$d/extra"
    echo 'systemctl disable --now postgresql'
    echo "if [ -d /etc/postgresql/$MAJOR/main ]; then pg_dropcluster --stop $MAJOR main; fi"
    # The package's auto-started single-node etcd member goes first.
    echo 'systemctl stop etcd 2>/dev/null || true; rm -rf /var/lib/etcd/default'
    echo "install -d -m 0755 /etc/etcd /etc/patroni"
    echo "install -d -m 0700 -o etcd -g etcd /var/lib/etcd $ETCD_DATA_DIR"
    echo "install -d -m 0755 -o postgres -g postgres /var/lib/postgresql/$MAJOR"
    emit_files "$d/post"
    echo 'systemctl daemon-reload'
    echo 'systemctl enable etcd'
    echo 'systemctl restart --no-block etcd'
    if [ "$node" = "$HAPROXY_NODE" ]; then
      echo 'systemctl enable haproxy'
      echo 'systemctl restart haproxy'
    fi
  } | as_root "$node"
}

start_patroni() { echo 'systemctl enable --now patroni' | as_root "$1"; }

# Bounded waits: poll once a second.
wait_until() {
  local limit=$1 what=$2 i
  shift 2
  for ((i = 0; i < limit; i++)); do
    if "$@"; then return 0; fi
    sleep 1
  done
  echo "floor: $what not reached within ${limit} s" >&2
  return 1
}

leader_up() { [ "$(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://$(ip_of "${NODES[0]%%:*}"):$PATRONI_PORT/primary")" = 200 ]; }

# The same end condition pgha waits for: HAProxy routes (1 server UP for writes, N-1 for reads) and
# the leader reached through the write port sees every replica streaming.
cluster_healthy() {
  local csv up_primary up_replicas streaming
  csv=$(printf 'user = "admin:%s"\n' "$STATS_PASSWORD" |
    curl -fsS -m 3 --config - "http://$(ip_of "$HAPROXY_NODE"):$STATS_PORT/stats;csv" 2>/dev/null) || return 1
  up_primary=$(awk -F, -v p="$PRIMARY_PROXY" '$1 == p && $2 != "FRONTEND" && $2 != "BACKEND" && $18 == "UP"' <<<"$csv" | wc -l)
  up_replicas=$(awk -F, -v p="$REPLICAS_PROXY" '$1 == p && $2 != "FRONTEND" && $2 != "BACKEND" && $18 == "UP"' <<<"$csv" | wc -l)
  [ "$up_primary" -eq 1 ] && [ "$up_replicas" -eq $((${#NODES[@]} - 1)) ] || return 1
  streaming=$(psql "host=$(ip_of "$HAPROXY_NODE") port=$WRITE_PORT user=postgres dbname=postgres connect_timeout=3" -XAtqc \
    "select count(*) from pg_stat_replication where state = 'streaming'" 2>/dev/null) || return 1
  [ "$streaming" -eq $((${#NODES[@]} - 1)) ]
}

start=$(now)
pids=()
for entry in "${NODES[@]}"; do
  install_node "${entry%%:*}" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
phase install "$start"

t=$(now)
start_patroni "${NODES[0]%%:*}"
wait_until 180 'a Patroni leader' leader_up
phase leader "$t"

t=$(now)
pids=()
for entry in "${NODES[@]:1}"; do
  start_patroni "${entry%%:*}" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
wait_until 300 'a healthy cluster' cluster_healthy
phase replicas "$t"
phase total "$start"
