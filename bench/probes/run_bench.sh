#!/usr/bin/env bash
# Probe request → answer at the collector, with a real collector and a real enrolled agent on
# loopback: N reach probes of the collector's own port (127.0.0.1), one after another.
#   bench/probes/run_bench.sh BUILD_DIR [PROBES]
# Both rate bounds are raised to their maximum (600 a minute, a burst of as many) so that
# the benchmark times probes, not the bounds. Measured by triage-ticket-bench probes: from
# sending POST /api/v1/devices/{id}/probes to the first GET /api/v1/probes/{id} that shows the
# answer stored (polled back to back), and the collector's own requested_at → answered_at.
set -euo pipefail
build=${1:-build}
probes=${2:-100}
bin=$(realpath "$build/bin")
work=$(mktemp -d)
collector_pid="" agent_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "$collector_pid" ] && kill "$collector_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

printf '[log]\nlevel = "warn"\n[probes]\nper_device_per_minute = 600\n' > "$work/collector.toml"
"$bin/triage-collector" init --data "$work/c" > /dev/null
password="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$password" |
  "$bin/triage-collector" user add --data "$work/c" --name bench --role technician --password-stdin \
    2> /dev/null
"$bin/triage-collector" serve --data "$work/c" --listen 127.0.0.1:0 --config "$work/collector.toml" \
  > "$work/out" 2> "$work/log" &
collector_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \(https:\/\/[^ ]*\).*/\1/p' "$work/out")
ca="$work/c/pki/ca.pem"
token=$(curl -sS --cacert "$ca" -H "Content-Type: application/json" "$url/api/v1/auth/login" \
  -d "$(jq -n --arg p "$password" '{name: "bench", password: $p}')" | jq -r .token)
echo "machine: $(nproc) cores, $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"

printf '[probes]\nenabled = false\n[probe_policy]\nper_minute = 600\n' > "$work/agent.toml"
"$bin/triage-agent" enroll --server "wss://${url#https://}" \
  --token "$("$bin/triage-collector" token create --data "$work/c")" \
  --ca-sha256 "$("$bin/triage-collector" ca-fingerprint --data "$work/c")" --state "$work/a" > /dev/null
"$bin/triage-agent" run --state "$work/a" --config "$work/agent.toml" 2> "$work/agent.log" &
agent_pid=$!
device=$(jq -r .device_id "$work/a/enrollment.json")
for _ in $(seq 1 100); do
  [ "$(curl -sS --cacert "$ca" -H "Authorization: Bearer $token" "$url/api/v1/devices/$device" | jq -r .online)" = true ] && break
  sleep 0.1
done
sleep 2  # the agent's start-up snapshot goes by
"$bin/triage-ticket-bench" probes --url "$url" --ca "$ca" --token "$token" --device "$device" \
  --target "${url#https://}" --requests "$probes"
echo "collector RSS: $(ps -o rss= -p "$collector_pid") KiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
