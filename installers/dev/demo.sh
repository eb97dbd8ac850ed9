#!/usr/bin/env bash
# `make demo`: a collector on https://127.0.0.1:8443 with a development PKI and the embedded
# SQLite store, one enrolled local agent, and what to try next. Data persists in ./.demo/.
# Ctrl-C stops both processes.
set -euo pipefail

build_dir=${1:-build}
bin="$build_dir/bin"
demo=${DEMO_DIR:-.demo}
listen=${DEMO_LISTEN:-127.0.0.1:8443}
data="$demo/collector"
state="$demo/agent"
mkdir -p "$demo"
chmod 700 "$demo"

collector_pid=""
agent_pid=""
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "stopping..."
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "$collector_pid" ] && kill "$collector_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "stopped. Data kept in $demo/ (remove it for a fresh start)."
}
trap stop_all INT TERM EXIT

if [ ! -f "$data/pki/ca.pem" ]; then
  "$bin/triage-collector" init --data "$data"
  # A generated password: the console asks for a new one at the first login.
  "$bin/triage-collector" user add --data "$data" --name admin --role admin > "$demo/admin-password"
  chmod 600 "$demo/admin-password"
fi
fingerprint=$("$bin/triage-collector" ca-fingerprint --data "$data")

"$bin/triage-collector" serve --data "$data" --listen "$listen" \
  > "$demo/collector.out" 2> "$demo/collector.log" &
collector_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$demo/collector.out" 2>/dev/null && break
  if ! kill -0 "$collector_pid" 2>/dev/null; then
    cat "$demo/collector.log" >&2
    echo "the collector did not start (is $listen in use? set DEMO_LISTEN=127.0.0.1:PORT)" >&2
    exit 1
  fi
  sleep 0.1
done
url=$(sed -n 's/.*listening on \(https:\/\/[^ ]*\).*/\1/p' "$demo/collector.out")
wss_url="wss://${url#https://}"

if [ ! -f "$state/enrollment.json" ]; then
  token=$("$bin/triage-collector" token create --data "$data" --ttl 10m --uses 1 2>/dev/null)
  # On stdin, not in argv: a token on the command line is visible to every user in `ps`.
  printf '%s\n' "$token" | "$bin/triage-agent" enroll --server "$wss_url" --token-stdin \
    --ca-sha256 "$fingerprint" --state "$state"
fi
"$bin/triage-agent" run --state "$state" 2> "$demo/agent.log" &
agent_pid=$!

# A sample ticket about this machine, enriched with its fresh diagnostics and findings.
api() {
  curl -sS --cacert "$data/pki/ca.pem" -H "Content-Type: application/json" "$@"
}
# The sample ticket below is opened by a service account (no password, API token only).
if [ ! -f "$demo/demo-token" ]; then
  "$bin/triage-collector" user add --data "$data" --name demo-setup --role technician --service \
    2>/dev/null || true  # kept from an earlier run
  (umask 077 && "$bin/triage-collector" api-token create --data "$data" --user demo-setup \
    --name "make demo" --ttl 30d > "$demo/demo-token" 2>/dev/null)
fi
token=$(cat "$demo/demo-token")
device=$(jq -r .device_id "$state/enrollment.json")
for _ in $(seq 1 150); do
  [ "$(api -H "Authorization: Bearer $token" "$url/api/v1/devices/$device" | jq -r .online)" = true ] && break
  sleep 0.1
done
ticket=$(api -H "Authorization: Bearer $token" "$url/api/v1/tickets" \
  -d "$(jq -n --arg d "$device" '{title: "Laptop is slow since this morning", requester: "demo user", priority: "P3", device_id: $d}')" |
  jq -r .id)

cat <<MSG

  triage is running.
    collector   $url        (log: $demo/collector.log)
    agent       enrolled, state in $state   (log: $demo/agent.log)
    CA sha256   $fingerprint
    admin       user "admin", first password: $(cat "$demo/admin-password")
                (you choose your own at the first login, before anything else works)

  Web console: $url/  (log in as admin and set your password; the browser warns about the
  demo CA unless you import $data/pki/ca.pem), then open $url/#/tickets/$ticket

  Sample ticket #$ticket about this machine, with its diagnostics and findings:
    curl -s --cacert $data/pki/ca.pem -H "Authorization: Bearer $token" $url/api/v1/tickets/$ticket

  Try (the demo-setup service account's API token is in $demo/demo-token):
    curl -s --cacert $data/pki/ca.pem -H "Authorization: Bearer \$(cat $demo/demo-token)" $url/api/v1/devices
    $bin/triage-agent collect            # this machine's diagnostics, no server needed

  Ctrl-C stops everything.
MSG
wait
