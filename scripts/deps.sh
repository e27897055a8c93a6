#!/usr/bin/env bash
# Installs the Debian packages faxd needs to build, run or test, and only those that are
# missing. Usage: scripts/deps.sh build|test|bench|package|fuzz. Root runs apt-get; others use sudo.
set -euo pipefail
build_pkgs=(
  g++ cmake make pkg-config
  libboost1.81-dev libspandsp-dev libsofia-sip-ua-dev libpoppler-cpp-dev libtiff-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev libsqlite3-dev libsodium-dev
  libcurl4-openssl-dev libssl-dev libtomlplusplus-dev libpng-dev libgtest-dev libgmock-dev
  libpoppler-private-dev
  libhowardhinnant-date-dev
)
test_pkgs=(sip-tester tshark python3 python3-aiosmtpd ghostscript chromium nodejs npm qpdf prometheus)
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
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
