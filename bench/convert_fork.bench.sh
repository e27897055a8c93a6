#!/usr/bin/env bash
# Isolated conversions from a busy multithreaded process (bench/convert_fork_repro.cpp): four
# threads convert a one-page text PDF (Helvetica, not embedded: poppler looks it up with
# fontconfig) while eight threads look fonts up with fontconfig as pango does for page headers and
# cover pages. A converter that is a forked copy of the process (no exec) inherits fontconfig's
# mutex locked and hangs until the page budget (20 s) refuses the upload with 422.
# Usage: convert_fork.bench.sh BUILD_DIR WORK_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$1"
work="$2/convert_fork"
mkdir -p "$work"
repro="$build/bench/convert_fork_repro"
[ -x "$repro" ] || { echo "convert_fork.bench.sh: $repro is missing (build the bench targets)" >&2; exit 1; }
iterations="${BENCH_ITERATIONS:-25}"
pdf="$work/one.pdf"
/usr/bin/python3 - "$pdf" <<PY
import sys
sys.path.insert(0, "$(dirname "$here")/tests/integration")
from pdfgen import text_pdf
text_pdf(sys.argv[1], pages=1, lines=["faxd concurrency benchmark", "one page"])
PY
echo "bench: convert_fork" >&2
set +e
out=$("$repro" --converters 4 --noise 0 --fontconfig 8 --iterations "$iterations" --stuck-s 5 \
  "$work" "$pdf" 2>"$work/stderr.txt")
rc=$?
set -e
summary=$(echo "$out" | sed -n 1p)
echo "## Isolated conversions beside fontconfig threads"
echo
echo "4 threads x $iterations conversions of a one-page text PDF (\`ConvertOptions\` defaults, so a"
echo "20 s page budget) while 8 threads call FcFontSort in a loop, in one process:"
echo
echo '```'
echo "convert_fork_repro --converters 4 --noise 0 --fontconfig 8 --iterations $iterations OUT one.pdf"
echo "$summary"
echo '```'
echo
echo "A child that is alive 5 s after it started is inspected with gdb (\`thread apply all bt\`)."
met=$([ "$rc" -eq 0 ] && echo met || echo MISSED)
echo "Target: every conversion succeeds (none waits on a lock of the daemon's threads): **$met**."
