#!/usr/bin/env bash
# lintian on both .debs: no error. Warnings and informational tags are printed (the accepted
# ones are listed in docs/operations.md#packages).
# Usage: lintian_packages.sh OUT
set -euo pipefail
out=$1
status=0
for deb in "$out"/triage-collector_*.deb "$out"/triage-agent_*.deb; do
  echo "== lintian $(basename "$deb")"
  lintian --fail-on error --display-info --suppress-tags-from-file /dev/null "$deb" || status=1
done
exit $status
