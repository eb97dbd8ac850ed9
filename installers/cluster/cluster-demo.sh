#!/usr/bin/env bash
# `make cluster-demo` / `make cluster-demo-stop`: a collector cluster on 127.0.0.1, from
# scratch — PostgreSQL 15 (initdb into the demo directory, run as the `postgres` user when
# started by root), node A made by `init`, node B by `node add`, both serving from that
# database, HAProxy in TCP mode in front of them (agents through it, nodes checked on /healthz),
# and one real agent enrolled through HAProxy. It returns once the agent is online and leaves
# everything running in the background; the PIDs are in DIR/pids, and `stop` ends them.
#
#   cluster-demo.sh start BUILD_DIR     (make cluster-demo)
#   cluster-demo.sh stop BUILD_DIR      (make cluster-demo-stop)
#
# Environment: CLUSTER_DEMO_DIR (default BUILD_DIR/cluster-demo; wiped at each start),
# CLUSTER_DEMO_PG_PORT (55432), CLUSTER_DEMO_NODE_A_PORT (19443), CLUSTER_DEMO_NODE_B_PORT
# (19444), CLUSTER_DEMO_LB_PORT (19440: HAProxy, where agents connect).
set -euo pipefail

command=${1:-}
build_dir=${2:-build}
bin="$build_dir/bin"
demo=${CLUSTER_DEMO_DIR:-$build_dir/cluster-demo}
pg_port=${CLUSTER_DEMO_PG_PORT:-55432}
a_port=${CLUSTER_DEMO_NODE_A_PORT:-19443}
b_port=${CLUSTER_DEMO_NODE_B_PORT:-19444}
lb_port=${CLUSTER_DEMO_LB_PORT:-19440}
pg_bin=/usr/lib/postgresql/15/bin
pids="$demo/pids"

die() {
  echo "cluster-demo: $*" >&2
  exit 1
}

# The executable a PID runs, by its base name ("" when the process is gone). A binary rebuilt
# since it started reads "NAME (deleted)".
exe_of() {
  local exe
  exe=$(readlink "/proc/$1/exe" 2> /dev/null) || return 0
  exe=${exe% (deleted)}
  echo "${exe##*/}"
}

# Stops what DIR/pids lists, newest first, each by its PID and only while that PID still runs
# the program it was started as: SIGTERM (SIGINT for PostgreSQL: its fast shutdown), up to
# 30 s, then SIGKILL.
stop_demo() {
  [ -f "$pids" ] || {
    echo "cluster-demo: nothing to stop ($pids does not exist)"
    return 0
  }
  tac "$pids" | while read -r name program pid; do
    if [ "$(exe_of "$pid")" != "$program" ]; then
      echo "  $name (pid $pid): already stopped"
      continue
    fi
    signal=TERM
    [ "$program" = postgres ] && signal=INT
    kill "-$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do
      [ "$(exe_of "$pid")" = "$program" ] || break
      sleep 0.1
    done
    if [ "$(exe_of "$pid")" = "$program" ]; then
      kill -KILL "$pid" 2>/dev/null || true
      echo "  $name (pid $pid): killed"
    else
      echo "  $name (pid $pid): stopped"
    fi
  done
  rm -f "$pids"
  echo "cluster-demo: stopped; its data stays in $demo until the next start"
}

# Polls a command (`$2`...) every 100 ms for up to `$1` seconds.
wait_for() {
  local timeout=$1
  shift
  for _ in $(seq 1 $((timeout * 10))); do
    "$@" > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# Starts a program in the background in a session of its own (so a Ctrl-C in this terminal
# later does not reach it) and records its PID. setsid and setpriv exec in place: $! is the
# program's own PID.
start_bg() {
  local name=$1 program=$2 log=$3
  shift 3
  setsid "$@" > "$log" 2>&1 < /dev/null &
  echo "$name $program $!" >> "$pids"
}

listening_on() {
  grep -q "listening on" "$1"
}

case "$command" in
  stop)
    stop_demo
    exit 0
    ;;
  start) ;;
  *) die "usage: $0 start|stop [BUILD_DIR]" ;;
esac

for tool in "$bin/triage-collector" "$bin/triage-agent" "$pg_bin/initdb" /usr/sbin/haproxy; do
  [ -x "$tool" ] || die "$tool is missing (make build; installers/dev/install-deps.sh)"
done
for tool in curl jq setsid setpriv; do
  command -v "$tool" > /dev/null || die "$tool is missing (installers/dev/install-deps.sh)"
done
if [ -f "$pids" ]; then
  while read -r name program pid; do
    if [ "$(exe_of "$pid")" = "$program" ]; then
      die "already running ($name is pid $pid): make cluster-demo-stop first"
    fi
  done < "$pids"
fi

# From scratch every time: a demo left from an earlier run is replaced.
rm -rf "$demo"
mkdir -p "$demo"
demo=$(cd "$demo" && pwd)
pids="$demo/pids"
# Traversable by the postgres user, readable by no one else: the nodes' keys live below.
chmod 711 "$demo"
: > "$pids"
# Whatever stops this script before the end (a failure, Ctrl-C) stops what it started.
running=0
on_exit() {
  if [ "$running" != 1 ]; then
    echo "cluster-demo: did not finish; stopping what it started (logs in $demo)" >&2
    [ -s "$demo/commands.log" ] && tail -n 5 "$demo/commands.log" >&2
    stop_demo > /dev/null
  fi
}
trap on_exit EXIT

echo "cluster-demo: PostgreSQL 15 on 127.0.0.1:$pg_port"
pgdata="$demo/postgres"
mkdir -m 700 "$pgdata"
# PostgreSQL refuses to run as root: then it runs as Debian's `postgres` system user.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$pgdata"
  as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  "${as_pg[@]}" test -w "$pgdata" ||
    die "the postgres user cannot reach $pgdata: every directory above it must be searchable (chmod o+x)"
fi
"${as_pg[@]}" "$pg_bin/initdb" -D "$pgdata/data" -U triage -A trust -E UTF8 --locale=C \
  --no-instructions > "$demo/initdb.log" 2>&1 || {
  cat "$demo/initdb.log" >&2
  die "initdb failed"
}
start_bg postgres postgres "$demo/postgres.log" "${as_pg[@]}" "$pg_bin/postgres" \
  -D "$pgdata/data" -p "$pg_port" -h 127.0.0.1 -k "$pgdata" -c max_connections=100
wait_for 60 "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" -U triage || {
  cat "$demo/postgres.log" >&2
  die "PostgreSQL did not start (is port $pg_port in use? set CLUSTER_DEMO_PG_PORT)"
}
"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U triage triage

# The configuration every node shares; node-a adds its own [cluster] name, `node add` writes
# node-b's.
cat > "$demo/cluster.toml" << TOML
[storage]
backend = "postgres"
url = "postgres://triage@127.0.0.1:$pg_port/triage"

[limits]
# Every agent arrives from HAProxy's address: no per-address cap for it.
per_address_exempt = ["127.0.0.1"]
TOML
chmod 600 "$demo/cluster.toml"

start_node() {
  local name=$1 data=$2 port=$3
  start_bg "$name" triage-collector "$demo/$name.log" \
    "$bin/triage-collector" serve --data "$data" --listen "127.0.0.1:$port"
  local out="$demo/$name.log"
  wait_for 60 listening_on "$out" || {
    cat "$out" >&2
    die "$name did not start (is port $port in use? set CLUSTER_DEMO_NODE_*_PORT)"
  }
}

echo "cluster-demo: node-a (init) on 127.0.0.1:$a_port"
a="$demo/node-a"
"$bin/triage-collector" init --data "$a" > "$demo/init.log" 2>> "$demo/commands.log"
# In the data directory, where serve and every command read it without --config.
{
  cat "$demo/cluster.toml"
  printf '\n[cluster]\nnode = "node-a"\n'
} > "$a/collector.toml"
chmod 600 "$a/collector.toml"
start_node node-a "$a" "$a_port"

# The admin's password is generated and printed once; the console asks for a new one at the
# first login.
(umask 077 && "$bin/triage-collector" user add --data "$a" --name admin --role admin \
  > "$demo/admin-password" 2>> "$demo/commands.log")
# A service account for the demo's own API calls (and yours: its token is in demo-token).
"$bin/triage-collector" user add --data "$a" --name demo-setup --role technician --service \
  2>> "$demo/commands.log"
(umask 077 && "$bin/triage-collector" api-token create --data "$a" --user demo-setup \
  --name "make cluster-demo" --ttl 30d > "$demo/demo-token" 2>> "$demo/commands.log")

echo "cluster-demo: node-b (node add) on 127.0.0.1:$b_port"
b="$demo/node-b"
"$bin/triage-collector" node add --from "$a" --data "$b" --config "$demo/cluster.toml" \
  --name node-b > "$demo/node-add.log" 2>> "$demo/commands.log"
start_node node-b "$b" "$b_port"

echo "cluster-demo: HAProxy on 127.0.0.1:$lb_port (TCP, nodes checked on /healthz)"
cat > "$demo/haproxy.cfg" << CFG
global
  maxconn 4096

defaults
  mode tcp
  timeout connect 5s
  # Agent WebSockets stay open for hours; the collector pings them itself.
  timeout client 1h
  timeout server 1h
  retries 2
  option redispatch

frontend agents
  bind 127.0.0.1:$lb_port
  default_backend nodes

backend nodes
  balance leastconn
  # TLS passes through (mutual TLS ends at the node); the check is its own HTTPS request.
  option httpchk GET /healthz
  http-check expect status 200
  default-server check check-ssl verify required ca-file $a/pki/ca.pem inter 2s fall 2 rise 2
  server node-a 127.0.0.1:$a_port
  server node-b 127.0.0.1:$b_port
CFG
start_bg haproxy haproxy "$demo/haproxy.log" /usr/sbin/haproxy -db -f "$demo/haproxy.cfg"
lb_url="https://127.0.0.1:$lb_port"
wait_for 30 curl -sf --cacert "$a/pki/ca.pem" "$lb_url/healthz" || {
  cat "$demo/haproxy.log" >&2
  die "HAProxy did not pass a request to a node (is port $lb_port in use? set CLUSTER_DEMO_LB_PORT)"
}

echo "cluster-demo: one agent enrolled through HAProxy"
fingerprint=$("$bin/triage-collector" ca-fingerprint --data "$a")
state="$demo/agent"
token=$("$bin/triage-collector" token create --data "$a" --ttl 10m --uses 1 2>> "$demo/commands.log")
# On stdin, not in argv: a token on the command line is visible to every user in `ps`.
printf '%s\n' "$token" | "$bin/triage-agent" enroll --server "wss://127.0.0.1:$lb_port" \
  --token-stdin --ca-sha256 "$fingerprint" --state "$state" > "$demo/enroll.log" 2>&1 || {
  cat "$demo/enroll.log" >&2
  die "the agent did not enroll through HAProxy"
}
printf '[probes]\nenabled = false\n' > "$demo/agent.toml"
start_bg agent triage-agent "$demo/agent.log" \
  "$bin/triage-agent" run --state "$state" --config "$demo/agent.toml"

device=$(jq -r .device_id "$state/enrollment.json")
api_token=$(cat "$demo/demo-token")
device_on() {
  curl -sf --cacert "$a/pki/ca.pem" -H "Authorization: Bearer $api_token" \
    "https://127.0.0.1:$1/api/v1/devices/$device"
}
online() {
  [ "$(device_on "$a_port" | jq -r .online)" = true ]
}
wait_for 60 online || {
  tail -n 20 "$demo/agent.log" >&2
  die "the agent did not come online"
}
node=$(device_on "$b_port" | jq -r .node)
running=1

cat << MSG

  triage cluster demo is running (everything on 127.0.0.1; data in $demo).
    PostgreSQL  127.0.0.1:$pg_port, database triage, user triage   (log: $demo/postgres.log)
    node-a      https://127.0.0.1:$a_port   (data: $a, log: $demo/node-a.log)
    node-b      https://127.0.0.1:$b_port   (data: $b, log: $demo/node-b.log)
    HAProxy     127.0.0.1:$lb_port for agents, TCP, /healthz checks   (config: $demo/haproxy.cfg)
    agent       device $device, online on $node through HAProxy   (log: $demo/agent.log)

  Web console: https://127.0.0.1:$a_port/  (or node-b's; both show the same site)
    admin       user "admin", first password: $(cat "$demo/admin-password")
                (you choose your own at the first login; the browser warns about the demo CA
                unless you import $a/pki/ca.pem)

  Try:
    curl -s --cacert $a/pki/ca.pem -H "Authorization: Bearer \$(cat $demo/demo-token)" https://127.0.0.1:$b_port/api/v1/devices
    kill -9 the node the agent is on (PIDs in $demo/pids): it comes back on the other one
    $bin/triage-collector audit verify --data $b      # reads PostgreSQL (node-b/collector.toml)

  Stop it: make cluster-demo-stop   (or: $0 stop $build_dir)
MSG
