#!/usr/bin/env bash
# Probe request → answer at the collector, with a real collector and a real enrolled agent on
# loopback: N reach probes of the collector's own port (127.0.0.1), one after another.
#   bench/probes/run_bench.sh BUILD_DIR [PROBES]
# With LOAD_AGENTS=N, N simulated agents (triage-loadgen: real mTLS, a snapshot each, then
# deltas at LOAD_DELTA_RATE/s) stay connected to the same collector while probes are timed.
# Both rate bounds are raised to their maximum (600 a minute, a burst of as many) so that
# the benchmark times probes, not the bounds. Measured by triage-ticket-bench probes: from
# sending POST /api/v1/devices/{id}/probes to the first GET /api/v1/probes/{id} that shows the
# answer stored (polled back to back), the probe's own duration_ms, and the first less the
# second.
set -euo pipefail
build=${1:-build}
probes=${2:-100}
bin=$(realpath "$build/bin")
work=$(mktemp -d)
load_agents=${LOAD_AGENTS:-0}
load_rate=${LOAD_DELTA_RATE:-100}
# shellcheck source=bench/loopback.sh
. "$(dirname "$0")/../loopback.sh"

# /metrics needs its bearer token; the simulated agents all come from 127.0.0.1.
head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$work/metrics.token"
printf '[log]\nlevel = "warn"\n[probes]\nper_device_per_minute = 600\n[metrics]\ntoken_file = "%s"\n[limits]\nmax_unauthenticated_per_address = 0\n' \
  "$work/metrics.token" > "$work/collector.toml"
"$bin/triage-collector" init --data "$work/c" > /dev/null
add_bench_user
serve_collector "$work/collector.toml"
echo "machine: $(nproc) cores, $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '[probes]\nenabled = false\n[probe_policy]\nper_minute = 600\n' > "$work/agent.toml"
start_agent "$work/agent.toml"
if [ "$load_agents" -gt 0 ]; then start_load_agents "$load_agents" "$load_rate"; fi
sleep 2  # the agent's start-up snapshot goes by
"$bin/triage-ticket-bench" probes --url "$url" --ca "$ca" --token "$token" --device "$device" \
  --target "${url#https://}" --requests "$probes"
echo "collector RSS: $(ps -o rss= -p "$collector_pid") KiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
