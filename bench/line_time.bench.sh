#!/usr/bin/env bash
# Line time per page of each corpus PDF, ours against Ghostscript's tiffg4, both sent whole over
# T.38 (paced, ECM, 14400 bit/s) between two spandsp sessions on simulated time.
# Usage: line_time.bench.sh BUILD_DIR WORK_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$1"
work="$2"
corpus="${FAXD_SHARED:-$(dirname "$here")/../shared}/corpus/pdf"
bench="$build/bench/fax_session_bench"
faxd="$build/faxd"
[ -x "$faxd" ] || faxd="$build/bench/faxd-convert"
[ -x "$bench" ] || { echo "line_time.bench.sh: $bench not built" >&2; exit 1; }
args=()
for pdf in letter10 mixed10 scan10; do
  "$faxd" convert "$corpus/$pdf.pdf" "$work/$pdf-faxd.tiff" --quality fine >/dev/null
  gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=tiffg4 -r204x196 -sOutputFile="$work/$pdf-gs.tiff" "$corpus/$pdf.pdf"
  # Ghostscript keeps the page's own width: spandsp 0.0.6 sends only 1728-pixel pages, so its
  # pages are padded or cut to 1728 the way a fax server would (faxd convert does this for TIFF input).
  "$faxd" convert "$work/$pdf-gs.tiff" "$work/$pdf-gs-1728.tiff" --quality fine >/dev/null
  args+=("$pdf (faxd)" "$work/$pdf-faxd.tiff" 10 "$pdf (Ghostscript)" "$work/$pdf-gs-1728.tiff" 10)
done
echo "## Line time per page (simulated T.38, ECM, 14400 bit/s)"
echo
echo "Each corpus PDF converted at fine resolution (204x196) by faxd and by"
echo "\`gs -sDEVICE=tiffg4 -r204x196\`, then sent whole between two spandsp sessions on simulated"
echo "time, paced as on a real line. Seconds per page is what a user waits."
echo
echo '```'
"$bench" --line-time "${args[@]}"
echo '```'
echo
