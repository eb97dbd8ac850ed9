#!/usr/bin/env bash
# Live views with a real collector on loopback.
#   bench/live/run_bench.sh BUILD_DIR [SESSIONS] [SECONDS]
# 1. The real agent's cost while live: one enrolled triage-agent on this machine (its /proc,
#    its journal) streams for SECONDS; its CPU (utime + stime from /proc/PID/stat) over that
#    window, and what its own samples say it used.
# 2. The collector's cost per session: SESSIONS simulated agents (triage-loadgen: real mTLS,
#    samples shaped and sized as the real agent's) each stream a live view at once; measured by
#    triage-ticket-bench live: open → first sample readable, the collector's CPU over SECONDS
#    unwatched and then with a poller reading every session once a second as the console does
#    (points delivered per second). The collector's default limit is 200 sessions at once.
set -euo pipefail
build=${1:-build}
sessions=${2:-200}
seconds=${3:-30}
bin=$(realpath "$build/bin")
work=$(mktemp -d)
# shellcheck source=bench/loopback.sh
. "$(dirname "$0")/../loopback.sh"

cpu_seconds() {  # utime + stime of PID, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); split($0, f, " "); print (f[12] + f[13]) / hz }' \
    "/proc/$1/stat"
}

head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$work/metrics.token"
printf '[log]\nlevel = "warn"\n[metrics]\ntoken_file = "%s"\n[limits]\nmax_unauthenticated_per_address = 0\n' \
  "$work/metrics.token" > "$work/collector.toml"
"$bin/triage-collector" init --data "$work/c" > /dev/null
add_bench_user
serve_collector "$work/collector.toml"
echo "machine: $(nproc) cores, $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs," \
  "$(ls /proc | grep -c '^[0-9]') processes; load $(cut -d' ' -f1-3 /proc/loadavg)"

printf '[probes]\nenabled = false\n' > "$work/agent.toml"
start_agent "$work/agent.toml"
sleep 3  # the agent's start-up snapshot goes by
idle0=$(cpu_seconds "$agent_pid")
sleep "$seconds"
idle1=$(cpu_seconds "$agent_pid")
live_id=$(curl -sS --cacert "$ca" -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
  "$url/api/v1/devices/$device/live" -d '{"minutes": 10}' | jq -r .id)
sleep 2  # the sampler's baseline and first sample
live0=$(cpu_seconds "$agent_pid")
sleep "$seconds"
live1=$(cpu_seconds "$agent_pid")
samples=$(curl -sS --cacert "$ca" -H "Authorization: Bearer $token" "$url/api/v1/live/$live_id?limit=600")
curl -sS --cacert "$ca" -H "Authorization: Bearer $token" -X POST "$url/api/v1/live/$live_id/stop" > /dev/null
awk -v i0="$idle0" -v i1="$idle1" -v l0="$live0" -v l1="$live1" -v s="$seconds" 'BEGIN {
  printf "real agent: idle %.2f %% of a core, live %.2f %% of a core over %d s\n",
    100 * (i1 - i0) / s, 100 * (l1 - l0) / s, s }'
echo "$samples" | jq -r '[.samples[].agent_cpu_percent] | "its own samples: agent_cpu_percent mean \(add / length | . * 100 | round / 100) %, max \(max) % over \(length) samples"'
echo "$samples" | jq -r '"a sample as stored: \(.samples[-1] | tostring | length) bytes of JSON, \(.samples[-1].top_processes | length) processes"'
kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=""

start_load_agents "$sessions" 1
sleep 5
"$bin/triage-ticket-bench" live --url "$url" --ca "$ca" --token "$token" \
  --sessions "$sessions" --seconds "$seconds" --collector-pid "$collector_pid"
echo "collector RSS: $(ps -o rss= -p "$collector_pid") KiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
