#!/bin/sh
# Installs what taskkv needs from Debian 12's packages.
#   tests/install_deps.sh server   build and run the server
#   tests/install_deps.sh all      also every test suite (real redis-server, redis-cli, redis-py)
# Runs apt-get as root, through sudo when not root.
set -e
what=${1:-all}
pkgs="build-essential cmake pkg-config libev-dev libcjson-dev libsqlite3-dev check libjemalloc-dev liblua5.1-0-dev lua-cjson-dev lua-bitop-dev"
if [ "$what" = all ]; then
  pkgs="$pkgs redis-server redis-tools python3 python3-redis python3-celery python3-rq"
fi
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
missing=
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
echo "dependencies ready ($what)"
