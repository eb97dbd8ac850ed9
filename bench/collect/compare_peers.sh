#!/usr/bin/env bash
# Side-by-side cost of one full inventory: triage's snapshot vs the peers a helpdesk might pick
# instead, installed from Debian. Installs the peers with apt-get (root), runs each once in
# the same run, and prints wall time, CPU (user+sys, children included) and peak RSS measured
# by GNU time. Outputs are kept in OUT_DIR for the "who reports what" comparison.
#   bench/collect/compare_peers.sh [BUILD_DIR] [OUT_DIR]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${1:-$repo/build-bench}"
out="${2:-/tmp/triage-peers}"
mkdir -p "$out"

if [[ $(id -u) -eq 0 ]]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  for pkg in time fusioninventory-agent inxi ocsinventory-agent; do
    if ! dpkg -s "$pkg" >/dev/null 2>&1; then
      apt-get install -y -qq --no-install-recommends "$pkg" >"$out/apt-$pkg.log" 2>&1 ||
        echo "NOTE: $pkg could not be installed (see $out/apt-$pkg.log)"
    fi
  done
else
  echo "NOTE: not root; peers are used only if already installed"
fi

"$here/run_bench.sh" "$build" --runs 1 >"$out/triage-bench.txt"
bench_bin="$build/bench/collect/triage-bench-collect"
# The agent CLI once it exists; the benchmark binary (same code path, one snapshot) until then.
agent_cmd=("$bench_bin" --runs 1)
[[ -x "$build/bin/triage-agent" ]] && "$build/bin/triage-agent" collect --json >/dev/null 2>&1 &&
  agent_cmd=("$build/bin/triage-agent" collect --json)

measure() {  # name, output file, command...
  local name="$1" file="$2"
  shift 2
  if ! command -v "$1" >/dev/null 2>&1 && [[ ! -x "$1" ]]; then
    printf "%-22s %10s %10s %12s  %s\n" "$name" "-" "-" "-" "not installed"
    return
  fi
  /usr/bin/time -f "%e %U %S %M" -o "$out/$name.time" "$@" >"$out/$file" 2>"$out/$name.stderr"
  local rc=$?
  read -r wall user sys rss <"$out/$name.time" 2>/dev/null || { wall=0; user=0; sys=0; rss=0; }
  printf "%-22s %9.2fs %9.2fs %9.1f MiB  exit %s: %s\n" "$name" "$wall" \
    "$(echo "$user + $sys" | bc)" "$(echo "scale=1; $rss / 1024" | bc)" "$rc" "$*"
}

echo "machine: $(uname -srm), $(nproc) CPUs, $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "date:    $(date -u +%Y-%m-%dT%H:%MZ)"
printf "%-22s %10s %10s %12s  %s\n" "tool" "wall" "cpu" "peak RSS" "command"
measure triage "triage.txt" "${agent_cmd[@]}"
rm -rf "$out/fusion" "$out/ocs" && mkdir -p "$out/fusion" "$out/ocs"
measure fusioninventory "fusion.log" fusioninventory-agent --local="$out/fusion"
measure inxi "inxi.txt" inxi -Fxxx -c0 --tty
measure ocsinventory "ocs.log" ocsinventory-agent --local="$out/ocs"
echo "outputs in $out"
