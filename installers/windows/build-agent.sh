#!/usr/bin/env bash
# Cross-builds triage-agent.exe for 64-bit Windows into BUILD_DIR (default build-windows):
# the cached static libraries first (build-deps.sh; instant once built), then the agent with
# cmake/toolchains/mingw-w64-x86_64.cmake. The result, BUILD_DIR/bin/triage-agent.exe, is
# statically linked and stripped; this script fails if it imports any DLL that is not part of
# Windows itself. Then BUILD_DIR/bin/triage-agent.msi packages it (wixl).
#
#   build-agent.sh [BUILD_DIR [TARGET...]]
#
# TARGETs are built besides the agent (the tests run the platform layer's tests,
# triage_windows_tests and triage_windows_test_child, under Wine).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
build_dir="${1:-$repo/build-windows}"
shift || true
jobs="${JOBS:-2}"
triple=x86_64-w64-mingw32

prefix="$("$repo/installers/windows/build-deps.sh")"
cmake -S "$repo" -B "$build_dir" -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/toolchains/mingw-w64-x86_64.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DTRIAGE_WINDOWS_DEPS_PREFIX="$prefix" > /dev/null
cmake --build "$build_dir" -j"$jobs" --target triage-agent "$@"

exe="$build_dir/bin/triage-agent.exe"
"$triple-strip" "$exe"
# Only DLLs every Windows 10 has: the system's own and the C runtime (msvcrt).
system_dlls='^(kernel32|user32|advapi32|shell32|ole32|oleaut32|ws2_32|mswsock|crypt32|bcrypt|gdi32|iphlpapi|wtsapi32|psapi|userenv|msvcrt|ntdll|secur32|rpcrt4|shlwapi|netapi32|wevtapi)\.dll$'
others="$("$triple-objdump" -p "$exe" | sed -n 's/^\s*DLL Name: //p' | tr 'A-Z' 'a-z' |
  grep -Ev "$system_dlls" || true)"
if [ -n "$others" ]; then
  echo "build-agent: $exe imports DLLs that are not part of Windows: $others" >&2
  exit 1
fi
echo "$exe: $(stat -c %s "$exe") bytes, stripped; imports only Windows' own DLLs"

# The MSI beside it (installers/windows/triage-agent.wxs). wixl reads a File's Source relative
# to the working directory.
version="$(sed -n 's/^project(triage VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")"
[ -n "$version" ] || { echo "build-agent: no project version in $repo/CMakeLists.txt" >&2; exit 1; }
msi="$build_dir/bin/triage-agent.msi"
(cd "$build_dir/bin" && wixl -a x64 -D Version="$version" -D AgentExe=triage-agent.exe \
  -o "$msi.tmp" "$repo/installers/windows/triage-agent.wxs" 2> "$build_dir/wixl.log") ||
  { cat "$build_dir/wixl.log" >&2; exit 1; }
mv "$msi.tmp" "$msi"
echo "$msi: $(stat -c %s "$msi") bytes"
