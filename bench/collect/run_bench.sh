#!/usr/bin/env bash
# Builds and runs the snapshot benchmark. Usage: bench/collect/run_bench.sh [BUILD_DIR] [bench args]
# BUILD_DIR defaults to build-bench (configured on demand; only the benchmark and what it links are built).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${1:-$repo/build-bench}"
shift || true
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j2 --target triage-bench-collect >/dev/null
bin="$build/bench/collect/triage-bench-collect"
echo "machine: $(uname -srm), $(nproc) CPUs, $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "command: $bin $*"
"$bin" "$@"
