#!/usr/bin/env bash
# Fax engine cost: CPU and memory per fax session on simulated time (bench/fax_session_bench.cpp).
# Usage: fax.bench.sh BUILD_DIR WORK_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$1"
bin="$build/bench/fax_session_bench"
tiff="${FAXD_SHARED:-$(dirname "$here")/../shared}/corpus/tiff/one-page-g4-204x196.tiff"
[ -x "$bin" ] || { echo "fax.bench.sh: $bin not built (cmake --build $build --target fax_session_bench)" >&2; exit 1; }

echo "## Fax sessions: CPU and memory per call"
echo
echo "Two spandsp 0.0.6 sessions back to back on simulated time (no sockets, no sleeping): T.38"
echo "terminals over our UDPTL codec (paced as on a real line, redundancy 3) and audio modems over"
echo "G.711. A generated 3-page text-like document (1728x2200, 204x196) and the corpus G4 page."
echo "\"CPU per session\" is user + system time for the whole fax divided by the two sessions; the"
echo "share of a core is that CPU over the fax's line time, which is what bounds concurrent calls."
echo "Socket send/receive costs (about 33 datagrams a second each way on T.38, 50 RTP packets on"
echo "audio) come on top. RSS is the resident memory of 200 live sessions divided by 200."
echo
echo '```'
"$bin" 3 "$tiff"
echo '```'
echo

loss_bin="$build/bench/g711_loss_bench"
if [ -x "$loss_bin" ]; then
  echo "### G.711 through 1 % RTP loss and 0-60 ms jitter, on simulated time"
  echo
  echo "bench/g711_loss_bench.cpp: two sessions back to back through their jitter buffers (80 ms),"
  echo "one dense page per seed, 50 seeds; without and with RFC 2198 redundancy (2 earlier packets"
  echo "in each, \`[media] rtp_redundancy = 2\`). Why plain G.711 fails: docs/reliability.md."
  echo
  echo '```'
  "$loss_bin" 50 0.01 3 1 0 | grep -v '^ '
  "$loss_bin" 50 0.01 3 1 2 | grep -v '^ '
  echo '```'
  echo
fi
