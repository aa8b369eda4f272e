#!/bin/bash
# Instructions per operation under callgrind, taskkv against redis-server, and
# taskkv's hottest functions: a load-independent complement to compare.py
# (user-space instructions only; system calls are not counted).
#
#   tests/bench/callgrind.sh [-t ping_inline,set,get,incr,mset] [-n 50000] [-P 16]
#                            [--taskkv PATH] [--redis PATH] [--out DIR] [--top 15]
#
# For each test, each server runs under valgrind --tool=callgrind. GET gets
# its keys first: a pipelined SET run with the same -r 100000. The counters
# are zeroed right before the measured redis-benchmark run and dumped right
# after it, so start-up and preloading are left out. Then the script prints
# Ir/op for both servers and the top taskkv functions (exclusive Ir) per
# test. The profiles stay in DIR (default: a new temporary directory) for
# callgrind_annotate. Never uses port 6379.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tests=ping_inline,set,get,incr,mset
n=50000
pipeline=16
taskkv=$root/build/taskkv-server
redis=$(command -v redis-server || echo /usr/bin/redis-server)
out=
top=15
while [ $# -gt 0 ]; do
    case $1 in
    -t|--tests) tests=$2; shift 2 ;;
    -n) n=$2; shift 2 ;;
    -P) pipeline=$2; shift 2 ;;
    --taskkv) taskkv=$2; shift 2 ;;
    --redis) redis=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
for tool in valgrind callgrind_control callgrind_annotate redis-benchmark redis-cli; do
    command -v $tool >/dev/null || { echo "$tool not found" >&2; exit 2; }
done
[ -x "$taskkv" ] || { echo "$taskkv: not executable" >&2; exit 2; }
[ -n "$out" ] || out=$(mktemp -d /tmp/taskkv-callgrind-XXXXXX)
mkdir -p "$out"

free_port() {
    python3 -c 'import socket
while True:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
    if p != 6379: print(p); break'
}

# profile NAME BINARY TEST N -> prints the measured run's Ir/op
profile() {
    local name=$1 bin=$2 test=$3 reqs=$4
    local dir=$out/$name-$test-P$pipeline port vpid total
    rm -rf "$dir"; mkdir -p "$dir"
    port=$(free_port)
    valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out" \
        "$bin" --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
        >"$dir/server.log" 2>&1 &
    vpid=$!
    for _ in $(seq 150); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && break
        sleep 0.2
    done
    if [ "$test" = get ]; then
        redis-benchmark -p "$port" -t set -n 300000 -P 16 -c 50 -r 100000 -q --csv >/dev/null
    fi
    callgrind_control -z "$vpid" >/dev/null 2>&1
    redis-benchmark -p "$port" -t "$test" -n "$reqs" -c 50 -P "$pipeline" -r 100000 -q --csv \
        | tail -1 >"$dir/benchmark.csv"
    callgrind_control -d "$vpid" >/dev/null 2>&1
    kill "$vpid"; wait "$vpid" || true
    # The dump taken right after the run is callgrind.out.1.
    total=$(awk '/^(summary|totals):/ {print $2; exit}' "$dir/callgrind.out.1")
    echo $((total / reqs))
}

printf '%-12s %4s %12s %12s %7s\n' test P "taskkv Ir/op" "redis Ir/op" ratio
IFS=, read -ra list <<<"$tests"
for t in "${list[@]}"; do
    reqs=$n
    [ "$t" = mset ] && reqs=$((n / 2))
    tk=$(profile taskkv "$taskkv" "$t" "$reqs")
    rd=$(profile redis "$redis" "$t" "$reqs")
    printf '%-12s %4s %12s %12s %7.3f\n' "$t" "$pipeline" "$tk" "$rd" "$(echo "$tk / $rd" | bc -l)"
done
echo
for t in "${list[@]}"; do
    echo "== taskkv $t -P $pipeline: top $top functions by exclusive Ir"
    callgrind_annotate --auto=no --threshold=100 "$out/taskkv-$t-P$pipeline/callgrind.out.1" 2>/dev/null \
        | awk '/file:function/ {f=1; next} f && /^ *[0-9,]+ \(/' \
        | grep -v -e 'server_run \[' -e '(below main)' -e 'main.c:main' -e 'libc-start' -e 'ld-linux' \
        | head -"$top" || true
    echo
done
echo "profiles: $out (callgrind_annotate $out/taskkv-TEST-P$pipeline/callgrind.out.1)"
