#!/usr/bin/env bash
# Installs every Debian package the build, the demo and the tests need. Idempotent; run as root.
set -euo pipefail
pkgs=(
  build-essential cmake ninja-build g++ clang-format pkg-config
  libpq-dev postgresql postgresql-contrib
  rapidjson-dev libcli11-dev libfmt-dev libgtest-dev googletest libbenchmark-dev time bc
  libasio-dev libboost1.74-dev curl zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev librdkafka-dev kcat clang
  chromium
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages ${missing[*]}; run this script as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The Debian package starts a system cluster; sluice never uses it, tests start their own.
