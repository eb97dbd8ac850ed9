#!/usr/bin/env bash
# Builds and runs the snapshot benchmark. Usage: bench/collect/run_bench.sh [BUILD_DIR] [bench args]
# BUILD_DIR defaults to build-bench (configured on demand, only the collectors library is built).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${1:-$repo/build-bench}"
shift || true
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j2 --target triage_agent_collectors triage_protocol >/dev/null
bin="$build/bench/triage-bench-collect"
mkdir -p "$build/bench"
# Compiled directly so the benchmark works before the top-level CMakeLists adds bench/.
c++ -std=c++20 -O2 -I"$repo" -I"$build/shared/proto" "$here/bench_collect.cpp" \
  "$build/agent/collectors/libtriage_agent_collectors.a" "$build/shared/protocol/libtriage_protocol.a" \
  "$build/shared/proto/libtriage_proto.a" \
  "$build/shared/util/libtriage_util.a" -lprotobuf -lz -lspdlog -lfmt -lpthread -o "$bin"
echo "machine: $(uname -srm), $(nproc) CPUs, $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "command: $bin $*"
"$bin" "$@"
