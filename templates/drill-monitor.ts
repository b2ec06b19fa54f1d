/**
 * The bounded watcher the test stage runs on the client node (the one the probe writer runs on)
 * while a fault is under way: what the drill screen shows, and the evidence the outage's phases are
 * measured from, all stamped on that node's clock. It prints one JSON object per line:
 *   {"k":"key","t":ms,"ev":"PUT"|"DELETE","v":"pg-node-2"}   the leader key changed in etcd (a watch)
 *   {"k":"tick","t":ms,"leader":..,"lease":..,"ttl":..,"nodes":{..},"doors":{..}}   a sample
 *   {"k":"end","ticks":n}
 * Settings (the HAProxy stats password included) arrive as one JSON line on stdin.
 */
export const drillMonitorPath = '/usr/local/lib/pgha/drill-monitor.py';

export interface DrillMonitorSettings {
	/** etcd client URL to ask (the node's own member). */
	readonly etcdEndpoint: string;
	/** The leader key, e.g. /service/pg-cluster/leader. */
	readonly leaderKey: string;
	/** Patroni REST API per node name. */
	readonly patroni: Readonly<Record<string, string>>;
	/** HAProxy stats CSV URL per HAProxy node name. */
	readonly stats: Readonly<Record<string, string>>;
	readonly statsUser: string;
	readonly statsPassword: string;
	/** The write proxy's name in the stats CSV. */
	readonly writeProxy: string;
	readonly intervalMs: number;
	/** Hard limit: the watcher ends by itself after this long even if nobody stops it. */
	readonly durationMs: number;
	/** It also ends as soon as this file exists. */
	readonly stopFile: string;
}

export function renderDrillMonitor(): string {
	return `#!/usr/bin/python3
# Written by pgha: bounded watcher of a failover drill (see the first line of output for its format).
import base64, json, os, shutil, subprocess, sys, threading, time, urllib.request

cfg = json.loads(sys.stdin.readline())
deadline = time.monotonic() + cfg["durationMs"] / 1000.0
etcdctl = shutil.which("etcdctl") or "/usr/local/bin/etcdctl"
env = dict(os.environ, ETCDCTL_API="3")
base = [etcdctl, "--endpoints=" + cfg["etcdEndpoint"]]
out_lock = threading.Lock()
children = []

def now_ms():
    return int(time.time() * 1000)

def emit(obj):
    with out_lock:
        print(json.dumps(obj, separators=(",", ":")), flush=True)

def watch_key():
    # Every change of the leader key, stamped the moment etcd tells us (no polling delay).
    try:
        proc = subprocess.Popen(base + ["watch", cfg["leaderKey"]], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
    except OSError:
        return
    children.append(proc)
    pending = None
    while True:
        line = proc.stdout.readline()
        if not line:
            break
        line = line.rstrip("\\n")
        if line in ("PUT", "DELETE"):
            pending = {"k": "key", "t": now_ms(), "ev": line}
            if line == "DELETE":
                emit(pending)
                pending = None
            continue
        if pending is not None and line != cfg["leaderKey"]:
            pending["v"] = line
            emit(pending)
            pending = None
    proc.wait()

watcher = threading.Thread(target=watch_key, daemon=True)
watcher.start()

def etcd_post(path, body):
    # etcd's JSON gateway: no etcdctl process per sample (two a second would cost more than the rest).
    request = urllib.request.Request(cfg["etcdEndpoint"] + path, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=0.4) as response:
        return json.loads(response.read().decode("utf-8", "replace") or "{}")

def b64(text):
    return base64.b64encode(text.encode()).decode()

def etcd_leader():
    try:
        kvs = etcd_post("/v3/kv/range", {"key": b64(cfg["leaderKey"])}).get("kvs") or []
        if not kvs:
            return {"leader": None}
        kv = kvs[0]
        value = base64.b64decode(kv.get("value", "")).decode("utf-8", "replace")
        lease = kv.get("lease")
        ttl = None
        if lease and str(lease) != "0":
            ttl = int(etcd_post("/v3/lease/timetolive", {"ID": lease}).get("TTL", -1))
        return {"leader": value, "ttl": ttl}
    except Exception:
        return {"etcd": "no answer"}

def fetch(url, auth=None, timeout=0.4):
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read().decode("utf-8", "replace")

def patroni(name, url, into):
    try:
        status = json.loads(fetch(url))
        into[name] = {"role": status.get("role"), "state": status.get("state"), "tl": status.get("timeline")}
    except Exception:
        into[name] = None

def door(name, url, into):
    try:
        rows = fetch(url, cfg["statsUser"] + ":" + cfg["statsPassword"]).splitlines()
        header = rows[0].lstrip("# ").split(",")
        px, sv, st = header.index("pxname"), header.index("svname"), header.index("status")
        seen = {}
        for row in rows[1:]:
            cells = row.split(",")
            if len(cells) > st and cells[px] == cfg["writeProxy"] and cells[sv] not in ("FRONTEND", "BACKEND"):
                seen[cells[sv]] = cells[st]
        into[name] = seen
    except Exception:
        into[name] = None

ticks = 0
while time.monotonic() < deadline and not os.path.exists(cfg["stopFile"]):
    started = time.monotonic()
    nodes, doors = {}, {}
    threads = [threading.Thread(target=patroni, args=(n, u, nodes)) for n, u in cfg["patroni"].items()]
    threads += [threading.Thread(target=door, args=(n, u, doors)) for n, u in cfg["stats"].items()]
    for thread in threads:
        thread.start()
    sample = etcd_leader()
    for thread in threads:
        thread.join(1)
    sample.update({"k": "tick", "t": now_ms(), "nodes": nodes, "doors": doors})
    emit(sample)
    ticks += 1
    time.sleep(max(0.05, cfg["intervalMs"] / 1000.0 - (time.monotonic() - started)))

for child in children:
    child.kill()
emit({"k": "end", "ticks": ticks})
os._exit(0)
`;
}
