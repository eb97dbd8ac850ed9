#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and the demo need, then the npm
# packages pinned by package-lock.json files into gitignored node_modules: the web console's
# vendored libraries (uPlot, in collector/console/vendor, embedded into the collector at build
# time) and the browser tests' playwright-core (tests/browser). Browsers are never
# downloaded: the tests drive Debian's chromium.
# As root: installs what is missing. Otherwise: prints the one apt-get line to run.
set -euo pipefail
cd "$(dirname "$0")/../.."

install_npm_modules() {
  if [ ! -f tests/browser/node_modules/playwright-core/package.json ]; then
    echo "Installing the browser tests' npm packages into tests/browser/node_modules"
    (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
  if [ ! -f collector/console/vendor/node_modules/uplot/package.json ]; then
    echo "Installing the web console's vendored libraries into collector/console/vendor/node_modules"
    (cd collector/console/vendor && npm ci --no-audit --no-fund)
  fi
}

packages=(
  build-essential cmake pkg-config ccache
  libboost-dev libssl-dev openssl
  libprotobuf-dev protobuf-compiler
  libsqlite3-dev sqlite3
  # The PostgreSQL backend (libpq) and the real PostgreSQL 15 its tests start.
  libpq-dev postgresql-15
  # HAProxy in TCP mode in front of several collector nodes (the cluster tests).
  haproxy
  libspdlog-dev libfmt-dev
  catch2 libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libexpected-dev
  zlib1g-dev prometheus-cpp-dev libarchive-dev
  # Staff sign-in with the company directory: OpenLDAP's client library, and a real OpenLDAP
  # slapd that the directory tests start on 127.0.0.1 (never the package's own service).
  libldap-dev slapd
  # The agent's probes: c-ares (each configured DNS server asked directly) and libsystemd (the
  # journal's lines); their tests start a real dnsmasq on 127.0.0.1 and write real journal
  # files with systemd-journal-remote.
  libc-ares-dev libsystemd-dev dnsmasq-base systemd-journal-remote
  # RE2: admin-written patterns (action parameters) run in linear time, never backtrack.
  libre2-dev
  # libFuzzer targets with ASan+UBSan (make fuzz; a short smoke run in make test).
  clang-15 libfuzzer-15-dev
  curl jq procps iproute2
  # The Windows agent (make windows): the MinGW-w64 cross compiler with POSIX threads
  # (std::thread), Wine to run triage-agent.exe in its tests, wixl for the MSI, tclsh, which
  # SQLite's source tree needs to produce its amalgamation, and the Unicode tables and Python
  # module RE2's table generators need (installers/windows/).
  g++-mingw-w64-x86-64-posix wine64 wixl tcl unicode-data python3-six
  # make packages and its tests: rpmbuild, lintian, and a Debian 12 root to install into.
  rpm lintian mmdebstrap
  chromium
  # A real Request Tracker 5 for the RT connector's tests (msmtp-mta only satisfies RT's mail
  # dependency; the tests' RT writes mail to an mbox file).
  request-tracker5 rt5-db-sqlite rt5-standalone rt5-clients msmtp-mta
)
# npm drives the browser tests. Node from another source (nodesource's nodejs) ships its own
# npm and conflicts with Debian's package, so ask for it only when the command is missing.
command -v npm > /dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  install_npm_modules
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing packages. Run as root:" >&2
  echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Daemons that come with the packages (slapd, PostgreSQL, HAProxy) must not start as services:
# tests start their own on 127.0.0.1. A policy-rc.d that says no does it for this install; one
# the machine has already stays as it is.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  own_policy=1
fi
trap 'if [ "$own_policy" = 1 ]; then rm -f "$policy"; fi' EXIT
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# Should a service have started anyway (no policy-rc.d support), stop the directory's.
if command -v service > /dev/null && [ -x /etc/init.d/slapd ]; then
  service slapd stop > /dev/null 2>&1 || true
fi
install_npm_modules
