#!/usr/bin/env bash
# Impairments: success rates of one-page faxes through loss, jitter and reordering
# (bench/impairment.py does the work). Usage: impairment.bench.sh BUILD_DIR WORK_DIR
# Environment: IMPAIRMENT_N (faxes per row, default 3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "$1" && pwd)"
[ -x "$build/faxd" ] || { echo "impairment.bench.sh: $build/faxd not built" >&2; exit 1; }
exec /usr/bin/python3 "$here/impairment.py" --build "$build" --work "$2/impairment" \
  --n "${IMPAIRMENT_N:-3}"
