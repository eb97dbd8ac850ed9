#!/usr/bin/env bash
# Builds the static Windows libraries triage-agent.exe links and Debian does not package for
# MinGW: OpenSSL 3.0, the Protobuf 3.21 runtime, SQLite 3.40, RE2 (the action catalog's
# parameter patterns), zlib and libarchive (the log bundle's tar.gz), from Debian's own source
# packages at the versions pinned in deps.versions. Prints the install prefix (include/, lib/) on stdout; progress goes to stderr.
#
# The result is cached outside the clone, keyed by deps.versions:
#   ${TRIAGE_WINDOWS_DEPS:-/var/cache/triage/windows-deps}/<key>/prefix
# (~/.cache/triage/windows-deps when /var/cache/triage is not writable), so every clone and
# worktree of the machine shares one build, redone only when a pinned version changes. The
# `.complete` stamp is written last: an interrupted build is started over.
#
# Sources: `apt-get source --download-only` with a private deb-src list and private apt state
# (the system's apt configuration is never touched); apt checks each file against the signed
# Sources index, and this script checks the tarballs against the .dsc checksums once more.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
versions_file="$here/deps.versions"
toolchain="$repo/cmake/toolchains/mingw-w64-x86_64.cmake"
triple=x86_64-w64-mingw32
jobs="${JOBS:-2}"

log() { echo "build-deps: $*" >&2; }
die() {
  log "$*"
  exit 1
}

# shellcheck source=deps.versions
source "$versions_file"
for v in RECIPE OPENSSL_VERSION PROTOBUF_VERSION SQLITE_VERSION RE2_VERSION ZLIB_VERSION \
  LIBARCHIVE_VERSION; do
  [ -n "${!v:-}" ] || die "$versions_file: $v is not set"
done
[ -f /usr/share/unicode/UnicodeData.txt ] || die "unicode-data is missing (run installers/dev/install-deps.sh)"
for tool in "$triple-gcc-posix" "$triple-g++-posix" cmake tclsh perl python3 apt-get dpkg-source; do
  command -v "$tool" > /dev/null || die "$tool is missing (run installers/dev/install-deps.sh)"
done

key="$(grep -v '^#' "$versions_file" | sha256sum | cut -c1-16)"
cache_root="${TRIAGE_WINDOWS_DEPS:-}"
if [ -z "$cache_root" ]; then
  cache_root=/var/cache/triage/windows-deps
  if ! mkdir -p "$cache_root" 2> /dev/null || [ ! -w "$cache_root" ]; then
    cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/triage/windows-deps"
  fi
fi
mkdir -p "$cache_root"
dir="$cache_root/$key"
prefix="$dir/prefix"

# One build per key at a time: a second clone waits for the first and then uses its result.
exec 9> "$cache_root/$key.lock"
flock 9
if [ -f "$dir/.complete" ]; then
  echo "$prefix"
  exit 0
fi

log "building the Windows libraries into $dir (a few minutes, once per pinned version set)"
started=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir/apt/lists/partial" "$dir/apt/parts" "$dir/apt/cache/archives/partial" \
  "$dir/src" "$dir/build" "$prefix/include" "$prefix/lib"
cp "$versions_file" "$dir/deps.versions"

# The system's Debian suites, as deb-src.
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
    > "$dir/apt/parts/debian-src.sources"
elif [ -f /etc/apt/sources.list ]; then
  sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > "$dir/apt/parts/debian-src.list"
else
  die "no Debian apt sources found in /etc/apt"
fi
apt_opts=(-o "Dir::Etc::sourceparts=$dir/apt/parts" -o Dir::Etc::sourcelist=/dev/null
  -o "Dir::State::Lists=$dir/apt/lists" -o "Dir::Cache=$dir/apt/cache"
  -o APT::Sandbox::User=root -q)
log "fetching the source packages"
apt-get "${apt_opts[@]}" update >&2
(cd "$dir/src" && apt-get "${apt_opts[@]}" source --download-only \
  "openssl=$OPENSSL_VERSION" "protobuf=$PROTOBUF_VERSION" "sqlite3=$SQLITE_VERSION" \
  "re2=$RE2_VERSION" "zlib=$ZLIB_VERSION" "libarchive=$LIBARCHIVE_VERSION" >&2)

# Every file a .dsc names, checked against its Checksums-Sha256 entry (hash and size).
verify_dsc() {
  local dsc="$1" checked=0 sum size name
  while read -r sum size name; do
    [ -f "$dir/src/$name" ] || die "$dsc names $name, which was not downloaded"
    [ "$(stat -c %s "$dir/src/$name")" = "$size" ] || die "$name: size differs from $dsc"
    [ "$(sha256sum "$dir/src/$name" | cut -d' ' -f1)" = "$sum" ] ||
      die "$name: SHA-256 differs from $dsc"
    checked=$((checked + 1))
  done < <(awk '/^Checksums-Sha256:/ {on=1; next} /^[^ ]/ {on=0} on && NF == 3 {print}' \
    "$dir/src/$dsc")
  [ "$checked" -gt 0 ] || die "$dsc lists no SHA-256 checksums"
  log "$dsc: $checked files match their SHA-256"
}

# Unpacks a source package with Debian's patches applied (security fixes included).
unpack() {
  local package="$1" version="$2" dsc
  dsc="${package}_${version#*:}.dsc"
  verify_dsc "$dsc"
  dpkg-source --no-check -x "$dir/src/$dsc" "$dir/src/$package" >&2
}
unpack openssl "$OPENSSL_VERSION"
unpack protobuf "$PROTOBUF_VERSION"
unpack sqlite3 "$SQLITE_VERSION"
unpack re2 "$RE2_VERSION"
unpack zlib "$ZLIB_VERSION"
unpack libarchive "$LIBARCHIVE_VERSION"

t0=$(date +%s)
log "OpenSSL $OPENSSL_VERSION: libssl.a, libcrypto.a"
# The directories compiled into the library keep OpenSSL's mingw64 defaults (/usr/local/...,
# which Windows reads as C:\usr\local\..., a path any user may create), so nothing may read
# them: no-autoload-config (no openssl.cnf is ever loaded) and no-module (no engine or provider
# is loaded from disk). The agent never uses the default CA paths either: it trusts only the
# collector CA pinned at enrollment.
(cd "$dir/src/openssl" &&
  ./Configure mingw64 no-shared no-tests no-autoload-config no-module \
    "--cross-compile-prefix=$triple-" >&2 &&
  make -j"$jobs" build_libs >&2 &&
  cp libssl.a libcrypto.a "$prefix/lib/" &&
  cp -r include/openssl "$prefix/include/")
t1=$(date +%s)

cmake_cross=(-DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_POSITION_INDEPENDENT_CODE=OFF)
log "Protobuf $PROTOBUF_VERSION: the libprotobuf runtime (the host's protoc generates the code)"
cmake -S "$dir/src/protobuf" -B "$dir/build/protobuf" "${cmake_cross[@]}" \
  -Dprotobuf_BUILD_TESTS=OFF -Dprotobuf_BUILD_PROTOC_BINARIES=OFF \
  -Dprotobuf_BUILD_SHARED_LIBS=OFF -Dprotobuf_WITH_ZLIB=OFF >&2
cmake --build "$dir/build/protobuf" -j"$jobs" --target libprotobuf >&2
cp "$dir/build/protobuf/libprotobuf.a" "$prefix/lib/"
(cd "$dir/src/protobuf/src" &&
  find google \( -name '*.h' -o -name '*.inc' \) -exec install -D -m 644 {} "$prefix/include/{}" \;)
t2=$(date +%s)

log "SQLite $SQLITE_VERSION: the amalgamation, compiled into libsqlite3.a"
# The amalgamation is generated by the source tree's own tooling (tclsh), configured for the
# host: sqlite3.c itself is the same C for every platform.
mkdir -p "$dir/build/sqlite-host"
(cd "$dir/build/sqlite-host" && "$dir/src/sqlite3/configure" --disable-tcl > /dev/null &&
  make sqlite3.c > /dev/null)
# Threadsafe (the spool is used from more than one thread); no extension loading.
(cd "$dir/build/sqlite-host" &&
  "$triple-gcc-posix" -O2 -DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_LOAD_EXTENSION \
    -c sqlite3.c -o sqlite3.o &&
  "$triple-ar" rcs "$prefix/lib/libsqlite3.a" sqlite3.o &&
  cp sqlite3.h sqlite3ext.h "$prefix/include/")
t3=$(date +%s)

log "RE2 $RE2_VERSION: libre2.a"
# Debian's +dfsg tarball leaves out RE2's generated tables; they are made from Debian's
# unicode-data as the package itself does (REBUILD_TABLES=1).
(cd "$dir/src/re2" && perl re2/make_perl_groups.pl > re2/perl_groups.cc &&
  python3 re2/make_unicode_casefold.py > re2/unicode_casefold.cc &&
  python3 re2/make_unicode_groups.py > re2/unicode_groups.cc)
cmake -S "$dir/src/re2" -B "$dir/build/re2" "${cmake_cross[@]}" -DRE2_BUILD_TESTING=OFF \
  -DBUILD_SHARED_LIBS=OFF >&2
cmake --build "$dir/build/re2" -j"$jobs" --target re2 >&2
cp "$dir/build/re2/libre2.a" "$prefix/lib/"
mkdir -p "$prefix/include/re2"
cp "$dir/src/re2/re2/"{re2.h,set.h,stringpiece.h,filtered_re2.h} "$prefix/include/re2/"
t4=$(date +%s)

log "zlib $ZLIB_VERSION: libz.a"
cmake -S "$dir/src/zlib" -B "$dir/build/zlib" "${cmake_cross[@]}" >&2
cmake --build "$dir/build/zlib" -j"$jobs" --target zlibstatic >&2
cp "$dir/build/zlib/libzlibstatic.a" "$prefix/lib/libz.a"
cp "$dir/src/zlib/zlib.h" "$dir/build/zlib/zconf.h" "$prefix/include/"
t5=$(date +%s)

log "libarchive $LIBARCHIVE_VERSION: libarchive.a (writes and reads tar and gzip with zlib only)"
# Only the library, and only zlib: no other compressor, no crypto library, no XML (the formats
# that need them are never used), no ACLs, extended attributes or iconv, no regex (bsdtar's),
# no bsdtar/bsdcpio/bsdcat and no tests. ZLIB_WINAPI is a test libarchive would have to run
# (impossible when cross-compiling): answered here, no, as zlib above is built.
cmake -S "$dir/src/libarchive" -B "$dir/build/libarchive" "${cmake_cross[@]}" \
  -DBUILD_SHARED_LIBS=OFF -DENABLE_INSTALL=OFF -DENABLE_TEST=OFF -DENABLE_WERROR=OFF \
  -DENABLE_TAR=OFF -DENABLE_CPIO=OFF -DENABLE_CAT=OFF \
  -DENABLE_ZLIB=ON -DZLIB_INCLUDE_DIR="$prefix/include" -DZLIB_LIBRARY="$prefix/lib/libz.a" \
  -DZLIB_WINAPI_EXITCODE=1 -DZLIB_WINAPI_EXITCODE__TRYRUN_OUTPUT= \
  -DENABLE_OPENSSL=OFF -DENABLE_MBEDTLS=OFF -DENABLE_NETTLE=OFF -DENABLE_CNG=OFF \
  -DENABLE_LIBB2=OFF -DENABLE_LZ4=OFF -DENABLE_LZO=OFF -DENABLE_LZMA=OFF -DENABLE_ZSTD=OFF \
  -DENABLE_BZip2=OFF -DENABLE_LIBXML2=OFF -DENABLE_EXPAT=OFF -DENABLE_PCREPOSIX=OFF \
  -DENABLE_LIBGCC=OFF -DPOSIX_REGEX_LIB=NONE -DENABLE_ACL=OFF -DENABLE_XATTR=OFF \
  -DENABLE_ICONV=OFF >&2
cmake --build "$dir/build/libarchive" -j"$jobs" --target archive_static >&2
cp "$dir/build/libarchive/libarchive/libarchive_static.a" "$prefix/lib/libarchive.a"
cp "$dir/src/libarchive/libarchive/"{archive.h,archive_entry.h} "$prefix/include/"
t6=$(date +%s)

{
  echo "fetch_and_unpack_s=$((t0 - started))"
  echo "openssl_s=$((t1 - t0))"
  echo "protobuf_s=$((t2 - t1))"
  echo "sqlite_s=$((t3 - t2))"
  echo "re2_s=$((t4 - t3))"
  echo "zlib_s=$((t5 - t4))"
  echo "libarchive_s=$((t6 - t5))"
  echo "total_s=$((t6 - started))"
} > "$dir/build-times.txt"
# The sources and intermediate objects are not needed any more; the prefix is.
rm -rf "$dir/src" "$dir/build" "$dir/apt"
touch "$dir/.complete"
log "done in $((t6 - started)) s: $prefix"
echo "$prefix"
