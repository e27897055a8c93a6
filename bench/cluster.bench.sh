#!/usr/bin/env bash
# A cluster's figures beside the single node's: N simultaneous faxes sent by two faxd nodes
# sharing a throwaway PostgreSQL (bench/concurrency.py --cluster), and the API list with a million
# faxes stored in PostgreSQL (bench/api_bench.py --postgresql, on the store api.bench.sh seeds).
# Usage: cluster.bench.sh BUILD_DIR WORK_DIR
# Environment: CLUSTER_T38_N (default 1000); CLUSTER_SMOKE=1 (20 faxes, 20,000 stored).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
build="$(cd "$1" && pwd)"
work="$2/cluster"
n="${CLUSTER_T38_N:-1000}"
faxes="${FAXD_API_BENCH_FAXES:-1000000}"
if [ "${CLUSTER_SMOKE:-0}" = 1 ]; then n=20; faxes=20000; fi
[ -x /usr/lib/postgresql/15/bin/postgres ] || { echo "cluster.bench.sh: postgresql-15 missing (scripts/deps.sh test)" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)"
mkdir -p "$work"

echo "## Cluster: two nodes on PostgreSQL"
echo
echo "Two faxd nodes share one PostgreSQL 15 (a throwaway server on loopback started by the"
echo "benchmark: \`tests/integration/pg.py\`, fsync off), as in docs/cluster.md; each node gets half of"
echo "the faxes through its own API, and both claim from the one queue (\`FOR UPDATE SKIP LOCKED\`)."
echo "The receiver is one faxd on SQLite. Everything shares the machine's two cores. Compare with"
echo "the single sender on SQLite in the concurrency section."
echo
echo "The anchor runs first in the same session: the same $n faxes from one sender faxd on SQLite."
echo
echo "#### Anchor: one sender on SQLite"
echo
/usr/bin/python3 "$here/concurrency.py" --build "$build" --work "$work/t38-single" --mode t38 --n "$n" \
  | sed 's/^### /##### /'
echo
echo "#### Two sender nodes on PostgreSQL"
echo
/usr/bin/python3 "$here/concurrency.py" --build "$build" --work "$work/t38" --mode t38 --n "$n" --cluster \
  | sed 's/^### /##### /'
echo
# The API list on PostgreSQL: the same seeded store as api.bench.sh (its cache), copied in.
seed="$build/bench/faxd-api-seed"
cache="${FAXD_API_BENCH_CACHE:-$2/api-cache}"
key="$(cat "$here/api_seed.cpp" "$root"/src/store/migrations/*.sql | sha256sum | cut -c1-16)-$faxes"
store="$cache/$key"
if [ ! -f "$store/faxd.db" ]; then
  echo "cluster.bench: seeding $faxes faxes into $store" >&2
  rm -rf "$store.tmp" && mkdir -p "$store.tmp"
  "$seed" --db "$store.tmp/faxd.db" --faxes "$faxes" --env "$store.tmp/env"
  echo "SEED_SECONDS=0" >>"$store.tmp/env"
  rm -rf "$store" && mv "$store.tmp" "$store"
fi
run="$(mktemp -d "$work/api-run-XXXXXX")"
trap 'rm -rf "$run"' EXIT
echo "Load average before the API run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores."
echo
python3 "$here/api_bench.py" "$build/faxd" "$store/faxd.db" "$store/env" "$run" --postgresql
echo
echo "Load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)."
