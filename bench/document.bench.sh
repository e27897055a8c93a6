#!/usr/bin/env bash
# Document conversion against Ghostscript (HylaFAX's converter), in the same run on the same
# machine: wall time of the whole command (median of hyperfine runs, process start included) and
# coded size, for each corpus PDF. Usage: document.bench.sh BUILD_DIR WORK_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$1"
work="$2"
faxd="${FAXD_BIN:-$build/faxd}"
[ -x "$faxd" ] || faxd="$build/bench/faxd-convert"  # the convert command alone (convert_main.cpp)
corpus="${FAXD_SHARED:-$(dirname "$here")/../shared}/corpus/pdf"
runs="${BENCH_RUNS:-15}"
py=/usr/bin/python3
for tool in hyperfine gs; do
  command -v "$tool" >/dev/null || { echo "document.bench.sh: $tool is missing (scripts/deps.sh bench)" >&2; exit 1; }
done

gs_cmd() { echo "gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=tiffg4 -r204x196 -sOutputFile=$2 $1"; }
faxd_cmd() { echo "$faxd convert $1 $2"; }

echo "## Document conversion: faxd vs Ghostscript"
echo
echo "Each PDF of the shared corpus converted to a fine-resolution (204x196) G4 TIFF by both tools,"
echo "$runs timed runs each after 2 warm-ups (\`hyperfine -N\`), alternating on the same machine:"
echo
echo '```'
faxd_cmd IN.pdf OUT.tiff
gs_cmd IN.pdf OUT.tiff
echo '```'
echo
echo "Wall time is the median of the runs, start-up included; CPU is user + system, mean. Coded size"
echo "is the pages' coded data (TIFF strips, no headers); line time is those bits at 14400 bit/s,"
echo "the time a V.17 fax spends sending them. faxd pages are 1728 px wide (the fax line), Ghostscript's"
echo "are the A4 width at 204 dpi (1686 px)."
echo
echo "| PDF | pages | faxd wall s | gs wall s | gs / faxd | faxd CPU s | gs CPU s | faxd KB/page | gs KB/page | faxd line s/page | gs line s/page |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
verdicts=()
for name in letter10 mixed10 scan10; do
  pdf="$corpus/$name.pdf"
  [ -f "$pdf" ] || { echo "document.bench.sh: $pdf not found" >&2; exit 1; }
  echo "bench: $name" >&2
  hyperfine -N --style none --warmup 2 --runs "$runs" --export-json "$work/$name.json" \
    "$(faxd_cmd "$pdf" "$work/faxd-$name.tiff")" "$(gs_cmd "$pdf" "$work/gs-$name.tiff")" >/dev/null
  read -r f_med f_cpu < <($py "$here/hyperfine_stats.py" "$work/$name.json" | sed -n 1p)
  read -r g_med g_cpu < <($py "$here/hyperfine_stats.py" "$work/$name.json" | sed -n 2p)
  read -r f_pages f_bytes < <($py "$here/tiff_stats.py" "$work/faxd-$name.tiff")
  read -r g_pages g_bytes < <($py "$here/tiff_stats.py" "$work/gs-$name.tiff")
  row=$($py - "$name" "$f_pages" "$f_med" "$g_med" "$f_cpu" "$g_cpu" "$f_bytes" "$g_bytes" "$g_pages" <<'PY'
import sys
name, pages, fm, gm, fc, gc, fb, gb, gp = sys.argv[1:]
pages, gp = int(pages), int(gp)
fm, gm, fc, gc, fb, gb = map(float, (fm, gm, fc, gc, fb, gb))
kb = lambda b, p: b / 1024 / p
line = lambda b, p: b * 8 / 14400 / p
print(f"| {name}.pdf | {pages} | {fm:.3f} | {gm:.3f} | {gm / fm:.2f}x | {fc:.3f} | {gc:.3f} | "
      f"{kb(fb, pages):.1f} | {kb(gb, gp):.1f} | {line(fb, pages):.1f} | {line(gb, gp):.1f} |")
print(f"{gm / fm:.2f} {kb(fb, pages):.1f} {kb(gb, gp):.1f}")
PY
)
  echo "$row" | sed -n 1p
  read -r ratio f_kb g_kb < <(echo "$row" | sed -n 2p)
  met=$($py -c "print('met' if $ratio > 1 else 'MISSED')")
  verdicts+=("- Speed, $name.pdf: faxd converts at ${ratio}x Ghostscript's pages per second (target: faster): **$met**.")
  met=$($py -c "print('met' if $f_kb <= $g_kb else 'MISSED')")
  verdicts+=("- Coded size, $name.pdf: $f_kb KB/page vs Ghostscript's $g_kb KB/page (target: no larger): **$met**.")
done
echo
echo "Targets:"
echo
printf '%s\n' "${verdicts[@]}"
if [ -f "$here/document-notes.md" ]; then
  echo
  cat "$here/document-notes.md"
fi
