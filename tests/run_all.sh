#!/bin/sh
# Builds taskkv twice (release with -Werror, and address+undefined sanitizers)
# and runs every suite against each: check unit suites and the layering check
# (ctest), socket integration tests, differential tests against a real
# redis-server (RESP2 and RESP3), and the real-client tests (redis-cli,
# redis-py). Exits non-zero on the first failing suite.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc 2>/dev/null || echo 2)
py=/usr/bin/python3

step() { printf '\n=== %s ===\n' "$*"; }

build() {  # build <dir> <cmake args...>
  dir=$1; shift
  cmake -S . -B "$dir" -DTASKKV_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs" >/dev/null
}

step "build (release, -Werror)"
build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
step "build (address + undefined sanitizers)"
build build-asan -DCMAKE_BUILD_TYPE=Debug -DTASKKV_SANITIZE=ON

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

for dir in build build-asan; do
  step "unit suites ($dir)"
  (cd "$dir" && ctest --output-on-failure -j "$jobs")
done

step "integration over sockets (build)"
$py tests/integration/run.py --server build/taskkv-server
step "integration over sockets (build-asan)"
$py tests/integration/run.py --server build-asan/taskkv-server --sanitizer

step "differential vs redis-server (release build)"
tests/diff/run.sh build/taskkv-server
step "differential vs redis-server (sanitizer build)"
tests/diff/run.sh build-asan/taskkv-server

step "real clients (redis-cli, redis-py)"
$py tests/clients/run.py --server build/taskkv-server

step "all suites passed"
