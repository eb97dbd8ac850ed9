#!/usr/bin/env bash
# Backup of a serving collector at scale: `triage-collector backup` time and archive size for a
# database of AGENTS devices and REPORTS reports, and the ingest rate while the backup runs next
# to the rate before and after it, in the same run of the load generator.
#
# The data set: triage-loadgen enrolls AGENTS simulated devices through the real API and sends
# each a full snapshot of this machine (~55 KB) and real deltas (~2.2 KB) for FILL_S seconds;
# the collector is stopped and those deltas are copied in SQL (same device, same bytes, seqs
# above every device's own) until the database holds REPORTS reports. Then the collector
# serves it again, the same AGENTS agents reconnect (a new full snapshot each) and send deltas
# at DELTA_RATE for DURATION_S seconds, and at BACKUP_AT_S seconds into the deltas the backup
# starts. Each 10-second window of acknowledged reports is classified by whether it overlaps
# the backup.
#
# Usage: bench/backup/run_bench.sh [BUILD_DIR] [AGENTS] [REPORTS] [DELTA_RATE] [DURATION_S]
#   env: BENCH_DIR (default /tmp/triage-backup-bench, deleted at the end unless KEEP=1),
#        FILL_S (20), BACKUP_AT_S (60)
set -euo pipefail
build=${1:-build}; agents=${2:-10000}; reports=${3:-1000000}; rate=${4:-5000}; duration=${5:-300}
fill_s=${FILL_S:-20}; backup_at=${BACKUP_AT_S:-60}
bin="$(cd "$build/bin" && pwd)"
work=${BENCH_DIR:-/tmp/triage-backup-bench}
rm -rf "$work"
mkdir -p "$work"
data="$work/collector"
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" != 1 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), $(date -u +%FT%TZ)"
"$bin/triage-collector" init --data "$data" > /dev/null
# Every simulated agent comes from 127.0.0.1: no per-address cap (see bench/loadgen).
printf '[log]\nlevel = "warn"\n[limits]\nmax_unauthenticated_per_address = 0\n' > "$work/collector.toml"

start_collector() {
  "$bin/triage-collector" serve --data "$data" --listen 127.0.0.1:0 --config "$work/collector.toml" \
    > "$work/collector.out" 2>> "$work/collector.log" &
  pid=$!
  for _ in $(seq 1 600); do grep -q listening "$work/collector.out" && break; sleep 0.1; done
  port=$(grep -o '[0-9]*$' "$work/collector.out")
}
stop_collector() {
  kill -TERM "$pid"
  wait "$pid" || true
  pid=
}
loadgen() {  # DELTA_RATE DURATION_S
  "$bin/triage-loadgen" --server "wss://127.0.0.1:$port" --ca "$data/pki/ca.pem" \
    --token "$token" --identities "$work/identities" --agents "$agents" --threads 2 \
    --delta-rate "$1" --duration "$2" --connect-rate 2000 --collector-pid "$pid"
}
count_reports() { sqlite3 "$data/collector.db" "SELECT count(*) FROM reports"; }
calc() { awk "BEGIN { printf \"%.1f\", $1 }"; }

# 1. Real snapshots and deltas from AGENTS enrolled devices.
start_collector
token=$("$bin/triage-collector" token create --data "$data" --uses "$agents" --ttl 2h 2>/dev/null)
echo "== fill: $agents agents, deltas at $rate/s for $fill_s s"
loadgen "$rate" "$fill_s" > "$work/fill.out"
grep -E "^(connected|reports:)" "$work/fill.out"
stop_collector

# 2. Copies of those deltas up to REPORTS reports. Each round adds every original delta again
#    with its seq raised above every seq stored so far, so each device's seqs stay unique and
#    the reconnecting agents continue above them.
have=$(count_reports)
copy_start=$(date +%s.%N)
last_original=$(sqlite3 "$data/collector.db" "SELECT max(id) FROM reports")
while [ "$have" -lt "$reports" ]; do
  sqlite3 "$data/collector.db" <<SQL
INSERT INTO reports (device_id, seq, kind, received_at, payload)
  SELECT device_id, seq + (SELECT max(seq) FROM reports), kind, received_at, payload
  FROM reports WHERE kind = 'delta' AND id <= $last_original
  LIMIT $((reports - have));
SQL
  have=$(count_reports)
done
sqlite3 "$data/collector.db" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
echo "== data set: $(sqlite3 "$data/collector.db" "SELECT count(*) FROM devices") devices," \
  "$have reports ($(sqlite3 "$data/collector.db" "SELECT count(*) FROM reports WHERE kind = 'snapshot'") snapshots)," \
  "collector.db $(du -m "$data/collector.db" | cut -f1) MiB; copied in" \
  "$(calc "$(date +%s.%N) - $copy_start") s"

# 3. The same agents reconnect and send deltas; the backup runs in the middle.
start_collector
echo "== ingest: $agents agents reconnect, deltas at $rate/s for $duration s; backup at t=$backup_at s"
loadgen "$rate" "$duration" | while IFS= read -r line; do
  printf '%s %s\n' "$(date +%s.%N)" "$line"
done > "$work/ingest.out" &
loadgen_pid=$!
# t=0 of the windows is when the deltas start, right after this line.
for _ in $(seq 1 3000); do grep -q "snapshots acknowledged" "$work/ingest.out" && break; sleep 0.1; done
traffic_start=$(grep "snapshots acknowledged" "$work/ingest.out" | cut -d' ' -f1)
wait_s=$(calc "$traffic_start + $backup_at - $(date +%s.%N)")
case "$wait_s" in -*) ;; *) sleep "$wait_s" ;; esac
backup_start=$(date +%s.%N)
TIMEFORMAT="%R s wall, %U s user, %S s system (the backup command)"
{ time "$bin/triage-collector" backup --data "$data" --config "$work/collector.toml" \
    --to "$work/backup.tar.zst" > "$work/backup.out" 2> "$work/backup.err"; } 2> "$work/backup.time"
backup_end=$(date +%s.%N)
wait "$loadgen_pid"
stop_collector

echo "== backup: $(tail -n 1 "$work/backup.time"); archive $(du -m "$work/backup.tar.zst" | cut -f1) MiB" \
  "($(stat -c %s "$work/backup.tar.zst") bytes) of collector.db $(du -m "$data/collector.db" | cut -f1) MiB"
echo "   backup from t=$(calc "$backup_start - $traffic_start") s to" \
  "t=$(calc "$backup_end - $traffic_start") s of the deltas"
# Windows: "EPOCH   window t= 10 s: 4990 acked/s, 12 awaiting ack"; a window covers (t-10, t].
awk -v bs="$(calc "$backup_start - $traffic_start")" -v be="$(calc "$backup_end - $traffic_start")" '
  /window t=/ {
    match($0, /t= *[0-9]+/); t = substr($0, RSTART + 2, RLENGTH - 2) + 0
    match($0, /: [0-9]+ acked/); r = substr($0, RSTART + 2, RLENGTH - 8) + 0
    during = (t > bs && t - 10 < be)
    printf "   window t=%3d s: %6d acked/s%s\n", t, r, during ? "  (backup running)" : ""
    if (during) { sd += r; nd++ } else { so += r; no++ }
  }
  END {
    if (no) printf "== ingest without the backup: %.0f acked/s (mean of %d windows)\n", so / no, no
    if (nd) printf "== ingest while the backup runs: %.0f acked/s (mean of %d windows)\n", sd / nd, nd
  }' "$work/ingest.out"
grep -E "reports:|slowest|latency|verification" "$work/ingest.out" | cut -d' ' -f2-
