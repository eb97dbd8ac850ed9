#!/bin/sh
# Builds the Windows platform tests with mingw-w64 straight from the sources (no CMake and no
# Windows OpenSSL/Protobuf/SQLite needed: only the platform layer and what it uses) and runs
# them under Wine. The Windows CMake build (tests/windows/CMakeLists.txt) builds the same.
#
#   tests/windows/run_under_wine.sh [catch2 arguments...]
#
# TRIAGE_WINDOWS_TEST_OUT: where objects and .exe files go (default build-windows-tests/);
# WINEPREFIX: the Wine prefix (default /tmp/triage-wine-$USER; created on first use, ~13 s).
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${TRIAGE_WINDOWS_TEST_OUT:-$SRC/build-windows-tests}
CXX="x86_64-w64-mingw32-g++-posix"
command -v ccache >/dev/null 2>&1 && CXX="ccache $CXX"
WINE=${WINE:-/usr/lib/wine/wine64}
mkdir -p "$OUT/obj" "$OUT/gen"

# The protocol headers user_notice.hpp includes (compiled against, never linked).
protoc --cpp_out="$OUT/gen" -I "$SRC/shared/proto" "$SRC"/shared/proto/triage/v1/*.proto

# -idirafter: the host's header-only libraries (Boost, spdlog/fmt, nlohmann, tl-expected,
# Catch2, protobuf) without letting its C library headers replace mingw's.
CXXFLAGS="-std=c++20 -O1 -Wall -Wextra -include utility -DFMT_HEADER_ONLY -I$SRC -I$OUT/gen \
  -idirafter /usr/include"
LIBS="-lws2_32 -lmswsock -lwtsapi32 -ladvapi32 -lshell32 -lole32 -luuid"

compile() {  # compile SOURCE: prints the object's path
  obj="$OUT/obj/$(echo "$1" | tr '/' '_').o"
  if [ ! -f "$obj" ] || [ "$SRC/$1" -nt "$obj" ]; then
    echo "  CXX $1" >&2
    $CXX $CXXFLAGS -c "$SRC/$1" -o "$obj"
  fi
  echo "$obj"
}

PLATFORM="shared/util/process_runner.cpp shared/util/command_interpreters.cpp
  shared/util/windows_command_line.cpp
  $(cd "$SRC" && ls shared/util/windows/*.cpp agent/ipc/windows/*.cpp agent/service/windows/*.cpp \
    agent/state/windows/*.cpp agent/actions/windows/*.cpp)
  agent/ipc/ipc_frame.cpp"
platform_objs=""
for s in $PLATFORM; do platform_objs="$platform_objs $(compile "$s")"; done
# Headers changed: rebuild what includes them (cheap enough to do by hand: remove $OUT/obj).

test_objs="$(compile tests/catch_main.cpp) $(compile tests/windows/test_deadline.cpp)"
for s in $(cd "$SRC" && ls tests/windows/*_test.cpp); do test_objs="$test_objs $(compile "$s")"; done
child_obj=$(compile tests/windows/test_child.cpp)

echo "  LINK triage_windows_test_child.exe, triage_windows_tests.exe" >&2
$CXX -static -municode -o "$OUT/triage_windows_test_child.exe" $child_obj $platform_objs $LIBS
$CXX -static -o "$OUT/triage_windows_tests.exe" $test_objs $platform_objs $LIBS

export WINEPREFIX=${WINEPREFIX:-/tmp/triage-wine-$(id -un)}
export WINEDEBUG=${WINEDEBUG:--all}
[ -d "$WINEPREFIX" ] || "$WINE" wineboot --init >/dev/null 2>&1
exec "$WINE" "$OUT/triage_windows_tests.exe" "$@"
