#!/bin/sh
# Runs the whole differential suite: unit tests of the runner, then the case
# corpus, 5 random seeds x 2000 string/key ops and 5 seeds x 2000 list/hash/
# set/zset/stream/SORT ops (with OBJECT/MEMORY probes and DUMP/RESTORE round
# trips; seeds 1-4 and 7 cover the three key-tracking modes of both
# generators), under RESP2 and RESP3, against a real redis-server; then
# random_notify.py (keyspace-event streams and transactions, 3 seeds).
# Exits non-zero on any mismatch.
#
#   tests/diff/run.sh [CANDIDATE_BINARY] [runner options...]   default: build/taskkv-server
#   tests/diff/run.sh --self-test [runner options...]          redis-server vs redis-server
#   tests/diff/run.sh --port N [runner options...]             an already running candidate
#
# Extra options go to runner.py, e.g. -k strings, --resp 3, -v, --max-fail 50.
# Lines needing commands the candidate does not have yet are skipped on both
# servers (see README.md); the run ends with "skipped N lines needing: ...".
# --no-skip runs them all. random_notify.py gets only the candidate option.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=${PYTHON:-/usr/bin/python3}

if [ $# -eq 0 ]; then
    set -- "$root/build/taskkv-server"
else
    case "$1" in
        --self-test|--port) ;;
        -*) set -- "$root/build/taskkv-server" "$@" ;;
    esac
fi
case "$1" in
    --self-test) shift; set -- --candidate-redis "$@" ;;
    --port) port=$2; shift 2; set -- --candidate-port "$port" "$@" ;;
    *) cand=$1; shift; set -- --candidate "$cand" "$@" ;;
esac

# the candidate options alone, for random_notify.py
nc1=$1
nc2=
[ "$1" = --candidate-redis ] || nc2=$2

"$py" "$here/test_tools.py" -q 2>&1 | tail -n 1
rc=0
"$py" "$here/runner.py" "$@" --random 2000 --random-types 2000 --seed 1 --seed 2 --seed 3 --seed 4 --seed 7 || rc=$?

# Keyspace-notification event streams and transactions (random_notify.py):
# 3 seeds x 1500 commands, plain and in MULTI/EXEC, RESP2 and RESP3, KEA for
# seed 1 and random flags for seeds 2 and 3 (about 15 s). TASKKV_DIFF_NOTIFY=0
# skips it.
if [ "${TASKKV_DIFF_NOTIFY:-1}" != 0 ]; then
    r=0
    if [ -n "$nc2" ]; then
        "$py" "$here/random_notify.py" "$nc1" "$nc2" --seed 1 --seed 2 --seed 3 -n 1500 --flags mixed || r=$?
    else
        "$py" "$here/random_notify.py" "$nc1" --seed 1 --seed 2 --seed 3 -n 1500 --flags mixed || r=$?
    fi
    if [ "$r" -gt "$rc" ]; then rc=$r; fi
fi
exit "$rc"
