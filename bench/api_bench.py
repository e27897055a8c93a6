#!/usr/bin/env python3
"""Measurements for bench/api.bench.sh: start-up time, wrk runs on the fax list and get paths,
the sqlite3 CLI floor for the same queries, and the web UI inbox in headless Chromium.

Usage: api_bench.py FAXD DB_TEMPLATE ENV_FILE RUN_DIR
Prints the Markdown body on stdout (after the heading, which the shell script prints) and
progress on stderr. Every faxd, wrk and chromium it starts is stopped before it returns.
"""
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WRK_SECONDS = int(os.environ.get("FAXD_API_BENCH_SECONDS", "10"))
WRK_CONNECTIONS = 8
STARTUP_RUNS = 10
WEB_RUNS = 20


def log(msg):
    print(f"api.bench: {msg}", file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def pct(values, p):
    v = sorted(values)
    k = (len(v) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


class Faxd:
    def __init__(self, faxd, run_dir, store_url=""):
        self.faxd, self.run_dir = faxd, run_dir
        self.port = free_port()
        sip = free_port()
        media = 40000 + (os.getpid() % 50) * 200
        self.config = os.path.join(run_dir, "faxd.toml")
        with open(self.config, "w") as f:
            f.write(f"""
[daemon]
data_dir = "{run_dir}/var"
shutdown_grace_s = 2
[http]
listen = "127.0.0.1:{self.port}"
[sip]
listen = "127.0.0.1:{sip}"
[media]
address = "127.0.0.1"
port_min = {media}
port_max = {media + 198}
[store]
url = "{store_url}"
[admin]
username = "admin"
password = ""
[demo]
enabled = false
[log]
level = "info"
""")
        self.proc = None
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self):
        """Starts faxd; returns milliseconds from exec to /healthz answering 200."""
        out = open(os.path.join(self.run_dir, "faxd.log"), "ab")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen([self.faxd, "--config", self.config], stdout=out, stderr=out)
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"faxd exited, see {self.run_dir}/faxd.log")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return (time.perf_counter() - t0) * 1000
            except OSError:
                pass
            if time.perf_counter() - t0 > 60:
                raise RuntimeError("faxd did not answer /healthz within 60 s")
            time.sleep(0.001)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def get(self, path, token):
        req = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read())


def parse_wrk(text):
    def ms(v):
        n = float(re.match(r"[\d.]+", v).group())
        return n / 1000 if v.endswith("us") else n * 1000 if v.endswith("s") and not v.endswith("ms") else n
    out = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))}
    for p in ("50", "90", "99"):
        out[f"p{p}"] = ms(re.search(rf"^\s+{p}(?:\.000)?%\s+(\S+)", text, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["errors"] = int(non2xx.group(1)) if non2xx else 0
    socket_err = re.search(r"Socket errors: (.*)", text)
    out["socket_errors"] = socket_err.group(1) if socket_err else ""
    return out


def wrk(faxd, path, token, connections, seconds):
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
           "-H", f"Authorization: Bearer {token}", faxd.base + path]
    cpu0, t0 = faxd.cpu_seconds(), time.perf_counter()
    text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    r = parse_wrk(text)
    r["cpu"] = (faxd.cpu_seconds() - cpu0) / (time.perf_counter() - t0)
    r["load"] = open("/proc/loadavg").read().split()[0]
    return r


def sqlite_floor(db, sql, runs=300):
    """Milliseconds per run of `sql` in one sqlite3 CLI process (output to /dev/null)."""
    script = ".output /dev/null\n" + (sql.rstrip(";") + ";\n") * runs
    def run(text):
        t0 = time.perf_counter()
        subprocess.run(["sqlite3", "-readonly", db], input=text, text=True, check=True)
        return time.perf_counter() - t0
    base = min(run(".output /dev/null\nSELECT 1;\n") for _ in range(3))
    total = min(run(script) for _ in range(3))
    return (total - base) * 1000 / runs


def startup(faxd):
    times = []
    for _ in range(STARTUP_RUNS):
        times.append(faxd.start())
        faxd.stop()
    return times


def web(faxd, user, password, runs):
    node_path = os.path.join(ROOT, "tests", "e2e", "node_modules")
    env = dict(os.environ, NODE_PATH=node_path)
    res = subprocess.run(["node", os.path.join(HERE, "api_web.mjs"), faxd.base if faxd else "floor", user, password,
                          str(runs)], capture_output=True, text=True, env=env, cwd=os.path.join(ROOT, "tests", "e2e"))
    if res.returncode != 0:
        raise RuntimeError(f"api_web.mjs failed: {res.stderr.strip()[-2000:]}")
    return json.loads(res.stdout)


def cases_for(faxd, env):
    big, small = env["BIG_TOKEN"], env["SMALL_TOKEN"]
    first = faxd.get("/api/v1/faxes?limit=50", big)
    any_id = first["data"][7]["id"]
    small_first = faxd.get("/api/v1/faxes?limit=50", small)
    small_id = small_first["data"][7]["id"]
    cases = [
        ("company admin", big, "/api/v1/faxes?limit=50"),
        ("company admin", big, "/api/v1/faxes?limit=50&direction=inbound&status=received"),
        ("company admin", big, "/api/v1/faxes?limit=50&direction=outbound&status=failed"),
        ("company admin", big, f"/api/v1/faxes?limit=50&cursor={first['next_cursor']}"),
        ("company admin", big, f"/api/v1/faxes/{any_id}"),
        ("user (small desk)", small, "/api/v1/faxes?limit=50"),
        ("user (small desk)", small, "/api/v1/faxes?limit=50&direction=inbound&status=received"),
        ("user (small desk)", small, f"/api/v1/faxes?limit=50&cursor={small_first['next_cursor']}"),
        ("user (small desk)", small, f"/api/v1/faxes/{small_id}"),
    ]
    return [c for c in cases if "cursor=None" not in c[2]]  # a scope with one page only


def shown_path(path):
    """A request as the tables show it: no /api/v1, the cursor and the fax id named."""
    shown = re.sub(r"cursor=\w+", "cursor=(page 2)", path.replace("/api/v1", ""))
    return re.sub(r"/faxes/\w{26}", "/faxes/{id}", shown)


def verdict(many):
    """The target column: p99 under 10 ms at c=8 with no error, and the errors when any."""
    bad = many["errors"] or many["socket_errors"]
    ok = "met" if many["p99"] < 10 and not bad else "MISSED"
    return ok + (f" (errors: {many['errors']} {many['socket_errors']})" if bad else "")


def wrk_table(results):
    p = print
    p("| caller | request | c=1 p50 | c=1 p99 | req/s (c=8) | p50 | p90 | p99 | faxd CPU | load | target |")
    p("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for who, path, one, many in results:
        p(f"| {who} | `GET {shown_path(path)}` | {one['p50']:.2f} ms | {one['p99']:.2f} ms | "
          f"{many['rps']:,.0f} | {many['p50']:.2f} ms | {many['p90']:.2f} ms | "
          f"**{many['p99']:.2f} ms** | {many['cpu']:.2f} | {many['load']} | {verdict(many)} |")


def run_cases(faxd, env, label):
    results = []
    for who, token, path in cases_for(faxd, env):
        log(f"wrk ({label}) {who} {path}")
        wrk(faxd, path, token, WRK_CONNECTIONS, 2)  # warm-up
        one = wrk(faxd, path, token, 1, max(3, WRK_SECONDS // 2))
        many = wrk(faxd, path, token, WRK_CONNECTIONS, WRK_SECONDS)
        results.append((who, path, one, many))
    return results


def start_up_and_run(faxd, env, label):
    """Start-up times (after a first start that applies any new migration, not counted), then
    every case under wrk."""
    faxd.start()
    faxd.stop()
    boot = startup(faxd)
    faxd.start()
    try:
        return boot, run_cases(faxd, env, label)
    finally:
        faxd.stop()


def main_postgresql(faxd_bin, template, env_file, run_dir):
    """The same requests on the seeded SQLite store (the anchor) and then on a copy of it in a
    throwaway PostgreSQL (faxd store copy), in one run: the list on a cluster's store, as a ratio
    to the embedded one measured minutes before on the same machine."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
    from pg import Postgres
    env = dict(line.strip().split("=", 1) for line in open(env_file) if "=" in line)

    sqlite_dir = os.path.join(run_dir, "sqlite")
    os.makedirs(os.path.join(sqlite_dir, "var"), exist_ok=True)
    log("copying the seeded store (SQLite anchor)")
    shutil.copyfile(template, os.path.join(sqlite_dir, "var", "faxd.db"))
    boot_sqlite, results_sqlite = start_up_and_run(Faxd(faxd_bin, sqlite_dir), env, "sqlite")
    shutil.rmtree(sqlite_dir)

    pg_dir = os.path.join(run_dir, "pg")
    os.makedirs(os.path.join(pg_dir, "var"), exist_ok=True)
    with Postgres() as pg:
        url = pg.create_database("faxd_api")
        log("faxd store copy into PostgreSQL")
        t0 = time.perf_counter()
        subprocess.run([faxd_bin, "store", "copy", "--from", f"sqlite:{template}", "--to", url],
                       check=True, stdout=subprocess.DEVNULL)
        copy_s = time.perf_counter() - t0
        pg.psql("VACUUM ANALYZE", database="faxd_api")
        size_mb = int(pg.psql("SELECT pg_database_size('faxd_api')")) / 1e6
        boot, results = start_up_and_run(Faxd(faxd_bin, pg_dir, store_url=url), env, "postgresql")
    p = print
    p(f"### On PostgreSQL (a cluster's store), beside SQLite in the same run")
    p()
    p(f"The seeded {int(env['TOTAL_ROWS']):,} faxes, first served from the SQLite file (the anchor), "
      "then copied with `faxd store copy --from sqlite:... --to postgresql://...` into a throwaway "
      f"PostgreSQL 15 on loopback (`tests/integration/pg.py`: fsync off, 64 MB shared buffers) in "
      f"{copy_s:.0f} s, `VACUUM ANALYZE`d ({size_mb:,.0f} MB database) and served again. faxd runs "
      "with `[store] url` on it (8 pooled connections, reads in REPEATABLE READ READ ONLY "
      "transactions). The same wrk runs as above, one store after the other.")
    p()
    p(f"Start-up, exec to `/healthz` 200, {STARTUP_RUNS} starts: PostgreSQL median "
      f"**{statistics.median(boot):.0f} ms** (min {min(boot):.0f}, max {max(boot):.0f}); SQLite "
      f"median {statistics.median(boot_sqlite):.0f} ms in the same run.")
    p()
    p("| caller | request | c=1 p50 SQLite | c=1 p50 PostgreSQL | ratio | req/s (c=8) SQLite | "
      "req/s (c=8) PostgreSQL | ratio | p99 (c=8) PostgreSQL | target |")
    p("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for (who, path, one_s, many_s), (_, _, one, many) in zip(results_sqlite, results):
        p(f"| {who} | `GET {shown_path(path)}` | {one_s['p50']:.2f} ms | {one['p50']:.2f} ms | "
          f"{one['p50'] / one_s['p50']:.1f}x | {many_s['rps']:,.0f} | {many['rps']:,.0f} | "
          f"{many['rps'] / many_s['rps']:.2f}x | **{many['p99']:.2f} ms** | {verdict(many)} |")
    p()
    p("PostgreSQL in full (faxd CPU is user+system over the run, 2.0 = both cores; load sampled "
      "at the end of each run):")
    p()
    wrk_table(results)


def main():
    if len(sys.argv) > 5 and sys.argv[5] == "--postgresql":
        return main_postgresql(*sys.argv[1:5])
    faxd_bin, template, env_file, run_dir = sys.argv[1:5]
    env = dict(line.strip().split("=", 1) for line in open(env_file) if "=" in line)
    os.makedirs(os.path.join(run_dir, "var"), exist_ok=True)
    db = os.path.join(run_dir, "var", "faxd.db")
    log("copying the seeded store")
    shutil.copyfile(template, db)
    faxd = Faxd(faxd_bin, run_dir)
    size_mb = os.path.getsize(db) / 1e6

    log("start-up")
    faxd.start()  # first start applies any new migration; not counted
    faxd.stop()
    boot = startup(faxd)

    faxd.start()
    try:
        results = run_cases(faxd, env, "sqlite")

        cols = ("id, direction, brand_id, company_id, virtual_fax_id, created_by, from_number, "
                "to_number, status, pages, pages_total, quality, header, attempts, dials, bit_rate, "
                "ecm, transport, remote_station_id, failure_code, failure_message, idempotency_key, "
                "document, claimed_by, created_at, updated_at, started_at, completed_at, "
                "next_attempt_at")
        co, vf = env["BIG_COMPANY"], env["SMALL_VFAX"]
        floors = {
            0: f"SELECT {cols} FROM faxes WHERE company_id = '{co}' ORDER BY id DESC LIMIT 51",
            5: f"SELECT {cols} FROM faxes WHERE virtual_fax_id IN ('{vf}') ORDER BY id DESC LIMIT 51",
        }
        floor_ms = {i: sqlite_floor(db, sql) for i, sql in floors.items()}

        log("web UI")
        web_big = web(faxd, "big", "bench-pass", WEB_RUNS)
        web_small = web(faxd, "small", "bench-pass", WEB_RUNS)
        web_floor = web(None, "-", "-", WEB_RUNS)
    finally:
        faxd.stop()

    p = print
    p(f"Store: {int(env['TOTAL_ROWS']):,} faxes ({size_mb:,.0f} MB SQLite file with their attempt "
      f"rows); `Big company` holds {int(env['BIG_ROWS']):,} of them, the virtual fax `Small desk` "
      f"{int(env['SMALL_ROWS']):,} (its only user is `small`). Seeded once by "
      "`build/bench/faxd-api-seed` through the real migrations and cached (see the script). "
      f"faxd {'RelWithDebInfo'} on loopback, `[log] level = \"info\"`, API tokens as Bearer.")
    p()
    p("### History (measured by hand on this machine, 25 Nov 2026; the first items while other "
      "agents were compiling, load average 11 to 24 on 2 cores, the last two on a quiet machine)")
    p()
    p("- Start-up: `recover_interrupted` asked `(status = 'sending' AND ...) OR status = "
      "'receiving'`, which no index serves: a scan of the whole 1 GB table at every start "
      "(0.67 to 1.85 s in the sqlite3 CLI). Spelled `status IN ('sending','receiving') AND (...)` "
      "it uses the partial index faxes_active (1 ms). Exec to /healthz 200 went from median "
      "1417 ms (min 970) to 209 ms (min 189). What is left is not the store: `faxd "
      "--check-config`, which opens nothing, takes 220 to 290 ms under the same load (exec and "
      "dynamic loading of a 140 MB RelWithDebInfo binary).")
    p("- Profile (`perf record -g` on faxd under wrk, first page as company admin): malloc, "
      "_int_free, _int_malloc and malloc_consolidate 34%, nlohmann's dump_escaped 7% and tree "
      "destruction 4%, SQLite (sqlite3VdbeExec) 2%: the reply's nlohmann::json tree cost more "
      "than the query. The list and GET /faxes/{id} now write the JSON straight out "
      "(store::append_json, byte-identical, unit-tested). First page as company admin: 816 "
      "req/s, c=1 p50 1.11 ms before (load 11); 1,678 req/s, c=1 p50 0.34 ms after (load 18).")
    p("- Status filters: the inbox's `status=receiving` (or `queued`) walked all 850k faxes of "
      "the company through faxes_company to fill a page: 2.5 s in the sqlite3 CLI. Migration "
      "0005 adds (company_id|brand_id|virtual_fax_id, status, id) indexes: 2 ms. Common "
      "statuses (received, failed) were already cheap, as the table shows.")
    p("- A user linked to several virtual faxes got `virtual_fax_id IN (...) ORDER BY id DESC`, "
      "which sorts every matching fax; now one indexed, limited arm per virtual fax merged by "
      "UNION ALL (store/fax_list_query.cpp; EXPLAIN QUERY PLAN asserted in "
      "tests/unit/store/fax_list_query_test.cpp). The bench's user has one virtual fax.")
    p("- The queue-depth gauge counted `status = ?` (bound: no partial index, a full scan per "
      "/metrics scrape); the status is now literal SQL so faxes_queue serves it.")
    p("- p99 at c=8: missed with the load average at 11 to 24 (12 to 534 ms: run-queue wait, "
      "c=1 p50 stayed 0.3 to 1.9 ms); on the quiet machine (load 0.2 to 3) 1.6 to 6.7 ms for every "
      "request above, without a code change in between.")
    p("- Inbox: 163 to 168 ms median on the quiet machine (316 ms loaded) before; the list request "
      "left at 141 to 148 ms. A resource timeline showed why: index.html, then app.js, then its "
      "imports, then theirs (four levels of 304 revalidations, 10 to 20 ms each in Chromium), then "
      "/me, then /virtual-faxes, then /faxes, one after the other. Now index.html (the only "
      "file that still revalidates) names every file by a versioned URL cached for good, an "
      "import map (admitted by its CSP hash) sends the modules' plain imports to those URLs, "
      "modulepreload fetches them at once on a first visit, and the inbox asks for /me, the "
      "first page and the virtual faxes together: 99 to 109 ms median by hand at load 1, 129 to 140 ms in the run below (just after wrk, load 1.5 to 3.7), "
      "the list request leaving at 57 to 71 ms. The floor row below is what Chromium needs here "
      "for any page with one module and one request.")
    p()
    p("### Start-up with the full store")
    p()
    p(f"Exec to `/healthz` answering 200, {STARTUP_RUNS} starts: median **{statistics.median(boot):.0f} ms**, "
      f"min {min(boot):.0f} ms, max {max(boot):.0f} ms (target: under 200 ms, "
      f"{'met' if statistics.median(boot) < 200 else 'MISSED'}).")
    p()
    p("### API under wrk")
    p()
    p(f"`wrk -t1 -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s --latency -H 'Authorization: Bearer …' URL` "
      f"after a 2 s warm-up; c=1 is the same for {max(3, WRK_SECONDS // 2)} s with one connection "
      "(the cost of one request with no queueing). faxd CPU is its user+system time over the run "
      "(2.0 = both cores); the load average is sampled at the end of each run. Target: p99 under "
      "10 ms at c=8.")
    p()
    wrk_table(results)
    p()
    p("Floor: the `sqlite3` CLI running the same SELECT (every column, 51 rows, output to "
      "/dev/null), 300 times in one process, against the same file. The CLI formats every row "
      "as text, so this \"floor\" can be slower than faxd's whole request:")
    p()
    for i, ms in floor_ms.items():
        who, path, one, _ = results[i]
        p(f"- {who}, first page: sqlite3 {ms:.3f} ms per query; faxd c=1 p50 {one['p50']:.2f} ms, "
          f"{one['p50'] / ms:.1f}x the CLI.")
    p()
    p("### Web UI inbox")
    p()
    p(f"Headless Chromium (Debian `/usr/bin/chromium`, playwright-core), logged in once; then "
      f"{WEB_RUNS} times: `about:blank`, navigate to `/#/inbox`, stop when the list table has its "
      "rows (a MutationObserver records `performance.now()`, i.e. time since navigation start). "
      "The page asks for 25 rows a page, so 25 rows is the full list.")
    p()
    p("| user | rows | first load | median | p90 | list request sent at (median) | list request took (median) | target |")
    p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for who, w in (("big (company admin)", web_big), ("small (user)", web_small), ("floor: minimal page", web_floor)):
        med = statistics.median(w["times"][1:])
        starts = [v for v in w.get("listStarts", []) if v is not None] or [float("nan")]
        took = [v for v in w.get("listTook", []) if v is not None] or [float("nan")]
        p(f"| {who} | {w['rows']} | {w['times'][0]:.0f} ms | **{med:.0f} ms** | "
          f"{pct(w['times'][1:], 90):.0f} ms | {statistics.median(starts):.0f} ms | "
          f"{statistics.median(took):.1f} ms | {'anchor' if w is web_floor else 'met' if med < 100 else 'MISSED'} |")
    p()
    floor_med = statistics.median(web_floor["times"][1:])
    p()
    p("\"List request sent at\" is when the page asked for `/api/v1/faxes` (together with `/me` "
      "and `/virtual-faxes`, as soon as its cached modules ran). The floor is a page as small as "
      "a page can be, measured the same way in the same run: one cached module that fetches 25 "
      "rows of JSON from a Node server on loopback and puts them in a table (bench/api_web.mjs). "
      f"faxd's inbox takes {statistics.median(web_big['times'][1:]) / floor_med:.1f}x (company admin) and "
      f"{statistics.median(web_small['times'][1:]) / floor_med:.1f}x (user) the floor's {floor_med:.0f} ms.")


if __name__ == "__main__":
    main()
