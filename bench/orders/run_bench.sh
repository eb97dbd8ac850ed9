#!/usr/bin/env bash
# Order → first output byte at the collector, with a real collector and a real enrolled agent
# on loopback running a harmless custom action (/bin/echo) N times, one after another.
#   bench/orders/run_bench.sh BUILD_DIR [ORDERS]
# With LOAD_AGENTS=N, N simulated agents (triage-loadgen: real mTLS, a snapshot each, then
# deltas at LOAD_DELTA_RATE/s) stay connected to the same collector while orders are timed.
# Measured: from sending POST /api/v1/tickets/{id}/actions to the first GET /api/v1/orders/{id}
# that shows stdout stored (polled back to back; an upper bound by one poll).
set -euo pipefail
build=${1:-build}
orders=${2:-200}
bin=$(realpath "$build/bin")
work=$(mktemp -d)
load_agents=${LOAD_AGENTS:-0}
load_rate=${LOAD_DELTA_RATE:-100}
# shellcheck source=bench/loopback.sh
. "$(dirname "$0")/../loopback.sh"

mkdir -p "$work/actions"
cat > "$work/actions/bench-echo.toml" <<'TOML'
id = "bench-echo"
version = 1
title = "Echo (benchmark)"
argv = ["/bin/echo", "bench"]
risk = "low"
TOML
# /metrics needs its bearer token; the simulated agents all come from 127.0.0.1.
head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$work/metrics.token"
printf '[log]\nlevel = "warn"\n[actions]\ndir = "%s"\n[metrics]\ntoken_file = "%s"\n[limits]\nmax_unauthenticated_per_address = 0\n' \
  "$work/actions" "$work/metrics.token" > "$work/collector.toml"
"$bin/triage-collector" init --data "$work/c" > /dev/null
add_bench_user
serve_collector "$work/collector.toml"
echo "machine: $(nproc) cores, $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"

# The endpoint runs a custom action only when its policy pins the definition's hash.
pin=$(sha256sum "$work/actions/bench-echo.toml" | cut -d' ' -f1)
printf '[probes]\nenabled = false\n[policy]\nmax_risk = "low"\nallow_custom = ["sha256:%s"]\n' "$pin" \
  > "$work/agent.toml"
start_agent "$work/agent.toml"
if [ "$load_agents" -gt 0 ]; then start_load_agents "$load_agents" "$load_rate"; fi
sleep 2  # the agent's start-up snapshot goes by
"$bin/triage-ticket-bench" orders --url "$url" --ca "$ca" --token "$token" --device "$device" \
  --action bench-echo --requests "$orders"
echo "collector RSS: $(ps -o rss= -p "$collector_pid") KiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
