#!/usr/bin/env bash
# Installs what the build needs (Debian packages), then configures and builds with CMake + Ninja.
# Usage: scripts/build.sh [BUILD_DIR] [extra cmake arguments...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
shift || true
if [ "$(id -u)" -eq 0 ]; then bash "$root/scripts/setup.sh"; else bash "$root/scripts/setup.sh" || sudo bash "$root/scripts/setup.sh"; fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
ninja -C "$build"
