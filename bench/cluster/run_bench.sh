#!/usr/bin/env bash
# The collector as a cluster (issue 21), with real processes on loopback: PostgreSQL 15
# (initdb into the bench directory, durability settings left at their defaults), one or two
# `triage-collector serve` nodes, HAProxy in TCP mode, simulated agents (triage-loadgen: real
# TLS + mTLS + protobuf, the real agent's reconnect policy) and one real `triage-agent run`.
#
#   (a) one node on SQLite, then one node on PostgreSQL: N agents, deltas at R/s for D s each;
#       acknowledged reports per second, ack latency, collector RSS, and every acknowledged
#       report checked in the node's database (the SQLite file, then PostgreSQL); on
#       PostgreSQL also what the server did during the deltas (transactions/s, rows/s, WAL
#       bytes/s and per report) and the connections the node holds;
#   (b) two nodes sharing PostgreSQL behind HAProxy (round robin), the N agents split between
#       them, deltas at R/s for D s: sustained acked/s, agents per node, and, while the deltas
#       run, order -> first output for a real agent on node 2 with the orders made on node 1
#       (the path crosses nodes through LISTEN/NOTIFY), and ticket -> fresh diagnostics the
#       same way;
#   (c) failover: N new agents through HAProxy, node 2 killed with -9, seconds until all N are
#       connected again (on node 1), then every acknowledged report checked in PostgreSQL.
#
# Usage: bench/cluster/run_bench.sh [BUILD_DIR] [AGENTS] [DELTA_RATE] [DURATION_S] [ORDERS]
#   e.g. bench/cluster/run_bench.sh build 200 100 15 50        (a check at small scale)
#        bench/cluster/run_bench.sh build 10000 5000 180 300   (the issue's figures)
# Environment: BENCH_DIR (default /tmp/triage-cluster-bench, emptied first), PHASES (default
# "a b c"), LOG_LEVEL (collector log level, default warn).
set -euo pipefail
build=${1:-build}; agents=${2:-10000}; rate=${3:-5000}; duration=${4:-180}; orders=${5:-200}
bin=$(realpath "$build/bin")
pg_bin=/usr/lib/postgresql/15/bin
work=${BENCH_DIR:-/tmp/triage-cluster-bench}
phases=${PHASES:-a b c}
rm -rf "$work"
mkdir -p "$work"
chmod 755 "$work"

declare -A node_pid node_port
pg_pid="" haproxy_pid="" agent_pid="" loadgen_pid=""
cleanup() {
  local p
  for p in "$loadgen_pid" "$agent_pid" "$haproxy_pid" "${node_pid[@]}"; do
    [ -n "$p" ] && kill "$p" 2> /dev/null || true
  done
  for p in "$loadgen_pid" "$agent_pid" "$haproxy_pid" "${node_pid[@]}"; do
    [ -n "$p" ] && { wait "$p" || true; } 2> /dev/null
  done
  # Last, once no node uses it; SIGINT is PostgreSQL's fast shutdown.
  if [ -n "$pg_pid" ]; then
    kill -INT "$pg_pid" 2> /dev/null || true
    { wait "$pg_pid" || true; } 2> /dev/null
  fi
}
trap cleanup EXIT

say() { printf '%s\n' "$*" | tee -a "$work/summary.txt"; }
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }
# Polls `$@` every 100 ms until it succeeds, for at most $timeout seconds (default 60).
wait_until() {
  local deadline=$(($(date +%s) + ${timeout:-60}))
  until "$@"; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.1
  done
}

# ---- PostgreSQL: refuses to run as root, so under root it runs as Debian's `postgres` user.
start_postgres() {
  local dir="$work/pg" as_pg=()
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$dir"
    # setpriv execs (no fork): $! is the postmaster itself.
    as_pg=(setpriv --reuid=postgres --regid=postgres --clear-groups)
  fi
  "${as_pg[@]}" "$pg_bin/initdb" -D "$dir/data" -U triage -A trust -E UTF8 --locale=C \
    --no-instructions > "$dir/initdb.log" 2>&1
  pg_port=$(free_port)
  "${as_pg[@]}" "$pg_bin/postgres" -D "$dir/data" -p "$pg_port" -h 127.0.0.1 -k "$dir" \
    -c max_connections=300 -c shared_buffers=256MB > "$dir/postgres.log" 2>&1 &
  pg_pid=$!
  timeout=60 wait_until "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" ||
    { echo "PostgreSQL did not start:" >&2; cat "$dir/postgres.log" >&2; exit 1; }
}
create_database() {  # $1: name -> prints its URL
  "$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U triage -d postgres -c "CREATE DATABASE $1" > /dev/null
  echo "postgres://triage@127.0.0.1:$pg_port/$1"
}
pg_size() {  # $1: URL -> the database's size
  "$pg_bin/psql" -At "$1" -c "SELECT pg_size_pretty(pg_database_size(current_database()))"
}
# $1: URL -> "SECONDS WAL_BYTES COMMITS ROWS_WRITTEN": the clock, the server's WAL position,
# and the database's commits and written rows so far.
pg_counters() {
  "$pg_bin/psql" -At -F ' ' "$1" -c "SELECT extract(epoch FROM clock_timestamp()),
    pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint, xact_commit,
    tup_inserted + tup_updated + tup_deleted
    FROM pg_stat_database WHERE datname = current_database()"
}
pg_connections() {  # $1: URL -> connections open to the database, this one left out
  "$pg_bin/psql" -At "$1" -c "SELECT count(*) - 1 FROM pg_stat_activity
    WHERE datname = current_database()"
}
# $1, $2: pg_counters before and after, $3: acknowledged reports per second -> what the
# database wrote meanwhile.
pg_rates() {
  printf '%s\n%s\n' "$1" "$2" | awk -v acked="$3" 'NR == 1 { split($0, b, " ") }
    NR == 2 { split($0, a, " "); s = a[1] - b[1]; if (s <= 0) s = 1
      wal = (a[2] - b[2]) / s
      printf "%.0f transactions/s (reads too), %.0f rows written/s, WAL %.2f MB/s",
        (a[3] - b[3]) / s, (a[4] - b[4]) / s, wal / 1e6
      if (acked > 0) printf " (%.0f WAL bytes per acknowledged report)", wal / acked }'
}

# ---- Collector nodes.
mkdir -p "$work/actions"
cat > "$work/actions/bench-echo.toml" << 'TOML'
id = "bench-echo"
version = 1
title = "Echo (benchmark)"
argv = ["/bin/echo", "bench"]
risk = "low"
TOML
head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$work/metrics.token"
metrics_auth="Authorization: Bearer $(cat "$work/metrics.token")"
node_config() {  # $1: file, $2: storage URL ("" = SQLite), $3: node name
  {
    printf '[log]\nlevel = "%s"\n' "${LOG_LEVEL:-warn}"
    # Every simulated agent comes from 127.0.0.1 (a real fleet comes from many addresses).
    printf '[limits]\nmax_unauthenticated_per_address = 0\n'
    printf '[actions]\ndir = "%s"\n[metrics]\ntoken_file = "%s"\n' "$work/actions" "$work/metrics.token"
    if [ -n "$2" ]; then
      printf '[storage]\nbackend = "postgres"\nurl = "%s"\n[cluster]\nnode = "%s"\n' "$2" "$3"
    fi
  } > "$1"
}
start_node() {  # $1: name, $2: data dir, $3: config
  "$bin/triage-collector" serve --data "$2" --listen 127.0.0.1:0 --config "$3" \
    > "$work/$1.out" 2> "$work/$1.log" &
  node_pid[$1]=$!
  timeout=60 wait_until grep -q "listening on" "$work/$1.out" ||
    { echo "node $1 did not start:" >&2; cat "$work/$1.log" >&2; exit 1; }
  node_port[$1]=$(sed -n 's/.*listening on https:\/\/[0-9.]*:\([0-9]*\).*/\1/p' "$work/$1.out")
}
stop_node() {  # $1: name
  kill "${node_pid[$1]}" 2> /dev/null || true
  wait "${node_pid[$1]}" 2> /dev/null || true
  unset "node_pid[$1]"
}
metric() {  # $1: node, $2: metric name -> its value (0 when absent or unreachable)
  { curl -sS --max-time 5 --cacert "$ca" -H "$metrics_auth" \
      "https://127.0.0.1:${node_port[$1]}/metrics" 2> /dev/null || true; } |
    awk -v m="$2" '$1 == m {v = $2} END {print (v == "" ? 0 : int(v))}'
}
# A data dir with a staff user (technician `bench`) and enrollment tokens; the CLI writes its
# SQLite file, and `migrate-storage` moves it all into PostgreSQL when the node runs there.
password="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
new_site() {  # $1: data dir, $2: token uses -> sets token, agent_token, ca
  "$bin/triage-collector" init --data "$1" > /dev/null
  printf '%s\n' "$password" |
    "$bin/triage-collector" user add --data "$1" --name bench --role technician \
      --password-stdin 2> /dev/null
  token=$("$bin/triage-collector" token create --data "$1" --uses "$2" --ttl 4h 2> /dev/null)
  agent_token=$("$bin/triage-collector" token create --data "$1" --ttl 4h 2> /dev/null)
  ca="$1/pki/ca.pem"
}
# triage-loadgen in the background, its output in $work/loadgen-$1.out.
start_loadgen() {  # $1: label, $2: port, $3: database, $4: duration, then extra arguments
  local label=$1 port=$2 database=$3 run_for=$4
  shift 4
  "$bin/triage-loadgen" --server "wss://127.0.0.1:$port" --ca "$ca" --token "$token" \
    --identities "$work/identities-$label" --agents "$agents" --threads 2 \
    --delta-rate "$rate" --duration "$run_for" --connect-rate 2000 --database "$database" "$@" \
    > "$work/loadgen-$label.out" 2>&1 &
  loadgen_pid=$!
}
finish_loadgen() {  # waits for the loadgen; its exit status (1 when a report is missing)
  local status=0
  wait "$loadgen_pid" || status=$?
  loadgen_pid=""
  return "$status"
}
loadgen_summary() {  # $1: label
  grep -E '^(connected|reports:|slowest|delta ack latency|verification|connection attempts)' \
    "$work/loadgen-$1.out" | sed 's/^/    /' | tee -a "$work/summary.txt"
}
traffic_started() { grep -q "^snapshots acknowledged" "$work/loadgen-$1.out"; }
deltas_ended() { grep -q "^reports:" "$work/loadgen-$1.out"; }
# CPU seconds so far (user + system) of processes; a PostgreSQL postmaster counts with its
# children: the live ones read directly, the ended ones through the postmaster's reaped time.
cpu_of() {  # pids... -> seconds
  local p total=0 ticks
  for p in "$@"; do
    ticks=$(awk '{print $14 + $15}' "/proc/$p/stat" 2> /dev/null || echo 0)
    total=$((total + ticks))
  done
  awk -v t="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}'
}
cpu_of_postgres() {
  local children reaped
  children=$(pgrep -P "$pg_pid" | tr '\n' ' ')
  reaped=$(awk '{print $16 + $17}' "/proc/$pg_pid/stat")
  awk -v a="$(cpu_of "$pg_pid" $children)" -v r="$reaped" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {printf "%.2f", a + r / hz}'
}
# $1 label: the CPU the node ($2), PostgreSQL (when running) and the loadgen spent during the
# deltas, in all and per acknowledged delta (the loadgen's summary line gives the rate).
cpu_during_deltas() {  # label node_pid -> sets cpu_line (after the deltas ended)
  local label=$1 node=$2 t0 n0 p0 l0 t1 n1 p1 l1
  timeout=$((600 + agents / 50)) wait_until traffic_started "$label" ||
    { echo "the simulated agents did not all start" >&2; exit 1; }
  t0=$(now); n0=$(cpu_of "$node"); l0=$(cpu_of "$loadgen_pid"); p0=$(cpu_of_postgres)
  timeout=$((duration + 120)) wait_until deltas_ended "$label" || true
  t1=$(now); n1=$(cpu_of "$node"); l1=$(cpu_of "$loadgen_pid"); p1=$(cpu_of_postgres)
  cpu_seconds=$(elapsed "$t0" "$t1")
  cpu_line=$(awk -v s="$cpu_seconds" -v n="$(elapsed "$n0" "$n1")" -v p="$(elapsed "$p0" "$p1")" \
    -v l="$(elapsed "$l0" "$l1")" 'BEGIN {
      printf "CPU over the %.0f s of deltas: node %.1f s (%.0f%% of a core), PostgreSQL %.1f s (%.0f%%), loadgen %.1f s (%.0f%%)",
        s, n, 100 * n / s, p, 100 * p / s, l, 100 * l / s }')
  cpu_node=$(elapsed "$n0" "$n1"); cpu_pg=$(elapsed "$p0" "$p1")
}
per_delta() {  # $1 label -> CPU per delta acknowledged during the deltas
  local rate_acked
  rate_acked=$(sed -n 's/^reports: .*), \([0-9]*\) acked\/s during traffic.*/\1/p' \
    "$work/loadgen-$1.out")
  awk -v r="${rate_acked:-0}" -v s="$cpu_seconds" -v n="$cpu_node" -v p="$cpu_pg" 'BEGIN {
    a = r * s; if (a <= 0) a = 1
    printf "per delta acknowledged during them (%.0f/s): node %.0f us, PostgreSQL %.0f us of CPU", r, 1e6 * n / a, 1e6 * p / a }'
}


say "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"
say "agents $agents, deltas $rate/s for $duration s; $(date -u +%FT%TZ)"
start_postgres
say "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"
status=0

# ---- (a) one node: SQLite, then PostgreSQL.
if [[ " $phases " == *" a "* ]]; then
  say "(a) one node on SQLite"
  new_site "$work/sqlite" "$agents"
  node_config "$work/sqlite.toml" "" ""
  start_node sqlite "$work/sqlite" "$work/sqlite.toml"
  start_loadgen a-sqlite "${node_port[sqlite]}" "$work/sqlite/collector.db" "$duration" \
    --collector-pid "${node_pid[sqlite]}"
  cpu_during_deltas a-sqlite "${node_pid[sqlite]}"
  finish_loadgen || status=1
  loadgen_summary a-sqlite
  say "    $cpu_line"
  say "    $(per_delta a-sqlite)"
  stop_node sqlite

  say "(a) one node on PostgreSQL"
  new_site "$work/pg1" "$agents"
  url=$(create_database bench_a)
  "$bin/triage-collector" migrate-storage --data "$work/pg1" --to "$url" > "$work/migrate-a.out" 2>&1 ||
    { cat "$work/migrate-a.out" >&2; exit 1; }
  node_config "$work/pg1.toml" "$url" n1
  start_node pg1 "$work/pg1" "$work/pg1.toml"
  start_loadgen a-pg "${node_port[pg1]}" "$url" "$duration" --collector-pid "${node_pid[pg1]}"
  timeout=$((600 + agents / 50)) wait_until traffic_started a-pg ||
    { echo "the simulated agents did not all start" >&2; exit 1; }
  counters_before=$(pg_counters "$url")
  # The node's connections while the deltas run, sampled in the middle of them.
  (sleep $((duration / 2)); pg_connections "$url" > "$work/connections-a-pg") &
  sampler_pid=$!
  # At the end of the deltas, before the loadgen's check reads the database.
  cpu_during_deltas a-pg "${node_pid[pg1]}"
  counters_after=$(pg_counters "$url")
  wait "$sampler_pid" || true
  connections=$(cat "$work/connections-a-pg" 2> /dev/null || echo "?")
  finish_loadgen || status=1
  loadgen_summary a-pg
  say "    $cpu_line"
  say "    $(per_delta a-pg)"
  acked_rate=$(sed -n 's/^reports: .*), \([0-9]*\) acked\/s during traffic.*/\1/p' \
    "$work/loadgen-a-pg.out")
  say "    PostgreSQL during the deltas: $(pg_rates "$counters_before" "$counters_after" \
    "${acked_rate:-0}"); $connections connections from the node"
  say "    database size after the run: $(pg_size "$url")"
  stop_node pg1
fi

# ---- (b) and (c): two nodes behind HAProxy.
if [[ " $phases " == *" b "* || " $phases " == *" c "* ]]; then
  new_site "$work/n1" "$((2 * agents))"
  url=$(create_database bench_cluster)
  "$bin/triage-collector" migrate-storage --data "$work/n1" --to "$url" > "$work/migrate-b.out" 2>&1 ||
    { cat "$work/migrate-b.out" >&2; exit 1; }
  node_config "$work/n1.toml" "$url" n1
  node_config "$work/n2.toml" "$url" n2
  start_node n1 "$work/n1" "$work/n1.toml"
  # Node 2's data dir the documented way (once node 1 has started: it makes integrations.key):
  # the cluster's keys, a server certificate of its own.
  "$bin/triage-collector" node add --from "$work/n1" --data "$work/n2" --config "$work/n2.toml" \
    --name n2 --ip 127.0.0.1 > "$work/node-add.out"
  start_node n2 "$work/n2" "$work/n2.toml"
  haproxy_port=$(free_port)
  cat > "$work/haproxy.cfg" << EOF
global
  maxconn $((2 * agents + 1000))
defaults
  mode tcp
  timeout connect 2s
  timeout client 10m
  timeout server 10m
  retries 3
  option redispatch
frontend agents
  bind 127.0.0.1:$haproxy_port
  default_backend nodes
backend nodes
  balance roundrobin
  default-server check inter 1s fall 2 rise 1
  server n1 127.0.0.1:${node_port[n1]}
  server n2 127.0.0.1:${node_port[n2]}
EOF
  /usr/sbin/haproxy -db -f "$work/haproxy.cfg" > "$work/haproxy.log" 2>&1 &
  haproxy_pid=$!
  say "two nodes on PostgreSQL behind HAProxy $(/usr/sbin/haproxy -v | awk 'NR == 1 {print $3}') (round robin)"

  base="https://127.0.0.1:${node_port[n1]}"
  bearer=$(curl -sS --cacert "$ca" -H "Content-Type: application/json" "$base/api/v1/auth/login" \
    -d "$(jq -n --arg p "$password" '{name: "bench", password: $p}')" | jq -r .token)
  # The real agent: enrolled through node 1, connected to node 2 itself, so every order made
  # on node 1 crosses nodes.
  pin=$(sha256sum "$work/actions/bench-echo.toml" | cut -d' ' -f1)
  printf '[probes]\nenabled = false\n[collector]\nurl = "wss://127.0.0.1:%s"\n[policy]\nmax_risk = "low"\nallow_custom = ["sha256:%s"]\n' \
    "${node_port[n2]}" "$pin" > "$work/agent.toml"
  "$bin/triage-agent" enroll --server "wss://127.0.0.1:${node_port[n1]}" --token "$agent_token" \
    --ca-sha256 "$("$bin/triage-collector" ca-fingerprint --data "$work/n1")" \
    --state "$work/agent" > /dev/null
  "$bin/triage-agent" run --state "$work/agent" --config "$work/agent.toml" 2> "$work/agent.log" &
  agent_pid=$!
  device=$(jq -r .device_id "$work/agent/enrollment.json")
  on_node2() {
    [ "$(curl -sS --cacert "$ca" -H "Authorization: Bearer $bearer" "$base/api/v1/devices/$device" |
      jq -r '.online and .node == "n2"')" = true ]
  }
  timeout=60 wait_until on_node2 || { echo "the real agent did not come online on n2" >&2; exit 1; }
fi

if [[ " $phases " == *" b "* ]]; then
  say "(b) two nodes: deltas through HAProxy; orders and tickets on n1 for the real agent on n2"
  start_loadgen b "$haproxy_port" "$url" "$duration" --collector-pid "${node_pid[n1]}"
  timeout=$((600 + agents / 50)) wait_until traffic_started b ||
    { echo "the simulated agents did not all start" >&2; exit 1; }
  say "    connected agents: n1 $(metric n1 triage_connected_agents), n2 $(metric n2 triage_connected_agents) (n2 has the real agent)"
  { "$bin/triage-ticket-bench" orders --url "$base" --ca "$ca" --token "$bearer" \
      --device "$device" --action bench-echo --requests "$orders" 2>&1 || echo "FAILED ($?)"; } |
    sed 's/^/    orders: /' | tee -a "$work/summary.txt"
  { "$bin/triage-ticket-bench" enrich --url "$base" --ca "$ca" --token "$bearer" \
      --device "$device" --requests 20 2>&1 || echo "FAILED ($?)"; } |
    sed 's/^/    tickets: /' | tee -a "$work/summary.txt"
  if grep -q "^reports:" "$work/loadgen-b.out"; then
    say "    (the orders outlasted the deltas: run with a longer DURATION_S to time them under load)"
  fi
  finish_loadgen || status=1
  loadgen_summary b
  say "    node RSS: n1 $(ps -o rss= -p "${node_pid[n1]}") KiB, n2 $(ps -o rss= -p "${node_pid[n2]}") KiB"
fi

if [[ " $phases " == *" c "* ]]; then
  say "(c) failover: node n2 killed with -9 under deltas at $rate/s"
  kill "$agent_pid" 2> /dev/null || true
  wait "$agent_pid" 2> /dev/null || true
  agent_pid=""
  # Runs until stopped (SIGTERM ends the traffic; the summary and the verification follow).
  start_loadgen c "$haproxy_port" "$url" 86400 --progress --collector-pid "${node_pid[n1]}"
  timeout=$((600 + agents / 50)) wait_until traffic_started c ||
    { echo "the simulated agents did not all start" >&2; exit 1; }
  on_n2=$(metric n2 triage_connected_agents)
  say "    before: n1 $(metric n1 triage_connected_agents) agents, n2 $on_n2 agents"
  sleep 5  # deltas flow to both nodes when the kill comes
  # From the loadgen's `progress` line (one a second: the times below are to about 1 s).
  progress_field() {
    grep '^progress' "$work/loadgen-c.out" | tail -1 | sed "s/.* $1=\([0-9]*\).*/\1/"
  }
  dropped_before=$(progress_field disconnects)
  kill -9 "${node_pid[n2]}"
  killed=$(now)
  { wait "${node_pid[n2]}" || true; } 2> /dev/null
  unset "node_pid[n2]"
  # Back: every agent of n2 has seen its connection end, and all are connected again.
  all_back() {
    [ "$(progress_field disconnects)" -ge $((dropped_before + on_n2)) ] &&
      [ "$(progress_field connected)" = "$agents" ]
  }
  if timeout=300 wait_until all_back; then
    say "    all $agents agents connected again $(elapsed "$killed" "$(now)") s after the kill ($on_n2 were on n2); n1 has $(metric n1 triage_connected_agents)"
  else
    say "    NOT all back within 300 s: n1 has $(metric n1 triage_connected_agents)"
    status=1
  fi
  sleep 5  # deltas to the survivor, then the check that nothing acknowledged is lost
  kill -TERM "$loadgen_pid"
  finish_loadgen || status=1
  loadgen_summary c
fi

say "database: $(pg_size "${url:-postgres://triage@127.0.0.1:$pg_port/postgres}"); load $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
