#!/usr/bin/env bash
# Probe request → answer at the collector, with a real collector and a real enrolled agent on
# loopback: N reach probes of the collector's own port (127.0.0.1), one after another.
#   bench/probes/run_bench.sh BUILD_DIR [PROBES]
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
# shellcheck source=bench/loopback.sh
. "$(dirname "$0")/../loopback.sh"

printf '[log]\nlevel = "warn"\n[probes]\nper_device_per_minute = 600\n' > "$work/collector.toml"
"$bin/triage-collector" init --data "$work/c" > /dev/null
add_bench_user
serve_collector "$work/collector.toml"
echo "machine: $(nproc) cores, $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '[probes]\nenabled = false\n[probe_policy]\nper_minute = 600\n' > "$work/agent.toml"
start_agent "$work/agent.toml"
sleep 2  # the agent's start-up snapshot goes by
"$bin/triage-ticket-bench" probes --url "$url" --ca "$ca" --token "$token" --device "$device" \
  --target "${url#https://}" --requests "$probes"
echo "collector RSS: $(ps -o rss= -p "$collector_pid") KiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
