#!/usr/bin/env bash
# Reconnect storm: N simulated agents (triage-loadgen: real TLS + mTLS + protobuf, the real
# agent's reconnect policy) connected to a collector on loopback; the collector is killed
# (kill -9), restarted on the same port, and the time until all N are connected again is
# measured: first restarted with TLS session resumption off (every agent makes a full
# handshake), then again with it on (agents resume from the ticket they hold); then the same
# with a clean SIGTERM (resumption on). Prints, per restart: seconds from the signal to all back
# (and from the restarted collector listening), TLS handshakes/s at the peak and on average,
# how many resumed, the CPU each side spent per reconnection, the loadgen's failed attempts and
# the collector's refusals. At the end the loadgen verifies in the database that every
# acknowledged report is stored.
#
# Usage: bench/reconnect_storm/run.sh [BUILD_DIR] [AGENTS] [DELTA_RATE]
# Environment: COLLECTOR_LIMITS="key = value ..." lines added to the collector's [limits]
# (e.g. "max_concurrent_handshakes = 0" to measure without admission control);
# BENCH_DIR (default /tmp/triage-storm-bench); LOADGEN_PROCS (default 1; more spreads the
# agents over processes, each with its own open-files limit).
set -euo pipefail
build=${1:-build}; agents=${2:-10000}; rate=${3:-100}
bin=$(realpath "$build/bin")
work=${BENCH_DIR:-/tmp/triage-storm-bench}
procs=${LOADGEN_PROCS:-1}
mkdir -p "$work"
rm -rf "$work/collector" "$work/identities"*
"$bin/triage-collector" init --data "$work/collector" > /dev/null
{
  # /metrics is polled on the staff listener, which agents cannot crowd.
  printf 'staff_listen = "127.0.0.1:0"\n[log]\nlevel = "warn"\n'
  # Every simulated agent comes from 127.0.0.1: no per-address cap on unauthenticated
  # connections (a real fleet comes from many addresses).
  printf '[limits]\nmax_unauthenticated_per_address = 0\n%s\n' "${COLLECTOR_LIMITS:-}"
} > "$work/collector.toml"
# The same with TLS session resumption off, for the full-handshake storm.
sed 's/^\[limits\]$/[limits]\ntls_session_resumption = false/' "$work/collector.toml" \
  > "$work/collector-full-handshakes.toml"
ca="$work/collector/pki/ca.pem"
pid="" loadgen_pids=()
cleanup() {
  for p in "${loadgen_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

start_collector() {  # $1: listen address, $2: config file (default collector.toml)
  : > "$work/collector.out"
  "$bin/triage-collector" serve --data "$work/collector" --listen "$1" \
    --config "${2:-$work/collector.toml}" > "$work/collector.out" 2>> "$work/collector.log" &
  pid=$!
  for _ in $(seq 1 300); do
    if grep -q listening "$work/collector.out"; then
      staff_port=$(sed -n 's/.*staff listener on https:\/\/[0-9.]*:\([0-9]*\).*/\1/p' "$work/collector.out")
      return 0
    fi
    sleep 0.02
  done
  echo "collector did not start" >&2; exit 1
}
now() { date +%s.%N; }
metric() {  # $1: metric name (with labels) -> value or 0 (also when the collector is too busy)
  { curl -sS --max-time 5 --cacert "$ca" "https://127.0.0.1:$staff_port/metrics" 2>/dev/null || true; } |
    awk -v m="$1" '$1 == m {v = $2} END {print (v == "" ? 0 : v)}'
}
loadgen_connected() {  # sum of the last progress line of each loadgen process
  local n=0 c
  for i in $(seq 1 "$procs"); do
    c=$(grep '^progress' "$work/loadgen.$i.out" 2>/dev/null | tail -1 | sed 's/.*connected=\([0-9]*\).*/\1/')
    n=$((n + ${c:-0}))
  done
  echo "$n"
}
loadgen_failures() {
  local n=0 c
  for i in $(seq 1 "$procs"); do
    c=$(grep '^progress' "$work/loadgen.$i.out" 2>/dev/null | tail -1 | sed 's/.*failures=\([0-9]*\).*/\1/')
    n=$((n + ${c:-0}))
  done
  echo "$n"
}

start_collector 127.0.0.1:0
port=$(sed -n 's/.*listening on https:\/\/[0-9.]*:\([0-9]*\).*/\1/p' "$work/collector.out")
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "collector [limits]: ${COLLECTOR_LIMITS:-defaults}"
per=$(( (agents + procs - 1) / procs ))
for i in $(seq 1 "$procs"); do
  n=$(( i < procs ? per : agents - per * (procs - 1) ))
  token=$("$bin/triage-collector" token create --data "$work/collector" --uses "$n" --ttl 2h 2>/dev/null)
  "$bin/triage-loadgen" --server "wss://127.0.0.1:$port" --ca "$ca" --token "$token" \
    --identities "$work/identities.$i" --agents "$n" --threads 2 --delta-rate $((rate / procs)) \
    --duration 86400 --connect-rate $((2000 / procs)) --connect-wait 86400 --progress \
    --database "$work/collector/collector.db" > "$work/loadgen.$i.out" 2>&1 &
  loadgen_pids+=($!)
done

# Initial connection (enrollment included), 15 minutes at most.
t0=$(now)
until [ "$(loadgen_connected)" -ge "$agents" ]; do
  if [ "$(echo "$(now) - $t0 > 900" | bc)" = 1 ]; then echo "initial connect incomplete: $(loadgen_connected)"; break; fi
  sleep 0.5
done
echo "initial: $(loadgen_connected)/$agents connected after $(echo "$(now) - $t0" | bc) s (enrollment included)"
sleep 5

loadgen_cpu() {  # CPU seconds of all loadgen processes so far
  local total=0 p
  for p in "${loadgen_pids[@]}"; do
    total=$(echo "$total + $(awk '{print ($14 + $15) / 100}' "/proc/$p/stat")" | bc)
  done
  echo "$total"
}

storm() {  # $1: signal, $2: label, $3: config file of the restarted collector
  local before_fail t_kill t_listen t_all hs_prev hs t_prev peak=0 rate_now=0 connected
  local loadgen_cpu_before
  before_fail=$(loadgen_failures)
  loadgen_cpu_before=$(loadgen_cpu)
  t_kill=$(now)
  kill "-$1" "$pid"
  wait "$pid" 2>/dev/null || true
  local t_exit; t_exit=$(now)
  start_collector "127.0.0.1:$port" "$3"
  t_listen=$(now)
  hs_prev=0 t_prev=$t_listen
  : > "$work/storm-$1.metrics"
  while :; do
    sleep 0.5
    connected=$(metric triage_connected_agents)
    hs=$(metric triage_tls_handshakes_total)
    local t; t=$(now)
    # A poll that timed out (the collector busy, or /metrics queued at the handshake gate with
    # the agents) reads 0: skip it rather than count everything since as one interval's rate.
    if [ "${hs%.*}" -gt 0 ]; then
      rate_now=$(echo "($hs - $hs_prev) / ($t - $t_prev)" | bc)
      [ "$rate_now" -gt "$peak" ] && [ "$hs_prev" != 0 ] && peak=$rate_now
      hs_prev=$hs t_prev=$t
    fi
    echo "$(echo "$t - $t_kill" | bc) connected=$connected handshakes=$hs rate=$rate_now" >> "$work/storm-$1.metrics"
    # The metrics request itself is a connection too, not an agent.
    if [ "${connected%.*}" -ge "$agents" ]; then t_all=$t; break; fi
    if [ "$(echo "$t - $t_kill > 600" | bc)" = 1 ]; then t_all=""; break; fi
  done
  local loadgen_cpu_used collector_cpu resumed
  loadgen_cpu_used=$(echo "$(loadgen_cpu) - $loadgen_cpu_before" | bc)
  collector_cpu=$(awk '{print ($14 + $15) / 100}' "/proc/$pid/stat")
  resumed=$(metric triage_tls_resumed_handshakes_total)
  local refusals
  refusals=$({ curl -sS --max-time 10 --cacert "$ca" "https://127.0.0.1:$staff_port/metrics" || true; } | grep '^triage_refusals_total' | tr '\n' ' ' || true)
  echo "--- SIG$1, $2: collector exited $(echo "$t_exit - $t_kill" | bc) s after the signal, listening again at $(echo "$t_listen - $t_kill" | bc) s"
  if [ -n "$t_all" ]; then
    echo "    all $agents back $(echo "$t_all - $t_kill" | bc) s after the signal ($(echo "$t_all - $t_listen" | bc) s after listening)"
  else
    echo "    NOT all back after 600 s: $connected connected"
  fi
  echo "    TLS handshakes: $hs in all, $resumed of them resumed, peak $peak/s (0.5 s samples), mean $(echo "$hs / ($t_all - $t_listen)" | bc)/s"
  echo "    CPU per reconnection: collector $(echo "scale=2; 1000 * $collector_cpu / $hs" | bc) ms, load generator $(echo "scale=2; 1000 * $loadgen_cpu_used / $hs" | bc) ms (its $loadgen_cpu_used s from the signal to all back)"
  echo "    loadgen failed attempts during the storm: $(( $(loadgen_failures) - before_fail ))"
  echo "    collector refusals: ${refusals:-none}"
  echo "    collector RSS after: $(ps -o rss= -p "$pid") KiB; CPU used since its start: $(awk '{print ($14 + $15) / 100}' "/proc/$pid/stat") s; load $(cut -d' ' -f1-3 /proc/loadavg)"
  sleep 10
}

storm KILL "full handshakes (resumption off)" "$work/collector-full-handshakes.toml"
storm KILL "resumed sessions" "$work/collector.toml"
storm TERM "resumed sessions" "$work/collector.toml"

for p in "${loadgen_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${loadgen_pids[@]}"; do wait "$p" || true; done
loadgen_pids=()
for i in $(seq 1 "$procs"); do
  echo "--- loadgen $i summary"
  grep -v '^progress' "$work/loadgen.$i.out"
done
