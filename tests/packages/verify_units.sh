#!/usr/bin/env bash
# `systemd-analyze verify` on the units as the .debs install them, with ExecStart pointed at
# the built binaries (verify checks that the command exists), and the collector unit's
# hardening.
# Usage: verify_units.sh OUT BIN_DIR
set -euo pipefail
out=$1 bin=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$out"/triage-collector_*.deb "$work/root"
dpkg-deb -x "$out"/triage-agent_*.deb "$work/root"
status=0
collector_unit=$work/root/lib/systemd/system/triage-collector.service
for line in 'User=triage' 'StateDirectory=triage-collector' 'ProtectSystem=strict' \
  'NoNewPrivileges=yes' 'CapabilityBoundingSet=' 'AmbientCapabilities=' 'PrivateTmp=yes' \
  'ProtectHome=yes' 'ExecStart=/usr/bin/triage-collector serve --data /var/lib/triage-collector --config /etc/triage/collector.toml'; do
  grep -qxF "$line" "$collector_unit" || { echo "FAIL: triage-collector.service lacks $line" >&2; status=1; }
done
for unit in triage-collector triage-agent; do
  sed "s|/usr/bin/$unit|$bin/$unit|" "$work/root/lib/systemd/system/$unit.service" > "$work/$unit.service"
  echo "== systemd-analyze verify $unit.service"
  if ! systemd-analyze verify "$work/$unit.service"; then status=1; fi
done
exit $status
