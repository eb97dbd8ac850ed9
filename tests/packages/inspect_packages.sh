#!/usr/bin/env bash
# What the packages hold and do, read from the built files (build_packages.sh): names, files,
# owners and modes, conffiles, dependencies, maintainer scripts, stripped binaries.
# Usage: inspect_packages.sh OUT
set -euo pipefail
out=$1
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

one() { # the single file matching a glob
  local matches=("$out"/$1)
  [ ${#matches[@]} -eq 1 ] && [ -e "${matches[0]}" ] || { echo "no single $1 in $out" >&2; exit 1; }
  echo "${matches[0]}"
}
collector=$(one 'triage-collector_*_amd64.deb')
agent=$(one 'triage-agent_*_amd64.deb')
rpm=$(one 'triage-agent-*.x86_64.rpm')

# has_entry DEB MODE PATH: `dpkg-deb -c` lists PATH with MODE, owned by root/root.
has_entry() {
  local listing
  listing=$(dpkg-deb -c "$1")
  echo "$listing" | awk -v m="$2" -v p="./$3" '$1 == m && $2 == "root/root" && $6 == p { found = 1 } END { exit !found }' ||
    fail "$(basename "$1"): expected $2 root/root ./$3"
}

has_entry "$collector" -rwxr-xr-x usr/bin/triage-collector
has_entry "$collector" -rwxr-xr-x usr/bin/triagectl
has_entry "$collector" -rw-r--r-- lib/systemd/system/triage-collector.service
has_entry "$collector" -rw-r----- etc/triage/collector.toml
has_entry "$collector" -rw-r--r-- usr/share/doc/triage-collector/copyright
has_entry "$collector" -rw-r--r-- usr/share/doc/triage-collector/changelog.gz
has_entry "$collector" -rw-r--r-- usr/share/doc/triage-collector/operations.md
has_entry "$agent" -rwxr-xr-x usr/bin/triage-agent
has_entry "$agent" -rw-r--r-- lib/systemd/system/triage-agent.service
has_entry "$agent" -rw-r--r-- etc/triage/agent.toml
has_entry "$agent" -rw-r--r-- usr/share/doc/triage-agent/copyright
has_entry "$agent" -rw-r--r-- usr/share/doc/triage-agent/changelog.gz
# Each package holds its own product only.
dpkg-deb -c "$collector" | grep -q 'triage-agent' && fail "the collector package holds agent files"
dpkg-deb -c "$agent" | grep -q 'triage-collector\|triagectl' && fail "the agent package holds collector files"

# Control: names, dependencies (dpkg-shlibdeps found the libraries), conffiles, scripts.
check_control() {
  local deb=$1 name=$2 conffile=$3
  local control
  control=$(dpkg-deb -f "$deb")
  echo "$control" | grep -qx "Package: $name" || fail "$name: Package field"
  echo "$control" | grep -q '^Depends:.*adduser' || fail "$name: Depends lacks adduser"
  echo "$control" | grep -q '^Depends:.*libc6 (>= ' || fail "$name: Depends lacks libc6 (shlibdeps)"
  echo "$control" | grep -q '^Depends:.*libssl3' || fail "$name: Depends lacks libssl3 (shlibdeps)"
  local dir
  dir=$(mktemp -d)
  dpkg-deb -e "$deb" "$dir"
  [ "$(cat "$dir/conffiles")" = "$conffile" ] || fail "$name: conffiles is '$(cat "$dir/conffiles")'"
  for script in postinst prerm postrm; do
    [ "$(stat -c %a "$dir/$script")" = 755 ] || fail "$name: $script is not 0755"
    sh -n "$dir/$script" || fail "$name: $script is not valid sh"
  done
  rm -rf "$dir"
}
check_control "$collector" triage-collector /etc/triage/collector.toml
check_control "$agent" triage-agent /etc/triage/agent.toml

scripts=$(mktemp -d)
dpkg-deb -e "$collector" "$scripts/collector"
dpkg-deb -e "$agent" "$scripts/agent"
grep -q 'adduser --system' "$scripts/collector/postinst" || fail "collector postinst creates no user"
grep -q 'triage-collector init --data' "$scripts/collector/postinst" ||
  fail "collector postinst does not initialize the data directory"
grep -q 'ls -A' "$scripts/collector/postinst" || fail "collector postinst runs init unconditionally"
grep -q 'purge deletes' "$scripts/collector/postrm" || fail "collector purge does not say what it deletes"
grep -q 'addgroup --system --quiet triage' "$scripts/agent/postinst" || fail "agent postinst creates no group"
grep -q 'purge deletes' "$scripts/agent/postrm" || fail "agent purge does not say what it deletes"
rm -rf "$scripts"

# Stripped binaries (lintian's unstripped-binary-or-object, and the size).
root=$(mktemp -d)
dpkg-deb -x "$collector" "$root"
dpkg-deb -x "$agent" "$root"
for binary in triage-collector triagectl triage-agent; do
  if readelf -S "$root/usr/bin/$binary" | grep -q '\.debug_info'; then fail "$binary is not stripped"; fi
done
rm -rf "$root"

# The RPM: files, config files, scripts, requirements.
rpm_files=$(rpm -qpl "$rpm" 2> /dev/null)
for path in /usr/bin/triage-agent /usr/lib/systemd/system/triage-agent.service /etc/triage/agent.toml; do
  echo "$rpm_files" | grep -qx "$path" || fail "rpm lacks $path"
done
echo "$rpm_files" | grep -qE '^/(etc|usr/lib/systemd/system|usr/bin)$' && fail "rpm owns a system directory"
[ "$(rpm -qp --configfiles "$rpm" 2> /dev/null)" = "/etc/triage/agent.toml" ] || fail "rpm config files"
rpm -qp --scripts "$rpm" 2> /dev/null | grep -q 'groupadd -r triage' || fail "rpm %post creates no group"
rpm -qp --requires "$rpm" 2> /dev/null | grep -q 'libssl.so.3' || fail "rpm requires no libssl.so.3"

echo "inspected $(basename "$collector") $(basename "$agent") $(basename "$rpm"): $failures failure(s)"
[ "$failures" -eq 0 ]
