#!/usr/bin/env bash
# Builds the .debs and the .rpm from the build tree's binaries into OUT (the fixture of the other
# `packages` tests), as `make packages` does, and prints how long it took.
# Usage: build_packages.sh BUILD_DIR OUT
set -euo pipefail
build=$1 out=$2
rm -rf "$out" && mkdir -p "$out"
start=$(date +%s%N)
for generator in DEB RPM; do
  if ! cpack --config "$build/CPackConfig.cmake" -G "$generator" -B "$out" > "$out/cpack-$generator.log" 2>&1; then
    cat "$out/cpack-$generator.log" >&2
    exit 1
  fi
done
end=$(date +%s%N)
ls -l "$out"/*.deb "$out"/*.rpm
echo "packages built in $(((end - start) / 1000000)) ms"
