#!/usr/bin/env bash
# Ticket benchmarks on a real collector: the filtered queue over N seeded tickets, and
# ticket creation → fresh snapshot + findings with a real agent online.
#   bench/tickets/run_bench.sh BUILD_DIR [TICKETS] [ENRICH_REQUESTS]
# With LOAD_AGENTS=N, N simulated agents (triage-loadgen: real mTLS, a snapshot each, then
# deltas at LOAD_DELTA_RATE/s) stay connected to the same collector while enrichment is timed.
set -euo pipefail
build=${1:-build}
tickets=${2:-100000}
enrich=${3:-50}
bin=$(realpath "$build/bin")
work=$(mktemp -d)
load_agents=${LOAD_AGENTS:-0}
load_rate=${LOAD_DELTA_RATE:-100}
# shellcheck source=bench/loopback.sh
. "$(dirname "$0")/../loopback.sh"

"$bin/triage-collector" init --data "$work/c" > /dev/null
"$bin/triage-ticket-bench" seed --db "$work/c/collector.db" --tickets "$tickets"
add_bench_user
# /metrics needs its bearer token; the simulated agents all come from 127.0.0.1.
head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$work/metrics.token"
printf '[metrics]\ntoken_file = "%s"\n[limits]\nmax_unauthenticated_per_address = 0\n' \
  "$work/metrics.token" > "$work/collector.toml"
serve_collector "$work/collector.toml"

"$bin/triage-ticket-bench" query --url "$url" --ca "$ca" --token "$token" --requests 500
printf '[probes]\nenabled = false\n' > "$work/agent.toml"
start_agent "$work/agent.toml"
if [ "$load_agents" -gt 0 ]; then start_load_agents "$load_agents" "$load_rate"; fi
    [ "$still" -ge 30 ] && [ "$last" -gt 0 ] && break
    sleep 1
  done
  echo "connected agents while timing enrichment: $n (simulated: $load_agents, delta rate $load_rate/s)"
fi
sleep 2  # let the agent's start-up snapshot go by
"$bin/triage-ticket-bench" enrich --url "$url" --ca "$ca" --token "$token" --device "$device" \
  --requests "$enrich"
echo "collector RSS: $(ps -o rss= -p "$collector_pid") KiB"
