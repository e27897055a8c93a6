#!/usr/bin/env bash
# Runs libFuzzer targets of a FAXD_FUZZ=ON build for SECONDS each, starting from their seed
# corpora (copied: new inputs stay out of the tree). A crash, leak, timeout or out-of-memory
# leaves its reproducer (crash-*, leak-*, timeout-*, oom-*) in WORK and fails the run; the final
# stats (execs/s, coverage) of every target end up in WORK/*.log.
# Usage: tests/fuzz/run.sh BUILD_DIR [SECONDS=60] [TARGET...]   (default: every target)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:?usage: tests/fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]}" && pwd)"
seconds="${2:-60}"
shift $(($# > 2 ? 2 : $#))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(udptl_decoder rtp_packet sdp multipart config json_body
  document_pdf document_tiff)
# Leaks inside third-party libraries only (fontconfig's process-wide cache): see the file.
export LSAN_OPTIONS="suppressions=$here/../sanitizers/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
work="$(mktemp -d /tmp/faxd-fuzz-XXXXXX)"
status=0
for target in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz_$target"
  [ -x "$bin" ] || { echo "fuzz: $bin not built (make fuzz)" >&2; exit 1; }
  mkdir -p "$work/$target"
  cp "$here/corpus/$target"/* "$work/$target/"
  # Every target gets a time limit per input and a memory bound. The document targets parse
  # hostile PDFs/TIFFs in-process (production does it in a forked child limited to 2 GiB of
  # address space and 120 s): ASan's shadow memory needs headroom above that, and one input may
  # render a few pages, so they get more of both.
  limits=(-timeout=10 -rss_limit_mb=1024 -max_len=65536)
  case "$target" in
    document_*) limits=(-timeout=60 -rss_limit_mb=3072 -max_len=262144) ;;
  esac
  echo "fuzz: $target for ${seconds}s" >&2
  if (cd "$work" && "$bin" "$work/$target" "${limits[@]}" -max_total_time="$seconds" \
    -print_final_stats=1 >"$work/$target.log" 2>&1); then
    grep -E '^(#[0-9]+ +DONE|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb))' \
      "$work/$target.log" >&2 || true
  else
    grep -E '^(==[0-9]+==|SUMMARY|artifact_prefix)' "$work/$target.log" >&2 || true
    echo "fuzz: $target FAILED; reproducer and log in $work" >&2
    status=1
  fi
done
[ $status -eq 0 ] && rm -rf "$work"
exit $status
