#!/usr/bin/env bash
# Ticket benchmarks on a real collector: the filtered queue over N seeded tickets, and
# ticket creation → fresh snapshot + findings with a real agent online.
#   bench/tickets/run_bench.sh BUILD_DIR [TICKETS] [ENRICH_REQUESTS]
set -euo pipefail
build=${1:-build}
tickets=${2:-100000}
enrich=${3:-50}
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

"$bin/triage-collector" init --data "$work/c" > /dev/null
"$bin/triage-ticket-bench" seed --db "$work/c/collector.db" --tickets "$tickets"
password=$("$bin/triage-collector" user add --data "$work/c" --name bench --role technician)
"$bin/triage-collector" serve --data "$work/c" --listen 127.0.0.1:0 > "$work/out" 2> "$work/log" &
collector_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \(https:\/\/[^ ]*\).*/\1/p' "$work/out")
ca="$work/c/pki/ca.pem"
token=$(curl -sS --cacert "$ca" "$url/api/v1/auth/login" \
  -d "$(jq -n --arg p "$password" '{name: "bench", password: $p}')" | jq -r .token)

"$bin/triage-ticket-bench" query --url "$url" --ca "$ca" --token "$token" --requests 500
printf '[probes]\nenabled = false\n' > "$work/agent.toml"
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
sleep 2  # let the agent's start-up snapshot go by
"$bin/triage-ticket-bench" enrich --url "$url" --ca "$ca" --token "$token" --device "$device" \
  --requests "$enrich"
echo "collector RSS: $(ps -o rss= -p "$collector_pid") KiB"
