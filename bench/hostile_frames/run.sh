#!/usr/bin/env bash
# What hostile devices' frames cost a real collector in memory: DEVICES enrolled devices each
# send FRAMES frames of a snapshot with two million empty packages (4 MiB each, within the
# default frame limit) on their own connections at once; the collector's RSS is read before,
# right after, and 5 s after, with its peak (VmHWM).
#   bench/hostile_frames/run.sh BUILD_DIR [DEVICES] [FRAMES]
set -euo pipefail
build=${1:-build}
devices=${2:-4}
frames=${3:-3}
bin=$(realpath "$build/bin")
work=$(mktemp -d)
collector_pid=""
cleanup() {
  [ -n "$collector_pid" ] && kill "$collector_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
status() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$collector_pid/status"; }

printf '[log]\nlevel = "warn"\n' > "$work/collector.toml"
"$bin/triage-collector" init --data "$work/c" > /dev/null
"$bin/triage-collector" serve --data "$work/c" --listen 127.0.0.1:0 --config "$work/collector.toml" \
  > "$work/out" 2> "$work/log" &
collector_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \(https:\/\/[^ ]*\).*/\1/p' "$work/out")
port=${url##*:}
echo "machine: $(nproc) cores, $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"
states=()
for i in $(seq 1 "$devices"); do
  "$bin/triage-agent" enroll --server "wss://127.0.0.1:$port" \
    --token "$("$bin/triage-collector" token create --data "$work/c")" \
    --ca-sha256 "$("$bin/triage-collector" ca-fingerprint --data "$work/c")" \
    --state "$work/a$i" > /dev/null
  states+=("$work/a$i")
done
sleep 1
echo "collector RSS before: $(status VmRSS) KiB (peak so far $(status VmHWM) KiB)"
"$bin/triage-bench-hostile-frames" --port "$port" --ca "$work/c/pki/ca.pem" --frames "$frames" \
  "${states[@]}"
echo "collector RSS after: $(status VmRSS) KiB (peak $(status VmHWM) KiB)"
sleep 5
echo "collector RSS 5 s later: $(status VmRSS) KiB (peak $(status VmHWM) KiB)"
