#!/usr/bin/env bash
# GET /api/v1/calls?format=csv for a month of a big brand: a million call records of one brand
# (plus 200,000 of another, so the scope filter is real) seeded into the store, then the brand
# admin downloads November as CSV with curl, three times. Reports the median time, the rate, the
# size, and faxd's peak resident memory before and after (VmHWM), which shows the body is
# streamed, not built in memory. Usage: calls_csv.bench.sh BUILD_DIR WORK_DIR
# FAXD_CSV_BENCH_CALLS changes the row count.
set -euo pipefail
build="$(cd "${1:?usage: calls_csv.bench.sh BUILD_DIR WORK_DIR}" && pwd)"
work="${2:?usage: calls_csv.bench.sh BUILD_DIR WORK_DIR}"
calls="${FAXD_CSV_BENCH_CALLS:-1000000}"
faxd="$build/faxd"
[ -x "$faxd" ] || { echo "calls_csv.bench.sh: $faxd not built" >&2; exit 1; }
for tool in curl bc; do
  command -v "$tool" >/dev/null || { echo "calls_csv.bench.sh: $tool missing" >&2; exit 1; }
done
mkdir -p "$work"
dir="$(mktemp -d "$work/csv-XXXXXX")"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sip=$(/usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$dir/faxd.toml" <<TOML
[daemon]
data_dir = "$dir/var"
[http]
listen = "127.0.0.1:$port"
[sip]
listen = "127.0.0.1:$sip"
[media]
address = "127.0.0.1"
port_min = 39000
port_max = 39099
[admin]
username = "admin"
password = "bench-admin-pass"
[log]
level = "warn"
TOML
pid=""
start() {
  "$faxd" --config "$dir/faxd.toml" 2>>"$dir/faxd.log" &
  pid=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.05; done
  echo "calls_csv.bench.sh: faxd did not start" >&2; cat "$dir/faxd.log" >&2; exit 1
}
stop() { [ -n "$pid" ] && kill "$pid" && wait "$pid" || true; pid=""; }
trap 'stop; rm -rf "$dir"' EXIT
api() {  # METHOD PATH TOKEN [JSON]
  curl -sf -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
    ${4:+-d "$4"} "http://127.0.0.1:$port/api/v1$2"
}
field() { /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

start
admin=$(curl -sf -H 'Content-Type: application/json' -d '{"username":"admin","password":"bench-admin-pass"}' \
  "http://127.0.0.1:$port/api/v1/login" | field token)
brand=$(api POST /brands "$admin" '{"name":"Big"}' | field id)
other=$(api POST /brands "$admin" '{"name":"Other"}' | field id)
company=$(api POST /companies "$admin" "{\"brand_id\":\"$brand\",\"name\":\"Big Co\"}" | field id)
ocompany=$(api POST /companies "$admin" "{\"brand_id\":\"$other\",\"name\":\"Other Co\"}" | field id)
api POST /users "$admin" "{\"username\":\"big\",\"password\":\"bench-brand-pass\",\"role\":\"brand_admin\",\"brand_id\":\"$brand\"}" >/dev/null
stop

echo "calls_csv.bench: seeding $calls + $((calls / 5)) calls" >&2
seed_t0=$(date +%s.%N)
# Ids made as faxd makes them (48-bit milliseconds, then a counter, Crockford base32), with
# started_at spread over November 2026 in id order.
/usr/bin/python3 - "$dir/var/faxd.db" "$calls" "$brand" "$company" "$other" "$ocompany" <<'PY'
import sqlite3, sys, datetime
db, n, brand, company, other, ocompany = sys.argv[1], int(sys.argv[2]), *sys.argv[3:]
total = n + n // 5
A = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
def b32(v, digits):
    out = []
    for _ in range(digits):
        out.append(A[v & 31]); v >>= 5
    return "".join(reversed(out))
t0 = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc).timestamp() * 1000
span = 30 * 86400 * 1000
def rows():
    for i in range(total):
        ms = int(t0 + i * span / total)
        ts = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
        id_ = b32(ms, 10) + b32(i, 16)
        theirs = i % 6 == 5
        failed = i % 10 == 9
        yield (id_, "F" + id_[1:], "inbound" if i % 3 == 0 else "outbound",
               other if theirs else brand, ocompany if theirs else company,
               f"+3491{i % 9999999:07d}", f"+3493{(i * 7) % 9999999:07d}", ts, ts, ts,
               40 + i % 30, 38 + i % 30, 1 + i % 4, "failed" if failed else "delivered",
               "busy" if failed else None, ts, ts)
c = sqlite3.connect(db)
c.executemany(
    "INSERT INTO calls (id, fax_id, direction, brand_id, company_id, from_number, to_number, "
    "started_at, answered_at, ended_at, duration_s, billable_s, pages, result, failure_code, "
    "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows())
c.commit()
PY
seed_s=$(echo "$(date +%s.%N) - $seed_t0" | bc)
start
hwm() { awk '/VmHWM/ {print $2}' "/proc/$pid/status"; }
rss0=$(hwm)
token=$(curl -sf -H 'Content-Type: application/json' -d '{"username":"big","password":"bench-brand-pass"}' \
  "http://127.0.0.1:$port/api/v1/login" | field token)
url="http://127.0.0.1:$port/api/v1/calls?format=csv&since=2026-11-01T00:00:00Z&until=2026-12-01T00:00:00Z"
times=()
for run in 1 2 3; do
  out=$(curl -sf -o "$dir/calls.csv" -w '%{time_total} %{size_download}' -H "Authorization: Bearer $token" "$url")
  times+=("${out% *}")
  size="${out#* }"
  echo "calls_csv.bench: run $run ${out% *} s" >&2
done
rss1=$(hwm)
rows=$(($(wc -l <"$dir/calls.csv") - 1))
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
stop
cat <<MD
## Call CSV export: a month of a big brand

\`GET /api/v1/calls?format=csv&since=2026-11-01T00:00:00Z&until=2026-12-01T00:00:00Z\` as the
brand admin, with curl, over a store of $((calls + calls / 5)) call records ($rows of them the
brand's in November, the rest another brand's); seeded in ${seed_s%.*} s.

| figure | value |
| --- | --- |
| rows in the CSV | $rows |
| CSV size | $((size / 1024 / 1024)) MiB |
| time, median of 3 | ${median} s (runs: ${times[*]}) |
| rows per second | $(echo "$rows / $median" | bc) |
| faxd peak RSS before / after the downloads | $((rss0 / 1024)) MiB / $((rss1 / 1024)) MiB |

The body is streamed in chunks of 2000 rows read page by page (keyset on the brand's
\`(brand_id, id)\` index), the producer waiting while over 1 MiB is unsent: the peak memory does
not grow with the size of the export.
MD
