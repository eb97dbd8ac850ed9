#!/usr/bin/env bash
# Collector at scale: N simulated agents (real TLS + mTLS + protobuf) against a fresh
# collector on loopback, then delta traffic at a fixed rate; prints connected count, acked/s,
# ack latency percentiles, collector RSS, and verifies every acked report in the database.
# Usage: bench/loadgen/run_bench.sh [BUILD_DIR] [AGENTS] [DELTA_RATE] [DURATION_S]
set -euo pipefail
build=${1:-build}; agents=${2:-10000}; rate=${3:-5000}; duration=${4:-30}
bin="$build/bin"
work=${BENCH_DIR:-/tmp/triage-loadgen-bench}
mkdir -p "$work"
rm -rf "$work/collector"
"$bin/triage-collector" init --data "$work/collector" > /dev/null
# Every simulated agent comes from 127.0.0.1: no per-address cap on unauthenticated
# connections (a real fleet comes from many addresses).
printf "[log]\nlevel = \"%s\"\n[limits]\nmax_unauthenticated_per_address = 0\n" "${LOG_LEVEL:-warn}" \
  > "$work/collector.toml"
${COLLECTOR_PRELOAD:+env LD_PRELOAD=$COLLECTOR_PRELOAD} "$bin/triage-collector" serve --data "$work/collector" --listen 127.0.0.1:0 \
  --config "$work/collector.toml" > "$work/collector.out" 2> "$work/collector.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q listening "$work/collector.out" && break; sleep 0.1; done
port=$(grep -o '[0-9]*$' "$work/collector.out")
token=$("$bin/triage-collector" token create --data "$work/collector" --uses "$agents" --ttl 1h 2>/dev/null)
# Identities are cached across runs in $work/identities (enrollment of 10,000 takes a while
# once); the collector is new each run, so stale ones are enrolled again.
rm -rf "$work/identities"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
"$bin/triage-loadgen" --server "wss://127.0.0.1:$port" --ca "$work/collector/pki/ca.pem" \
  --token "$token" --identities "$work/identities" --agents "$agents" --threads 2 \
  --delta-rate "$rate" --duration "$duration" --connect-rate 2000 --collector-pid "$pid" \
  --database "$work/collector/collector.db"
