#!/usr/bin/env bash
# Concurrency: N simultaneous 1-page faxes between two faxd processes on loopback, T.38 then
# G.711 (bench/concurrency.py does the work: provisioning through the REST API, submission,
# sampling /metrics and /proc, the Markdown figures).
# Usage: concurrency.bench.sh BUILD_DIR WORK_DIR
# Environment: CONCURRENCY_T38_N (default 1000), CONCURRENCY_G711_N (default 300),
# CONCURRENCY_SMOKE=1 (20 of each, for a quick check).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "$1" && pwd)"
work="$2/concurrency"
[ -x "$build/faxd" ] || { echo "concurrency.bench.sh: $build/faxd not built" >&2; exit 1; }
t38_n="${CONCURRENCY_T38_N:-1000}"
g711_n="${CONCURRENCY_G711_N:-300}"
if [ "${CONCURRENCY_SMOKE:-0}" = 1 ]; then t38_n=20; g711_n=20; fi
# Two sockets per call and side, plus SQLite, SIP and HTTP: raise the limit the daemons inherit.
ulimit -n "$(ulimit -Hn)"
mkdir -p "$work"

echo "## Concurrency: simultaneous faxes between two faxd processes"
echo
echo "A sender and a receiver faxd on loopback (one machine, both daemons and the load generator"
echo "sharing its cores). The sender gets N faxes of one page (a small text PDF, standard"
echo "resolution) through \`POST /api/v1/faxes\` from parallel API clients and dials them all at once"
echo "(no carrier call limit); every fax runs full T.30 with paced T.38 (or G.711 audio modems when"
echo "the sending carrier is marked without T.38, as in the integration tests). CPU is user+system"
echo "time of each daemon from \`/proc/PID/stat\` over the run; tick jitter is the lateness of the"
echo "media thread's shared 20 ms tick (p50/p99 from \`/metrics\`, over the daemon's life); RSS per"
echo "session is (peak RSS - RSS before the run) / peak sessions."
echo
/usr/bin/python3 "$here/concurrency.py" --build "$build" --work "$work/t38" --mode t38 --n "$t38_n"
echo
/usr/bin/python3 "$here/concurrency.py" --build "$build" --work "$work/g711" --mode g711 --n "$g711_n"
echo
if [ -f "$here/concurrency-history.md" ]; then cat "$here/concurrency-history.md"; fi
