#!/usr/bin/env bash
# Sets up, builds and runs `sluice demo` (arguments are passed on, e.g. --duration 30).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" "$root/build" >/dev/null
exec "$root/build/sluice" demo "$@"
