# shellcheck shell=bash
# Shared by the suites driven by Node (tests/kafkajs, tests/e2e): finding the sluice binary,
# checking Node and npm, and installing the npm dependencies only when they are missing or
# stale. Source it after setting `here` and `repo` and defining die.

# resolve_sluice [PATH]: sets sluice; a relative path is taken from the current directory, else
# from the repo root; "" means build/sluice.
resolve_sluice() {
  sluice=${1:-$repo/build/sluice}
  case $sluice in
    /*) ;;
    *) if [ -e "$PWD/$sluice" ]; then sluice=$PWD/$sluice; else sluice=$repo/$sluice; fi ;;
  esac
  [ -x "$sluice" ] || die "sluice binary not found or not executable: $sluice (build it: ./scripts/build.sh build)"
}

require_node() {
  command -v node >/dev/null || die "node not found (needs node >= 20)"
  command -v npm >/dev/null || die "npm not found"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "node >= 20 is needed (found $(node --version))"
}

# npm_deps MODULE: `npm ci` in $here when node_modules lacks MODULE or package.json or
# package-lock.json changed since the last install.
npm_deps() {
  local stamp=$here/node_modules/.sluice-deps-stamp want
  want=$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1)
  if [ ! -d "$here/node_modules/$1" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "installing npm dependencies (npm ci)"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
    printf '%s\n' "$want" >"$stamp"
  fi
}
