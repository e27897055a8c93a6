#!/usr/bin/env bash
# Installs the Debian packages faxd needs to build, run or test, and only those that are
# missing. Usage: scripts/deps.sh build|test|bench|package|fuzz. Root runs apt-get; others use sudo.
set -euo pipefail
build_pkgs=(
  g++ cmake make pkg-config
  libboost-dev libspandsp-dev libsofia-sip-ua-dev libpoppler-cpp-dev libtiff-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev libsqlite3-dev libsodium-dev
  libcurl4-openssl-dev libssl-dev libtomlplusplus-dev libpng-dev libgtest-dev libgmock-dev
  libpoppler-private-dev
  libhowardhinnant-date-dev
  libcairo2-dev libpango1.0-dev libfontconfig-dev fonts-dejavu-core
  libpq-dev
  libgmime-3.0-dev
  libphonenumber-dev  # numbers: parsing, validation and formats (src/numbers)
  libcrack2-dev cracklib-runtime
)
# kamailio, rtpengine-daemon: the provider's edge in tests/integration/edge.py (run in the
# foreground by the tests; their packaged services are never started, see below).
# postgresql-15: the throwaway server of the store and cluster tests (tests/integration/pg.py).
test_pkgs=(sip-tester tshark python3 python3-aiosmtpd ghostscript chromium nodejs npm qpdf prometheus
  kamailio rtpengine-daemon postgresql-15
  tesseract-ocr tesseract-ocr-spa tesseract-ocr-eng)  # tesseract: reads drawn pages back in tests
bench_pkgs=(ghostscript wrk hyperfine sqlite3)  # sqlite3: the CLI floor in bench/api.bench.sh
package_pkgs=(dpkg-dev fakeroot)
fuzz_pkgs=(clang-16 libclang-rt-16-dev)  # libFuzzer targets in tests/fuzz (FAXD_FUZZ=ON)
want=("${build_pkgs[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  package) want+=("${package_pkgs[@]}") ;;
  fuzz) want+=("${fuzz_pkgs[@]}") ;;
  *) echo "usage: $0 build|test|bench|package|fuzz" >&2; exit 2 ;;
esac
missing=()
for p in "${want[@]}"; do
  # nodejs may come from another repository that bundles npm: accept any installed npm binary.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -Eq '(install|hold) ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# The postinst scripts of kamailio and rtpengine-daemon start their services (all addresses on
# 5060, rtpengine on 2223 and 30000-40000), which would hold the ports the tests use, and a
# failed start fails the install. Where no policy-rc.d says otherwise, forbid service starts
# for the length of this install (exit 101: "action forbidden by policy").
policy=/usr/sbin/policy-rc.d
own_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  own_policy=1
fi
status=0
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
[ -z "$own_policy" ] || $sudo rm -f "$policy"
# The tests start their own PostgreSQL in a temporary directory; the cluster the package creates
# on install is not used: drop it, so that nothing of ours holds port 5432 on this machine.
if [[ " ${missing[*]} " == *" postgresql-15 "* ]] && command -v pg_lsclusters >/dev/null &&
   pg_lsclusters -h 2>/dev/null | grep -q '^15 main '; then
  $sudo pg_dropcluster --stop 15 main || true
fi
exit $status
