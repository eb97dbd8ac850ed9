#!/usr/bin/env bash
# Cross-builds triage-agent.exe for 64-bit Windows into BUILD_DIR (default build-windows):
# the cached static libraries first (build-deps.sh; instant once built), then the agent with
# cmake/toolchains/mingw-w64-x86_64.cmake. The result, BUILD_DIR/bin/triage-agent.exe, is
# statically linked and stripped; this script fails if it imports any DLL that is not part of
# Windows itself.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
build_dir="${1:-$repo/build-windows}"
jobs="${JOBS:-2}"
triple=x86_64-w64-mingw32

prefix="$("$repo/installers/windows/build-deps.sh")"
cmake -S "$repo" -B "$build_dir" -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/toolchains/mingw-w64-x86_64.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DTRIAGE_WINDOWS_DEPS_PREFIX="$prefix" > /dev/null
cmake --build "$build_dir" -j"$jobs" --target triage-agent

exe="$build_dir/bin/triage-agent.exe"
"$triple-strip" "$exe"
# Only DLLs every Windows 10 has: the system's own and the C runtime (msvcrt).
system_dlls='^(kernel32|user32|advapi32|shell32|ole32|oleaut32|ws2_32|mswsock|crypt32|bcrypt|gdi32|iphlpapi|wtsapi32|psapi|userenv|msvcrt|ntdll|secur32|rpcrt4|shlwapi|netapi32)\.dll$'
others="$("$triple-objdump" -p "$exe" | sed -n 's/^\s*DLL Name: //p' | tr 'A-Z' 'a-z' |
  grep -Ev "$system_dlls" || true)"
if [ -n "$others" ]; then
  echo "build-agent: $exe imports DLLs that are not part of Windows: $others" >&2
  exit 1
fi
echo "$exe: $(stat -c %s "$exe") bytes, stripped; imports only Windows' own DLLs"
