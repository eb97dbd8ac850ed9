#!/usr/bin/env bash
# Idle footprint of a connected triage-agent, side by side with zabbix_agentd and
# prometheus-node-exporter from Debian, measured in one run on the same machine.
#
#   bench/agent_footprint/run.sh BUILD_DIR [SECONDS]      (default 600 s; run as root to install peers)
#   WINDOWS_AGENT=build-windows/bin/triage-agent.exe bench/agent_footprint/run.sh BUILD_DIR
#
# With WINDOWS_AGENT, the Windows agent runs beside them under Wine (a prefix of its own), idle
# and connected to the same collector: indicative only, since its RSS counts Wine's own
# libraries and its CPU Wine's emulation of the calls it makes (no wineserver, no services.exe).
#
# Starts a collector on loopback, enrolls two agents: one idle with the default schedule (the one
# measured) and one reporting every 60 s (to measure typical delta sizes). Installs the peers with
# apt-get when missing, starts them in the foreground, waits 30 s, then samples CPU (utime+stime
# of the process tree, children included) over SECONDS; memory is sampled 60 s after the agents
# connected and again at the end: VmRSS of the main process (/proc/PID/status) and RSS/PSS summed
# over the process tree (/proc/PID/smaps_rollup). Deltas are measured as bytes on the wire:
# the WebSocket frame the agent sent plus WebSocket (4 B header, 4 B mask) and TLS 1.3 record
# (22 B) overhead.
set -euo pipefail

build=$(realpath "${1:?usage: run.sh BUILD_DIR [SECONDS]}")
duration=${2:-600}
bin="$build/bin"
work=$(mktemp -d /tmp/triage-footprint.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

if [ "$(id -u)" = 0 ]; then
  missing=()
  command -v zabbix_agentd >/dev/null || missing+=(zabbix-agent)
  command -v prometheus-node-exporter >/dev/null || missing+=(prometheus-node-exporter)
  if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" \
      >"$work/apt.log" 2>&1 || echo "apt-get install ${missing[*]} failed (see $work/apt.log)"
  fi
fi

# --- collector and agents ---------------------------------------------------------------------
"$bin/triage-collector" init --data "$work/collector" >"$work/init.out"
ca=$(sed -n 's/.*CA sha256: \([0-9a-f]\{64\}\).*/\1/p' "$work/init.out")
"$bin/triage-collector" serve --data "$work/collector" --listen 127.0.0.1:0 \
  >"$work/collector.out" 2>"$work/collector.err" &
pids+=($!)
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on https:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/collector.out")
  [ -n "$port" ] && break
  sleep 0.1
done
enroll() {
  token=$("$bin/triage-collector" token create --data "$work/collector")
  "$bin/triage-agent" enroll --server "wss://127.0.0.1:$port" --token "$token" --ca-sha256 "$ca" \
    --state "$work/$1" >/dev/null
}
enroll idle
enroll busy
"$bin/triage-agent" run --state "$work/idle" 2>"$work/idle.log" &
agent=$!
pids+=($agent)
"$bin/triage-agent" --log-level debug run --state "$work/busy" --report-interval 60 \
  2>"$work/busy.log" &
pids+=($!)

windows=""
if [ -n "${WINDOWS_AGENT:-}" ]; then
  export WINEPREFIX="$work/wine" WINEDEBUG=-all WINEARCH=win64 WINEDLLOVERRIDES="mscoree=;mshtml="
  unset DISPLAY
  /usr/lib/wine/wine64 wineboot --init >"$work/wineboot.log" 2>&1
  /usr/lib/wine/wineserver -w
  "$bin/triage-collector" token create --data "$work/collector" >"$work/windows.token"
  /usr/lib/wine/wine64 "$(realpath "$WINDOWS_AGENT")" enroll --server "wss://127.0.0.1:$port" \
    --token-file "Z:${work//\//\\}\\windows.token" --ca-sha256 "$ca" \
    --state "Z:${work//\//\\}\\windows" >/dev/null
  /usr/lib/wine/wine64 "$(realpath "$WINDOWS_AGENT")" run --state "Z:${work//\//\\}\\windows" \
    2>"$work/windows.log" &
  windows=$!
  pids+=($windows)
fi

# --- peers --------------------------------------------------------------------------------------
zabbix=""
if command -v zabbix_agentd >/dev/null; then
  cat >"$work/zabbix_agentd.conf" <<CONF
PidFile=$work/zabbix_agentd.pid
LogFile=$work/zabbix_agentd.log
Server=127.0.0.1
ListenIP=127.0.0.1
ListenPort=10950
AllowRoot=1
CONF
  zabbix_agentd -f -c "$work/zabbix_agentd.conf" &
  zabbix=$!
  pids+=($zabbix)
fi
node=""
if command -v prometheus-node-exporter >/dev/null; then
  prometheus-node-exporter --web.listen-address=127.0.0.1:9199 2>"$work/node.log" &
  node=$!
  pids+=($node)
fi

# --- measurement ------------------------------------------------------------------------------
tree() {  # the process and all its descendants
  local p=$1
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree "$c"; done
}
ticks() {  # utime+stime+cutime+cstime of the tree, in clock ticks
  local sum=0
  for p in $(tree "$1"); do
    read -r -a f <"/proc/$p/stat" || continue
    # Fields after the ")" of comm: index 11..14 are utime stime cutime cstime.
    local rest=${f[*]}
    rest=${rest##*) }
    read -r -a s <<<"$rest"
    sum=$((sum + s[11] + s[12] + s[13] + s[14]))
  done
  echo $sum
}
vmrss_kib() { awk '$1 == "VmRSS:" {print $2}' "/proc/$1/status"; }
mem_kib() {  # $1 = Rss or Pss, summed over the tree
  local sum=0
  for p in $(tree "$2"); do
    v=$(awk -v k="$1:" '$1 == k {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    sum=$((sum + ${v:-0}))
  done
  echo $sum
}

for _ in $(seq 300); do
  grep -q "connected to" "$work/idle.log" && break
  sleep 0.1
done
sleep 30
declare -A start
for name in agent windows zabbix node; do
  p=${!name}
  [ -n "$p" ] && start[$name]=$(ticks "$p")
done
t0=$(date +%s.%N)
sleep 30
declare -A at60
for name in agent windows zabbix node; do
  p=${!name}
  [ -n "$p" ] && at60[$name]="$(echo "$(vmrss_kib "$p") / 1024" | bc -l) $(echo "$(mem_kib Pss "$p") / 1024" | bc -l)"
done
sleep "$((duration > 30 ? duration - 30 : 0))"
t1=$(date +%s.%N)
hz=$(getconf CLK_TCK)

echo "machine: $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r), $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "window: $(printf '%.0f' "$(echo "$t1 - $t0" | bc)") s after 30 s warm-up; $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| process | version | processes | VmRSS at 60 s | PSS at 60 s | VmRSS at end | RSS (tree) at end | PSS (tree) at end | CPU (avg of one core) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
row() {
  local name=$1 label=$2 version=$3 p=${!1}
  [ -z "$p" ] && { echo "| $label | not installed | | | | | | | |"; return; }
  local now
  now=$(ticks "$p")
  local cpu
  cpu=$(echo "scale=4; ($now - ${start[$name]}) / $hz / ($t1 - $t0) * 100" | bc)
  read -r rss60 pss60 <<<"${at60[$name]}"
  printf '| %s | %s | %s | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB | %.3f %% |\n' \
    "$label" "$version" "$(tree "$p" | wc -l)" "$rss60" "$pss60" \
    "$(echo "$(vmrss_kib "$p") / 1024" | bc -l)" "$(echo "$(mem_kib Rss "$p") / 1024" | bc -l)" \
    "$(echo "$(mem_kib Pss "$p") / 1024" | bc -l)" "$cpu"
}
row agent "triage-agent (idle, connected)" "$("$bin/triage-agent" --version)"
[ -n "$windows" ] && row windows "triage-agent.exe under Wine (idle, connected)" \
  "$(/usr/lib/wine/wine64 "$(realpath "$WINDOWS_AGENT")" --version 2>/dev/null | tr -d '\r')"
row zabbix "zabbix_agentd" "$(dpkg-query -W -f='${Version}' zabbix-agent 2>/dev/null || echo '?')"
row node "prometheus-node-exporter" \
  "$(dpkg-query -W -f='${Version}' prometheus-node-exporter 2>/dev/null || echo '?')"

echo
echo "delta reports of the 60 s agent (bytes of the DeltaReport message):"
sizes=$(sed -n 's/.*delta #[0-9]* on #[0-9]*: \([0-9]*\) changes, \([0-9]*\) bytes.*/\2/p' \
  "$work/busy.log" | sort -n)
count=$(echo "$sizes" | grep -c . || true)
if [ "$count" -gt 0 ]; then
  median=$(echo "$sizes" | sed -n "$(((count + 1) / 2))p")
  echo "count $count, median $median, min $(echo "$sizes" | head -1), max $(echo "$sizes" | tail -1)"
fi
grep -c "full snapshot #" "$work/busy.log" | sed 's/^/full snapshots: /'
echo "ticks with nothing material to report: $(grep -c "nothing changed since report" "$work/busy.log" || true)"
# Bytes on the wire: the frame as sent, plus WebSocket header and mask and the TLS record.
wire=$(sed -n 's/.*sent delta #[0-9]* (\([0-9]*\) bytes).*/\1/p' "$work/busy.log" |
  awk '{print $1 + 4 + 4 + 22}' | sort -n)
wcount=$(echo "$wire" | grep -c . || true)
if [ "$wcount" -gt 0 ]; then
  echo "deltas on the wire: count $wcount, median $(echo "$wire" | sed -n "$(((wcount + 1) / 2))p") B, min $(echo "$wire" | head -1) B, max $(echo "$wire" | tail -1) B"
fi
# Snapshot latency (child process included) and the child's CPU, from the 60 s agent.
stat_line() {  # $1 label, stdin numbers
  local v n
  v=$(sort -n)
  n=$(echo "$v" | grep -c . || true)
  [ "$n" -gt 0 ] && echo "$1: count $n, median $(echo "$v" | sed -n "$(((n + 1) / 2))p") ms, max $(echo "$v" | tail -1) ms"
  return 0
}
sed -n 's/.*snapshot taken in \([0-9]*\) ms.*/\1/p' "$work/busy.log" | stat_line "snapshot wall time"
sed -n 's/.*bytes in [0-9]* ms, \([0-9]*\) ms CPU.*/\1/p' "$work/busy.log" |
  stat_line "snapshot process CPU"
# Stored deltas as the collector received them, raw and zlib level 6 (what a compressed
# transport would carry).
python3 - "$work/collector/collector.db" <<'PY'
import sqlite3, statistics, sys, zlib
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
rows = [r[0] for r in db.execute("SELECT payload FROM reports WHERE kind = 'delta'")]
if rows:
    raw = [len(r) for r in rows]
    z = [len(zlib.compress(r, 6)) for r in rows]
    print(f"stored deltas: {len(rows)}, raw median {statistics.median(raw):.0f} B, "
          f"zlib median {statistics.median(z):.0f} B (min {min(z)}, max {max(z)})")
PY
