#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and the demo need.
# As root: installs what is missing. Otherwise: prints the one apt-get line to run.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache
  libboost-dev libssl-dev openssl
  libprotobuf-dev protobuf-compiler
  libsqlite3-dev sqlite3
  libspdlog-dev libfmt-dev
  catch2 libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libexpected-dev
  zlib1g-dev prometheus-cpp-dev
  curl jq procps iproute2
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing packages. Run as root:" >&2
  echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
