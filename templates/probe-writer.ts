/**
 * The bounded writer loop the test stage runs on the HAProxy node while it injects faults.
 * It writes one row (sequence number + timestamp) at a time through HAProxy's write port and prints
 * one line per attempt, so pgha can measure the outage on a single clock. Settings (password
 * included) arrive as one JSON line on stdin, never on the command line.
 */
export const probeWriterPath = '/usr/local/lib/pgha/probe-writer.py';

export interface ProbeWriterSettings {
	/** One host, or several joined by commas (libpq tries them in turn). */
	readonly host: string;
	/** One port, or one per host joined by commas. */
	readonly port: number | string;
	/** `write` inserts a row per attempt; `read` runs a query (a reader through the read port). */
	readonly mode?: 'write' | 'read';
	/** libpq's target_session_attrs (read-write for a multi-host writer). */
	readonly targetSessionAttrs?: string;
	readonly user: string;
	readonly password: string;
	readonly database: string;
	readonly table: string;
	/** Hard limits: the loop ends at whichever comes first. */
	readonly durationMs: number;
	readonly maxWrites: number;
	readonly intervalMs: number;
	/** Sequence numbers continue from here, so several runs can share one table. */
	readonly firstSeq: number;
	/** The loop also ends as soon as this file exists (how pgha stops it once the figures are in). */
	readonly stopFile?: string;
}

export function renderProbeWriter(): string {
	return `#!/usr/bin/python3
# Written by pgha: bounded probe writer for the failover test. Output lines:
#   ack <seq> <epoch_ms>      the row was committed and acknowledged
#   err <epoch_ms> <reason>   the attempt failed (the row may or may not exist)
#   end <acked> <failed>
import json, os, sys, time
import psycopg2

cfg = json.loads(sys.stdin.readline())
deadline = time.monotonic() + cfg["durationMs"] / 1000.0
interval = cfg["intervalMs"] / 1000.0
seq = cfg["firstSeq"]
acked = failed = attempts = 0
conn = None
stop_file = cfg.get("stopFile")
mode = cfg.get("mode", "write")

def now_ms():
    return int(time.time() * 1000)

while time.monotonic() < deadline and attempts < cfg["maxWrites"]:
    if stop_file and os.path.exists(stop_file):
        break
    attempts += 1
    try:
        if conn is None:
            extra = {}
            if cfg.get("targetSessionAttrs"):
                extra["target_session_attrs"] = cfg["targetSessionAttrs"]
            # TCP keepalives: when the machine behind the address dies between queries, the client
            # learns it within seconds instead of waiting minutes for TCP to give up. Keepalives do
            # not run while a sent query is still unacknowledged (a cable cut mid-INSERT): there
            # tcp_user_timeout gives up after the same 4 s instead of retransmitting for 15 minutes.
            conn = psycopg2.connect(host=cfg["host"], port=str(cfg["port"]), user=cfg["user"],
                                    password=cfg["password"], dbname=cfg["database"],
                                    connect_timeout=2, application_name="pgha-probe",
                                    keepalives=1, keepalives_idle=1, keepalives_interval=1,
                                    keepalives_count=3, tcp_user_timeout=4000, **extra)
            conn.autocommit = True
        # No statement_timeout: cancelling a commit that waits for the synchronous standby returns
        # success for a row that is not replicated yet, which would fake an acknowledged write.
        with conn.cursor() as cur:
            if mode == "read":
                cur.execute("SELECT 1")
                cur.fetchone()
            else:
                cur.execute("INSERT INTO " + cfg["table"] + " (seq, written_at) VALUES (%s, now())", (seq,))
        print("ack %d %d" % (seq, now_ms()), flush=True)
        acked += 1
        seq += 1
    except Exception as error:
        failed += 1
        reason = str(error).strip().splitlines()[0][:120] if str(error).strip() else type(error).__name__
        print("err %d %s" % (now_ms(), reason), flush=True)
        try:
            if conn is not None:
                conn.close()
        except Exception:
            pass
        conn = None
        seq += 1
    time.sleep(interval)

print("end %d %d" % (acked, failed), flush=True)
`;
}
