#!/usr/bin/env bash
# Runs every libFuzzer target of a FAXD_FUZZ=ON build for SECONDS each, starting from its seed
# corpus (copied: new inputs stay out of the tree). A crash leaves crash-* files in WORK and
# fails the run. Usage: tests/fuzz/run.sh BUILD_DIR [SECONDS=60]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:?usage: tests/fuzz/run.sh BUILD_DIR [SECONDS]}" && pwd)"
seconds="${2:-60}"
work="$(mktemp -d /tmp/faxd-fuzz-XXXXXX)"
status=0
for target in udptl_decoder rtp_packet; do
  bin="$build/tests/fuzz/fuzz_$target"
  [ -x "$bin" ] || { echo "fuzz: $bin not built (make fuzz)" >&2; exit 1; }
  mkdir -p "$work/$target"
  cp "$here/corpus/$target"/* "$work/$target/"
  echo "fuzz: $target for ${seconds}s" >&2
  if ! (cd "$work" && "$bin" "$work/$target" -max_total_time="$seconds" -print_final_stats=1); then
    echo "fuzz: $target FAILED; reproducer in $work" >&2
    status=1
  fi
done
[ $status -eq 0 ] && rm -rf "$work"
exit $status
