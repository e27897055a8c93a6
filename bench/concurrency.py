"""Concurrency benchmark: N simultaneous 1-page faxes between two faxd processes on loopback.

Starts a receiver and a sender faxd (reusing tests/integration/harness.py and tenant.py), submits
N faxes through POST /api/v1/faxes (one small PDF reused), waits until every fax is final, and
prints a Markdown section on stdout (progress on stderr): delivered/failed with reasons, wall
time, peak simultaneous calls (sampled from /metrics), CPU of both daemons (user+sys from
/proc/PID/stat), media tick jitter, peak RSS and RSS per session.

Usage: /usr/bin/python3 bench/concurrency.py --build BUILD_DIR --work WORK_DIR --mode t38|g711 --n N
       [--cluster]   the sender is two faxd nodes sharing a throwaway PostgreSQL (docs/cluster.md),
                     each given half of the faxes through its own API; they claim from one queue
"""
import argparse
import collections
import concurrent.futures
import datetime
import http.client
import json
import os
import re
import resource
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))

RECEIVER_DDI = "+15550002000"
SENDER_DDI = "+15550001000"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"concurrency: {msg}", file=sys.stderr, flush=True)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def seconds_until(iso):
    """Seconds from now to an API timestamp (negative when past, 0 when absent)."""
    if not iso:
        return 0
    when = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return (when - datetime.datetime.now(datetime.timezone.utc)).total_seconds()


def open_fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def metrics(d):
    status, _, body = d.request("GET", "/metrics", raw=True, timeout=10)
    out = {}
    if status != 200:
        return out
    for line in body.decode(errors="replace").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)", line)
        if m and not m.group(2):
            try:
                out[m.group(1)] = float(m.group(3))
            except ValueError:
                pass
    return out


class Sampler(threading.Thread):
    """Samples /metrics, RSS and open fds of both daemons twice a second."""

    def __init__(self, daemons):
        super().__init__(daemon=True)
        self.daemons = daemons
        self.stop_flag = threading.Event()
        self.peak = collections.defaultdict(float)
        self.last = {}
        self.samples = 0

    def run(self):
        while not self.stop_flag.is_set():
            for name, d in self.daemons.items():
                try:
                    m = metrics(d)
                except OSError:
                    continue
                self.last[name] = m
                pid = d.proc.pid
                for key, value in (("sessions", m.get("faxd_fax_sessions_active", 0)),
                                   ("outbound", m.get("faxd_outbound_calls_active", 0)),
                                   ("rss_kb", status_kb(pid, "VmRSS")),
                                   ("fds", open_fds(pid))):
                    self.peak[(name, key)] = max(self.peak[(name, key)], value)
            self.samples += 1
            self.stop_flag.wait(0.5)


def list_faxes(d, token, direction):
    out, cursor = [], None
    while True:
        path = f"/faxes?direction={direction}&limit=500" + (f"&cursor={cursor}" if cursor else "")
        page = d.api("GET", path, token=token)
        out += page["data"]
        cursor = page.get("next_cursor")
        if not cursor:
            return out


def tick_windows(path, offset):
    """The media.tick_window lines (10 s windows of the media tick) logged since `offset`."""
    out = []
    with open(path, "rb") as f:
        f.seek(offset)
        for line in f.read().decode(errors="replace").splitlines():
            if "media.tick_window" in line:
                out.append({k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)})
    return out


BUSY_REPLIES = collections.Counter()  # 429s honoured, by reason


def submit(d, token, vfax_id, pdf_bytes):
    """POST /faxes as a well-behaved client: a 429 (the conversion lane or the company's share of
    it is full) is retried after its Retry-After, for up to five minutes."""
    from tenant import multipart
    body, ctype = multipart({"virtual_fax_id": vfax_id, "to": RECEIVER_DDI, "quality": "standard"},
                            [("file", "one.pdf", pdf_bytes, "application/pdf")])
    deadline = time.monotonic() + 300
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=120)
        conn.request("POST", "/api/v1/faxes", body=body,
                     headers={"Content-Type": ctype, "Authorization": f"Bearer {token}"})
        res = conn.getresponse()
        data = res.read()
        retry_after = res.getheader("Retry-After")
        conn.close()
        if res.status == 429 and retry_after and time.monotonic() < deadline:
            BUSY_REPLIES[json.loads(data).get("error", {}).get("code", "?")] += 1
            time.sleep(float(retry_after))
            continue
        if res.status != 202:
            raise RuntimeError(f"POST /faxes: HTTP {res.status} {data[:200]!r}")
        return json.loads(data)["id"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--mode", choices=["t38", "g711"], default="t38")
    ap.add_argument("--n", type=int, default=0, help="faxes (default 1000 T.38, 300 G.711)")
    ap.add_argument("--submitters", type=int, default=8, help="parallel API clients")
    ap.add_argument("--timeout", type=int, default=900, help="seconds to wait for final states")
    ap.add_argument("--log-level", default="info")
    ap.add_argument("--no-hold", action="store_true",
                    help="dial while submitting (else the carrier is held at max_calls=1 until all are in)")
    ap.add_argument("--cluster", action="store_true",
                    help="send from two nodes on PostgreSQL instead of one faxd on SQLite")
    args = ap.parse_args()
    n = args.n or (1000 if args.mode == "t38" else 300)

    os.environ["FAXD_BIN"] = os.path.join(os.path.abspath(args.build), "faxd")
    os.makedirs(args.work, exist_ok=True)
    tempfile.tempdir = os.path.abspath(args.work)  # the harness's data dirs go under WORK_DIR
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by both daemons
    import harness
    from pdfgen import text_pdf
    from tenant import provision

    # Each call holds two even ports (RTP and UDPTL) on each side: room for 2n calls plus slack.
    span = max(400, 8 * n + 400)
    # One bulk-sending company: its share of the conversion lane (2 by default) raised to the
    # bench's API clients, as an operator would for such a customer; workers stay at 2.
    common = {"log": {"level": args.log_level}, "daemon": {"shutdown_grace_s": 5},
              "conversion": {"per_tenant": args.submitters, "queue": max(8, args.submitters)}}
    rx = harness.Faxd({**common, "media": {"address": "127.0.0.1", "port_min": 1024 + 0,
                                           "port_max": 1024 + span}}, name="bench-rx")
    # A fax whose T.30 broke goes back to the queue; retry it within the run (the default waits
    # minutes, as a real fax machine on the other end might need them) so the figures say
    # whether every fax got through, and how many needed a second call.
    retry = {"negotiation_failed_s": 5, "transfer_failed_s": 5}
    pg = None
    if args.cluster:
        from pg import Postgres
        pg = Postgres(max_connections=400).start()
        url = pg.create_database("faxd_bench")
        senders = {}
        for i, name in enumerate(("node1", "node2")):
            lo = 1024 + (i + 1) * (span + 2)
            senders[name] = harness.Faxd({**common, "media": {"address": "127.0.0.1", "port_min": lo,
                                                              "port_max": lo + span},
                                          "store": {"url": url}, "cluster": {"node": name},
                                          "retry": retry}, name=f"bench-{name}")
    else:
        senders = {"sender": harness.Faxd({**common, "media": {"address": "127.0.0.1",
                                                               "port_min": 1024 + span + 2,
                                                               "port_max": 1024 + 2 * span + 2},
                                           "retry": retry}, name="bench-tx")}
    tx = next(iter(senders.values()))
    daemons = {"receiver": rx, **senders}
    try:
        rx.start()
        for d in senders.values():
            d.start()
        log(f"receiver pid {rx.proc.pid} dir {rx.dir}; senders "
            + ", ".join(f"{k} pid {d.proc.pid} dir {d.dir}" for k, d in senders.items()))
        rx_tenant = provision(rx, carrier_port=tx.sip_port, ddi=RECEIVER_DDI)
        tx_tenant = provision(tx, carrier_port=rx.sip_port, t38=args.mode == "t38",
                              ddi="+15550001999", outgoing_ddi=SENDER_DDI)
        pdf_path = os.path.join(args.work, "one.pdf")
        text_pdf(pdf_path, pages=1, lines=["faxd concurrency benchmark", "one page"])
        with open(pdf_path, "rb") as f:
            pdf = f.read()
        carrier_path = f"/carriers/{tx_tenant['carrier']['id']}"
        if not args.no_hold:
            # Submission (PDF conversion) is far slower than dialing: hold the line at one call
            # so that all N faxes are queued first, then release them at once.
            tx.api("PATCH", carrier_path, {"max_calls": 1}, token=tx_tenant["admin"])
        time.sleep(1.0)  # let the carrier allow-lists refresh
        base = {name: {"cpu": cpu_seconds(d.proc.pid), "rss_kb": status_kb(d.proc.pid, "VmRSS")}
                for name, d in daemons.items()}
        sampler = Sampler(daemons)
        sampler.start()
        t0 = time.monotonic()
        load0 = os.getloadavg()
        ids, errors = [], collections.Counter()
        targets = list(senders.values())
        with concurrent.futures.ThreadPoolExecutor(args.submitters) as pool:
            futs = [pool.submit(submit, targets[i % len(targets)], tx_tenant["token"],
                                tx_tenant["vfax"]["id"], pdf)
                    for i in range(n)]
            for fut in concurrent.futures.as_completed(futs):
                try:
                    ids.append(fut.result())
                except Exception as e:  # noqa: BLE001 - counted and reported
                    errors[str(e)[:120]] += 1
                if (len(ids) + sum(errors.values())) % 100 == 0:
                    log(f"submitted {len(ids)} (errors {sum(errors.values())}) "
                        f"at {time.monotonic() - t0:.1f}s")
        t_submitted = time.monotonic() - t0
        log(f"all submitted in {t_submitted:.1f}s")
        t_release = time.monotonic()
        log_offset = {name: os.path.getsize(d.log_path) for name, d in daemons.items()}
        if not args.no_hold:
            tx.api("PATCH", carrier_path, {"max_calls": 0}, token=tx_tenant["admin"])
            sampler.peak.clear()  # peaks of the release phase only
            base = {name: {"cpu": cpu_seconds(d.proc.pid), "rss_kb": base[name]["rss_kb"]}
                    for name, d in daemons.items()}

        # Final: nothing sending or receiving on either side and nothing queued that is due.
        deadline = time.monotonic() + args.timeout
        final = {}
        while time.monotonic() < deadline:
            time.sleep(2)
            m_rx = sampler.last.get("receiver", {})
            m_txs = [sampler.last.get(name, {}) for name in senders]
            busy = (sum(m.get("faxd_outbound_calls_active", 1) for m in m_txs)
                    + m_rx.get("faxd_fax_sessions_active", 1))
            log(f"t={time.monotonic() - t0:.0f}s sender calls "
                f"{[m.get('faxd_outbound_calls_active') for m in m_txs]} "
                f"sessions {[m.get('faxd_fax_sessions_active') for m in m_txs]} "
                f"queue {m_txs[0].get('faxd_queue_depth')}; "
                f"receiver sessions {m_rx.get('faxd_fax_sessions_active')}")
            if busy:
                continue
            faxes = list_faxes(tx, tx_tenant["token"], "outbound")
            final = collections.Counter(f["status"] for f in faxes)
            if final["sending"] == 0 and final["queued"] == 0:
                break
            waiting = [f for f in faxes if f["status"] == "queued"]
            if (final["sending"] == 0 and time.monotonic() - t_release > 15
                    and all(seconds_until(f.get("next_attempt_at")) > 30 for f in waiting)):
                break  # only retries scheduled for much later: report them as not delivered
        wall = time.monotonic() - t_release
        load1 = os.getloadavg()
        sampler.stop_flag.set()
        sampler.join()
        end = {name: {"cpu": cpu_seconds(d.proc.pid), "hwm_kb": status_kb(d.proc.pid, "VmHWM"),
                      "metrics": metrics(d)} for name, d in daemons.items()}
        faxes = list_faxes(tx, tx_tenant["token"], "outbound")
        received = list_faxes(rx, rx_tenant["token"], "inbound")
        for name, d in daemons.items():
            end[name]["windows"] = tick_windows(d.log_path, log_offset[name])
            with open(d.log_path, errors="replace") as f:
                end[name]["log_dials"] = f.read().count("queue.dial ")
        report(args, n, faxes, received, errors, t_submitted, wall, base, end, sampler, load0, load1,
               list(senders))
    finally:
        for d in daemons.values():
            d.stop(timeout=30)
        if pg:
            pg.stop()


def report(args, n, faxes, received, errors, t_submitted, wall, base, end, sampler, load0, load1,
           senders):
    status = collections.Counter(f["status"] for f in faxes)
    reasons = collections.Counter(
        f"{f['status']}: {f['failure']['code']} ({f['failure']['message'][:80]})"
        for f in faxes if f["status"] != "delivered" and f.get("failure"))
    rx_status = collections.Counter(f["status"] for f in received)
    transports = collections.Counter(f.get("transport") for f in faxes if f["status"] == "delivered")
    out = []
    p = out.append
    mode = "T.38" if args.mode == "t38" else "G.711"
    where = " from two cluster nodes on PostgreSQL" if args.cluster else ""
    script = "cluster" if args.cluster else "concurrency"
    p(f"### {n} simultaneous {mode} faxes (1 page each){where}")
    p("")
    p("```")
    p(f"bench/{script}.bench.sh BUILD_DIR WORK_DIR   # runs: /usr/bin/python3 bench/concurrency.py "
      f"--build BUILD_DIR --work WORK_DIR --mode {args.mode} --n {n} --submitters {args.submitters}"
      + (" --cluster" if args.cluster else ""))
    p("```")
    p("")
    p(f"- Submitted: {len(faxes)} of {n} in {t_submitted:.1f} s ({args.submitters} API clients, "
      f"{len(faxes) / t_submitted:.1f} faxes/s)" + (f"; refused: {dict(errors)}" if errors else ""))
    if BUSY_REPLIES:
        p(f"- Busy replies honoured while submitting (HTTP 429, retried after its Retry-After): "
          f"{dict(BUSY_REPLIES)}; the conversion lane admits a company's share of conversions "
          "at a time (`[conversion]`, docs/reliability.md)")
    if not args.no_hold:
        p("- While submitting, the sender's carrier was held at max_calls=1 (each fax waits for a "
          "free line, rechecked every 5 s); then set unlimited, and every fax dialed at once. CPU, "
          "peaks and wall time below are from that release on.")
    redialed = sum(1 for f in faxes if f["status"] == "delivered" and (f.get("dials") or 1) > 1)
    p(f"- Delivered: {status['delivered']} ({redialed} of them on a later call, retried after 5 s); "
      f"failed: {status['failed']}; still queued for a retry: "
      f"{status['queued']}; other: {sum(v for k, v in status.items() if k not in ('delivered', 'failed', 'queued'))}")
    p(f"- Transport of the delivered faxes: {dict(transports)}")
    if reasons:
        p("- Failure reasons: " + "; ".join(f"{k} x{v}" for k, v in reasons.most_common(6)))
    p(f"- Receiver: {rx_status['received']} received, {rx_status['failed']} failed")
    p(f"- Wall time from the release to the last final state: {wall:.1f} s")
    p("- Peak simultaneous calls (sampled every 0.5 s): "
      + "; ".join(f"{s} {int(sampler.peak[(s, 'outbound')])} outbound calls, "
                  f"{int(sampler.peak[(s, 'sessions')])} fax sessions" for s in senders)
      + f"; receiver {int(sampler.peak[('receiver', 'sessions')])} fax sessions")
    if args.cluster:
        by_node = collections.Counter()
        for s in senders:
            by_node[s] = end[s]["log_dials"]
        p("- Calls placed per node (queue.dial lines): "
          + ", ".join(f"{k} {v}" for k, v in by_node.items()))
    p(f"- Load average at start / end: {' '.join(f'{x:.2f}' for x in load0)} / "
      f"{' '.join(f'{x:.2f}' for x in load1)} (2 cores, shared machine)")
    p("")
    p("| daemon | CPU s (user+sys) | CPU % of one core over the run | tick jitter p50 / p99 | "
      "tick work p50 / p99 | peak RSS | RSS per session at peak | peak fds |")
    p("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in (*senders, "receiver"):
        cpu = end[name]["cpu"] - base[name]["cpu"]
        m = end[name]["metrics"]
        peak_sessions = max(1, int(sampler.peak[(name, "sessions")]))
        peak_rss = max(end[name]["hwm_kb"], sampler.peak[(name, "rss_kb")])
        per = (sampler.peak[(name, "rss_kb")] - base[name]["rss_kb"]) / peak_sessions
        wins = end[name].get("windows") or []
        if wins:  # 10 s windows during the run: median of the p50s, worst p99
            jp50 = sorted(w["jitter_p50_us"] for w in wins)[len(wins) // 2] / 1e3
            jp99 = max(w["jitter_p99_us"] for w in wins) / 1e3
            work = (f"{sorted(w['work_p50_us'] for w in wins)[len(wins) // 2] / 1e3:.2f} / "
                    f"{max(w['work_p99_us'] for w in wins) / 1e3:.2f} ms")
            src = f" ({len(wins)} windows)"
        else:  # an older faxd: life-long quantiles from /metrics
            jp50 = m.get("faxd_tick_jitter_p50_seconds", 0) * 1e3
            jp99 = m.get("faxd_tick_jitter_p99_seconds", 0) * 1e3
            work, src = "-", " (life-long)"
        cap = "≥" if jp99 >= 20 else ""
        p(f"| {name} | {cpu:.1f} | {100 * cpu / wall:.0f} % | {jp50:.2f} / {cap}{jp99:.2f} ms{src} | "
          f"{work} | {peak_rss / 1024:.0f} MB | {per:.0f} KB | {int(sampler.peak[(name, 'fds')])} |")
    p("")
    print("\n".join(out), flush=True)


if __name__ == "__main__":
    main()
