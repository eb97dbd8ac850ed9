#!/usr/bin/env bash
# The packages installed for real: `dpkg -i` with their maintainer scripts into a Debian 12 root
# made by mmdebstrap from the Debian mirror (cached as a tarball under /var/cache/triage/,
# keyed by suite, date and the packages' dependencies), the installed collector and agent
# started from their installed paths (no systemd runs here: as the units would start them),
# the agent enrolled from its token file and seen online; then an upgrade to a newer build
# (data, device identity and edited configuration kept), remove (data kept) and purge
# (deleted, and said so).
# Usage: install_test.sh OUT (the packages of build_packages.sh) BUILD_DIR
set -euo pipefail
out=$1 build=$2
# dpkg -i into a root, chroot and mounting /proc need root; mmdebstrap comes from Debian.
if [ "$(id -u)" -ne 0 ] || ! command -v mmdebstrap > /dev/null; then
  echo "skipped: needs root and mmdebstrap (installers/dev/install-deps.sh)"
  exit 77
fi
suite=bookworm
cache=/var/cache/triage/mmdebstrap

collector_deb=$(ls "$out"/triage-collector_*_amd64.deb)
agent_deb=$(ls "$out"/triage-agent_*_amd64.deb)

# The root holds what the packages depend on, so dpkg -i needs no network.
deps=$( (dpkg-deb -f "$collector_deb" Depends; dpkg-deb -f "$agent_deb" Depends) |
  tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/ //g' | grep -v '^$' | sort -u | paste -sd, -)
key=$(echo "$deps" | sha256sum | cut -c1-12)
tarball=$cache/$suite-$(date +%Y%m%d)-$key.tar
mkdir -p "$cache"
if [ ! -f "$tarball" ]; then
  echo "== mmdebstrap $suite (cache miss: $tarball)"
  # mmdebstrap picks the output format from the name: it must end in .tar.
  partial=$cache/partial-$(basename "$tarball")
  mmdebstrap --quiet --variant=minbase --include="$deps,ca-certificates" "$suite" "$partial" \
    http://deb.debian.org/debian
  mv "$partial" "$tarball"
fi

work=$(mktemp -d /var/tmp/triage-install-test.XXXXXX)
root=$work/root
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  umount "$root/proc" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$root"
tar -C "$root" -xf "$tarball"
mount -t proc proc "$root/proc"
in_root() { chroot "$root" "$@"; }

fail() { echo "FAIL: $*" >&2; exit 1; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds
  local deadline=$(($(date +%s) + $1)) what=$2
  shift 2
  until "$@" > /dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "timed out waiting for $what"
    sleep 0.2
  done
}

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=https://127.0.0.1:$port

start_collector() {
  chroot "$root" runuser -u triage -- triage-collector serve --data /var/lib/triage-collector \
    --config /etc/triage/collector.toml > "$work/collector.log" 2>&1 &
  collector_pid=$!
  pids+=("$collector_pid")
  wait_for 30 "the installed collector" curl -sf --cacert "$root/var/lib/triage-collector/pki/ca.pem" "$url/healthz"
}
stop_collector() { kill "$collector_pid"; wait "$collector_pid" || true; }
start_agent() {
  chroot "$root" triage-agent run > "$work/agent.log" 2>&1 &
  agent_pid=$!
  pids+=("$agent_pid")
}
stop_agent() { kill "$agent_pid"; wait "$agent_pid" || true; }
api_token() {
  curl -sf --cacert "$root/var/lib/triage-collector/pki/ca.pem" -H 'Content-Type: application/json' \
    -d '{"name":"admin","password":"install-test-password-1"}' "$url/api/v1/auth/login" | jq -r .token
}
online() { # online DEVICE_ID
  curl -sf --cacert "$root/var/lib/triage-collector/pki/ca.pem" -H "Authorization: Bearer $token" \
    "$url/api/v1/devices/$1" | jq -e '.online == true'
}

echo "== dpkg -i"
cp "$collector_deb" "$agent_deb" "$root/tmp/"
start=$(date +%s%N)
in_root dpkg -i "/tmp/$(basename "$collector_deb")" "/tmp/$(basename "$agent_deb")" | tee "$work/install.log"
echo "installed both packages in $((($(date +%s%N) - start) / 1000000)) ms"
grep -q 'CA sha256: ' "$work/install.log" || fail "postinst did not initialize the data directory"
in_root getent passwd triage > /dev/null || fail "no triage user"
[ "$(in_root stat -c '%U %a' /var/lib/triage-collector)" = "triage 700" ] || fail "data dir owner/mode"
[ "$(in_root stat -c '%U %G %a' /etc/triage/collector.toml)" = "root triage 640" ] || fail "collector.toml owner/mode"
ca=$(in_root runuser -u triage -- triage-collector ca-fingerprint --data /var/lib/triage-collector)

# The site's settings: the port, and the agent's collector.
sed -i "s|^# listen = .*|listen = \"127.0.0.1:$port\"|" "$root/etc/triage/collector.toml"
sed -i "s|^# url = .*|url = \"wss://127.0.0.1:$port\"|; s|^# ca_sha256 = .*|ca_sha256 = \"$ca\"|" \
  "$root/etc/triage/agent.toml"
echo "install-test-password-1" | in_root runuser -u triage -- triage-collector user add \
  --data /var/lib/triage-collector --name admin --role admin --password-stdin
in_root runuser -u triage -- triage-collector token create --data /var/lib/triage-collector \
  > "$root/etc/triage/enroll.token"
chmod 0600 "$root/etc/triage/enroll.token"

start_collector
token=$(api_token)
[ -n "$token" ] && [ "$token" != null ] || fail "admin login"
start_agent
wait_for 30 "enrollment from the token file" test -s "$root/var/lib/triage-agent/enrollment.json"
device=$(jq -r .device_id "$root/var/lib/triage-agent/enrollment.json")
wait_for 30 "device $device online" online "$device"
[ ! -e "$root/etc/triage/enroll.token" ] || fail "the token file was not deleted"
echo "device $device enrolled from its token file and online"

echo "== upgrade to a newer build"
stop_agent
stop_collector
newer=$work/newer
mkdir -p "$newer"
version=$(dpkg-deb -f "$collector_deb" Version)
for generator in DEB; do
  cpack --config "$build/CPackConfig.cmake" -G "$generator" -B "$newer" \
    -R "$version.1" > "$newer/cpack.log" 2>&1 || { cat "$newer/cpack.log"; exit 1; }
done
cp "$newer"/*.deb "$root/tmp/"
in_root sh -c 'dpkg -i /tmp/triage-collector_*.1_amd64.deb /tmp/triage-agent_*.1_amd64.deb'
in_root dpkg-query -W -f='${Version}\n' triage-collector | grep -qx "$version.1" || fail "not upgraded"
grep -q "^listen = \"127.0.0.1:$port\"" "$root/etc/triage/collector.toml" || fail "edited config lost"
[ "$(in_root runuser -u triage -- triage-collector ca-fingerprint --data /var/lib/triage-collector)" = "$ca" ] ||
  fail "the CA changed"
start_collector
token=$(api_token)
start_agent
wait_for 30 "device $device online after the upgrade" online "$device"
[ "$(jq -r .device_id "$root/var/lib/triage-agent/enrollment.json")" = "$device" ] || fail "identity changed"
echo "upgraded: same CA, same device $device online"
stop_agent
stop_collector

echo "== remove, then purge"
in_root dpkg -r triage-collector triage-agent | tee "$work/remove.log"
[ -f "$root/var/lib/triage-collector/collector.db" ] || fail "remove deleted the database"
[ -f "$root/var/lib/triage-agent/enrollment.json" ] || fail "remove deleted the enrollment"
in_root dpkg -P triage-collector triage-agent 2>&1 | tee "$work/purge.log"
grep -q 'purge deletes /var/lib/triage-collector' "$work/purge.log" || fail "purge did not say what it deletes"
[ ! -e "$root/var/lib/triage-collector" ] || fail "purge kept the collector's data"
[ ! -e "$root/var/lib/triage-agent" ] || fail "purge kept the agent's state"
[ ! -e "$root/etc/triage" ] || fail "purge kept /etc/triage"
echo "remove kept the data; purge deleted it and said so"
