#!/usr/bin/env bash
# API and web UI with a million faxes: start-up, GET /api/v1/faxes (first page, filters, second
# page) and GET /api/v1/faxes/{id} under wrk as a company admin and as a user scoped to one small
# virtual fax, the sqlite3 CLI floor, and the inbox page in headless Chromium.
# Usage: api.bench.sh BUILD_DIR WORK_DIR
# The seeded store (about a minute to make) is cached under $FAXD_API_BENCH_CACHE (default
# WORK_DIR/api-cache), keyed by the seeding tool, the migrations and the row count, so a
# second run with the same cache starts at once. FAXD_API_BENCH_FAXES changes the row count.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
build="$(cd "${1:?usage: api.bench.sh BUILD_DIR WORK_DIR}" && pwd)"
work="${2:?usage: api.bench.sh BUILD_DIR WORK_DIR}"
faxes="${FAXD_API_BENCH_FAXES:-1000000}"
faxd="$build/faxd"
seed="$build/bench/faxd-api-seed"
for b in "$faxd" "$seed"; do
  [ -x "$b" ] || { echo "api.bench.sh: $b not built (cmake --build $build --target faxd faxd-api-seed)" >&2; exit 1; }
done
for tool in wrk sqlite3 node python3; do
  command -v "$tool" >/dev/null || { echo "api.bench.sh: $tool missing (scripts/deps.sh bench)" >&2; exit 1; }
done

mkdir -p "$work"
work="$(cd "$work" && pwd)"
cache="${FAXD_API_BENCH_CACHE:-$work/api-cache}"
key="$(cat "$here/api_seed.cpp" "$root"/src/store/migrations/*.sql | sha256sum | cut -c1-16)-$faxes"
store="$cache/$key"
if [ ! -f "$store/faxd.db" ]; then
  echo "api.bench: seeding $faxes faxes into $store" >&2
  rm -rf "$store.tmp"
  mkdir -p "$store.tmp"
  seed_start=$(date +%s.%N)
  "$seed" --db "$store.tmp/faxd.db" --faxes "$faxes" --env "$store.tmp/env"
  seed_end=$(date +%s.%N)
  awk -v a="$seed_start" -v b="$seed_end" 'BEGIN { printf "SEED_SECONDS=%.0f\n", b - a }' >>"$store.tmp/env"
  rm -rf "$store"
  mv "$store.tmp" "$store"
fi

run="$(mktemp -d "$work/api-run-XXXXXX")"
trap 'rm -rf "$run"' EXIT

echo "## API and web UI with a million faxes"
echo
echo "Load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; wrk,"
echo "faxd and Chromium share them. Seeding the store took $(grep SEED_SECONDS "$store/env" | cut -d= -f2 | cut -d. -f1) s"
echo "(\`faxd-api-seed --faxes $faxes\`, once per cache)."
echo
python3 "$here/api_bench.py" "$faxd" "$store/faxd.db" "$store/env" "$run"
echo
echo "Load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)."
