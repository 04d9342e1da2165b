#!/usr/bin/env bash
# Builds librdkafka's own test suite (tests/test-runner) and examples/rdkafka_performance from
# Debian's librdkafka 2.0.2 source package, for use as a Kafka-compatibility harness (run.sh).
#
#   tests/rdkafka_suite/build.sh [BUILD_DIR]     # default: build/rdkafka-suite under the repo
#
# Run as root (installs Debian packages, adds a deb-src entry, runs apt-get update when the
# source index is missing). Idempotent: if BUILD_DIR/bin/test-runner and
# BUILD_DIR/bin/rdkafka_performance exist it does nothing (FORCE=1 rebuilds).
# Nothing is downloaded except Debian packages and the librdkafka source package.
#
# Environment:
#   RDKAFKA_SRC_VERSION  Debian source version to fetch (default: 2.0.2-1; any 2.0.2-* if absent)
#   JOBS                 make parallelism (default: 2)
#   FORCE=1              rebuild even if the binaries exist
#   TESTS_CPPFLAGS       compiler flags for the test code (default: -O0 -g -fPIC -Wall)
set -Eeuo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${1:-$repo/build/rdkafka-suite}
mkdir -p "$build_dir"
build_dir=$(cd "$build_dir" && pwd)
upstream=2.0.2
want_version=${RDKAFKA_SRC_VERSION:-$upstream-1}
jobs=${JOBS:-2}
bin_dir=$build_dir/bin
log_dir=$build_dir/logs
src_list=/etc/apt/sources.list.d/sluice-src.sources

step_start=$SECONDS
log() { printf '\n==> [rdkafka-suite %4ds] %s\n' "$((SECONDS - step_start))" "$*"; }
die() { printf '\n*** [rdkafka-suite] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'printf "\n*** [rdkafka-suite] ERROR: command failed at line %d: %s\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

# Runs a long command with its output in a log file; on failure prints the tail and stops.
run_logged() {
  local name=$1; shift
  mkdir -p "$log_dir"
  if ! "$@" >"$log_dir/$name.log" 2>&1; then
    printf '\n*** [rdkafka-suite] "%s" failed; last 60 lines of %s:\n' "$*" "$log_dir/$name.log" >&2
    tail -n 60 "$log_dir/$name.log" >&2
    die "step $name failed (full log: $log_dir/$name.log)"
  fi
}

if [ "${FORCE:-0}" != 1 ] && [ -x "$bin_dir/test-runner" ] && [ -x "$bin_dir/rdkafka_performance" ]; then
  echo "[rdkafka-suite] up to date: $bin_dir/test-runner, $bin_dir/rdkafka_performance (FORCE=1 rebuilds)"
  exit 0
fi

# One build at a time per build directory.
exec 9>"$build_dir/.lock"
flock 9

[ "$(id -u)" -eq 0 ] || die "run as root: it installs Debian packages and adds a deb-src entry"
export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------------------------------------
log "1/6 Debian build dependencies"
# Minimal set: compilers, dpkg-dev (apt-get source unpacks with dpkg-source), python3
# (librdkafka's build scripts) and the compression libraries the tests exercise (0017).
# No SSL, no Cyrus SASL, no curl: SASL PLAIN is built into librdkafka without them.
pkgs=(build-essential dpkg-dev python3 pkg-config zlib1g-dev libzstd-dev liblz4-dev util-linux)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
    apt-get update -qq || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" || die "apt-get install ${missing[*]} failed"
  fi
else
  echo "all present: ${pkgs[*]}"
fi

# ---------------------------------------------------------------------------------------------
log "2/6 deb-src entry for the librdkafka source package"
has_deb_src() {
  grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null
}
if [ -f "$src_list" ]; then
  echo "present: $src_list"
elif has_deb_src; then
  echo "a deb-src entry is already configured; not adding one"
else
  # Use the mirror and keyring the system already uses for Debian's main archive.
  mirror=$(grep -hsE '^[[:space:]]*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
             | awk '{for (i = 2; i <= NF; i++) print $i}' | grep -E '/debian/?$' | head -n1 || true)
  if [ -z "$mirror" ]; then
    mirror=$(grep -hsE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
               | sed -E 's/\[[^]]*\]//' | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  fi
  mirror=${mirror:-http://deb.debian.org/debian}
  # shellcheck disable=SC1091
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || die "cannot tell the Debian codename from /etc/os-release"
  {
    echo "# Added by sluice tests/rdkafka_suite/build.sh: Debian source packages (apt-get source librdkafka)."
    echo "Types: deb-src"
    echo "URIs: $mirror"
    echo "Suites: $codename"
    echo "Components: main"
    if [ -f /usr/share/keyrings/debian-archive-keyring.gpg ]; then
      echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
    fi
  } >"$src_list"
  echo "added $src_list ($mirror $codename main)"
fi

# ---------------------------------------------------------------------------------------------
log "3/6 source index (apt-get update only when librdkafka $upstream sources are unknown)"
src_versions() { { apt-cache showsrc librdkafka 2>/dev/null || true; } | awk '/^Version:/ {print $2}' | sort -u; }
pick_version() {
  local v
  v=$(src_versions)
  if grep -qxF "$want_version" <<<"$v"; then echo "$want_version"; return; fi
  { grep -E "^$upstream-" <<<"$v" || true; } | sort -V | tail -n1
}
version=$(pick_version)
if [ -z "$version" ] && [ -f "$src_list" ]; then
  # Refresh only our deb-src entry: fast, and leaves the other package lists alone.
  echo "updating the index of $src_list only"
  apt-get update -qq -o Dir::Etc::sourcelist="$src_list" -o Dir::Etc::sourceparts=- \
    -o APT::Get::List-Cleanup=0 || echo "targeted update failed; trying a full apt-get update"
  version=$(pick_version)
fi
if [ -z "$version" ]; then
  echo "running a full apt-get update"
  apt-get update -qq || die "apt-get update failed"
  version=$(pick_version)
fi
[ -n "$version" ] || die "no librdkafka $upstream source package in the apt sources (found: $(src_versions | tr '\n' ' '))"
echo "librdkafka source version: $version"

# ---------------------------------------------------------------------------------------------
src=$build_dir/librdkafka-$upstream
log "4/6 fetch and unpack librdkafka $version into $build_dir"
if [ "${FORCE:-0}" != 1 ] && [ -f "$src/.sluice-unpacked" ] && [ -f "$src/tests/test.c" ]; then
  echo "already unpacked: $src"
else
  rm -rf "$src"
  (cd "$build_dir" && apt-get source -q -o APT::Sandbox::User=root "librdkafka=$version") \
    || die "apt-get source librdkafka=$version failed"
  [ -f "$src/tests/test.c" ] || die "unpacked source has no tests/test.c: $src"
  touch "$src/.sluice-unpacked"
fi

# ---------------------------------------------------------------------------------------------
log "5/6 configure + build static librdkafka (no SSL/GSSAPI/curl; SASL PLAIN is built in)"
cd "$src"
conf_args=(--no-download --disable-ssl --disable-gssapi --disable-curl
           --enable-zlib --enable-zstd --enable-lz4-ext)
if [ ! -f Makefile.config ] || [ "$(cat .sluice-configured 2>/dev/null)" != "${conf_args[*]}" ]; then
  run_logged configure ./configure "${conf_args[@]}"
  echo "${conf_args[*]}" >.sluice-configured
fi
grep -E '^[[:space:]]*BUILT_WITH' "$log_dir/configure.log" 2>/dev/null || true
# Only the static archives: with no .so in src/ the test-runner links librdkafka from this source
# tree (it uses internal headers) rather than Debian's /usr/lib librdkafka.so.
rm -f src/librdkafka.so* src-cpp/librdkafka++.so*
run_logged make-src make -j"$jobs" -C src librdkafka.a
run_logged make-src-cpp make -j"$jobs" -C src-cpp librdkafka++.a

# ---------------------------------------------------------------------------------------------
log "6/6 build tests/test-runner and examples/rdkafka_performance"
# -o interceptor_test: skip the plugin only test 0066 loads (needs a shared librdkafka).
# The test code itself is compiled without optimisation: it halves the compile time (the tests
# are ~150 files) and does not matter at run time; librdkafka keeps -O2.
run_logged make-tests make -j"$jobs" -C tests -o interceptor_test test-runner \
  CPPFLAGS="${TESTS_CPPFLAGS:--O0 -g -fPIC -Wall}"
run_logged make-examples make -C examples rdkafka_performance
if ldd tests/test-runner | grep -q 'librdkafka'; then
  die "tests/test-runner is linked against a shared librdkafka: $(ldd tests/test-runner | grep librdkafka | tr -s ' \t' ' ')"
fi
mkdir -p "$bin_dir"
install -m 0755 examples/rdkafka_performance "$bin_dir/rdkafka_performance"
install -m 0755 tests/test-runner "$bin_dir/test-runner.tmp"
mv -f "$bin_dir/test-runner.tmp" "$bin_dir/test-runner"
log "done: $bin_dir/test-runner, $bin_dir/rdkafka_performance (librdkafka $version, total ${SECONDS}s)"
