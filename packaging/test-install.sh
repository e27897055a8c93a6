#!/usr/bin/env bash
# Installs a faxd .deb into a clean Debian 12 (bookworm) root and checks that it starts.
#
#   sudo packaging/test-install.sh build/faxd_0.1.0_amd64.deb [ROOT]
#
# Bootstraps a minbase bookworm into ROOT (default: a new directory under /tmp; an existing
# bootstrapped ROOT is reused) with debootstrap, installs the package with
# `apt-get install ./faxd.deb` (its Depends come from the mirror), then starts /usr/bin/faxd
# inside the chroot as the `faxd` user the postinst created, with the packaged config plus an
# admin password and free loopback ports, and checks GET /healthz and an admin login from the
# host. systemd does not run in the chroot (the unit is checked by tests/integration/test_ops.py).
# Needs root, debootstrap, curl and the network (MIRROR, default deb.debian.org). Not part of
# `make test`: it takes minutes. Exit 0 when everything worked.
set -euo pipefail

deb=${1:?usage: $0 FAXD.deb [ROOT]}
root=${2:-}
mirror=${MIRROR:-http://deb.debian.org/debian}
http_port=${HTTP_PORT:-18981}
sip_port=${SIP_PORT:-18982}
password=install-test-$$

[ "$(id -u)" -eq 0 ] || { echo "run as root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "debootstrap missing: apt-get install debootstrap" >&2; exit 2; }
[ -f "$deb" ] || { echo "$deb: no such file" >&2; exit 2; }
[ -n "$root" ] || root=$(mktemp -d /tmp/faxd-install-XXXXXX)

step() { printf '[%4ds] %s\n' "$SECONDS" "$*"; }
faxd_pid=""
cleanup() {
  [ -n "$faxd_pid" ] && kill "$faxd_pid" 2>/dev/null && wait "$faxd_pid" 2>/dev/null || true
  mountpoint -q "$root/proc" && umount "$root/proc" || true
}
trap cleanup EXIT

if [ ! -x "$root/usr/bin/apt-get" ]; then
  step "debootstrap --variant=minbase bookworm $root $mirror"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
    { tail -20 "$root.debootstrap.log"; exit 1; }
fi
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf"

step "apt-get install ./$(basename "$deb")"
cp "$deb" "$root/tmp/faxd.deb"
export DEBIAN_FRONTEND=noninteractive
chroot "$root" apt-get update -qq
chroot "$root" apt-get install -y -q --no-install-recommends /tmp/faxd.deb | tail -3

step "checks of the installed package"
chroot "$root" dpkg -s faxd | grep -E '^(Status|Version):'
chroot "$root" getent passwd faxd
chroot "$root" stat -c '%U:%G %a %n' /etc/faxd/faxd.toml /var/lib/faxd
chroot "$root" /usr/bin/faxd --version
chroot "$root" /usr/bin/faxd --check-config --config /etc/faxd/faxd.toml

step "start faxd as user faxd (http 127.0.0.1:$http_port, sip 127.0.0.1:$sip_port)"
conf=/etc/faxd/faxd.toml
sed -i -e "s|^listen = \"127.0.0.1:8080\"|listen = \"127.0.0.1:$http_port\"|" \
       -e "s|^listen = \"127.0.0.1:5060\"|listen = \"127.0.0.1:$sip_port\"|" \
       -e "s|^port_min = 20000|port_min = 38400|" -e "s|^port_max = 29999|port_max = 38599|" "$root$conf"
awk -v pw="$password" '/^\[/ { section = $0 }
  section == "[admin]" && /^password = / { print "password = \"" pw "\""; next } { print }' \
  "$root$conf" >"$root$conf.new" && cat "$root$conf.new" >"$root$conf" && rm "$root$conf.new"
grep -q "^password = \"$password\"" "$root$conf" || { echo "could not set the admin password" >&2; exit 1; }
uid=$(chroot "$root" id -u faxd)
gid=$(chroot "$root" id -g faxd)
chroot --userspec="$uid:$gid" "$root" /usr/bin/faxd --config "$conf" >"$root.faxd.log" 2>&1 &
faxd_pid=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null 2>&1 && break
  kill -0 "$faxd_pid" 2>/dev/null || { cat "$root.faxd.log"; echo "faxd exited" >&2; exit 1; }
  sleep 0.1
done
step "GET /healthz: $(curl -sf "http://127.0.0.1:$http_port/healthz")"
curl -sf -X POST "http://127.0.0.1:$http_port/api/v1/login" -H 'Content-Type: application/json' \
     -d "{\"username\":\"admin\",\"password\":\"$password\"}" | grep -q '"role":"platform_admin"'
step "admin login: ok"
chroot "$root" ls -l /var/lib/faxd
kill "$faxd_pid"
wait "$faxd_pid" && rc=0 || rc=$?
faxd_pid=""
step "faxd stopped with exit code $rc; log: $root.faxd.log"
cat "$root.faxd.log"
[ "$rc" -eq 0 ]
step "PASS: installed into $root ($(du -shx "$root" 2>/dev/null | cut -f1))"
