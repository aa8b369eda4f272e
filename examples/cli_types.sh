#!/usr/bin/env bash
# The list, set, hash and sorted-set sections of seed 001 ("Redis In Action"
# notes), replayed with redis-cli and compared with the output printed in the
# notes.
#
#   examples/cli_types.sh [--host H] [--port P] [--flush]
#
#   1.2.2-1.2.5  RPUSH LRANGE LINDEX LPOP / SADD SMEMBERS SISMEMBER SREM /
#                HSET HGETALL HDEL / ZADD ZRANGE ZRANGEBYSCORE ZREM
#                                                 (seed 001 lines 31-198, db 0)
#   3.2  lists   RPOP LPUSH RPUSH LRANGE LTRIM (+ LINDEX BLPOP BRPOP RPOPLPUSH
#                BRPOPLPUSH from the table)       (seed 001 lines 392-446, db 2)
#   3.3  sets    SADD SREM SCARD SMEMBERS SMOVE SDIFF (+ SINTER SUNION
#                SDIFFSTORE)                      (seed 001 lines 448-506, db 3)
#   3.4  hashes  HMSET HMGET HEXISTS HKEYS HVALS HGETALL HSET HINCRBY
#                                                 (seed 001 lines 508-565, db 4)
#   3.5  zsets   ZADD ZCARD ZINCRBY ZSCORE ZRANK ZREVRANK ZREVRANGE
#                ZRANGEBYSCORE LIMIT ZREMRANGEBYRANK ZINTERSTORE ZUNIONSTORE
#                                                 (seed 001 lines 567-650, db 5)
#   3.7.1 SORT   numeric, ALPHA, hashes as weights (seed 001 lines 664-693, db 6)
#
# Each block is one redis-cli session (commands on stdin, --no-raw output, as
# in the interactive prompt). Lines read `command ==> expected output`, the
# lines of a multi-line reply joined with " | " (leading blanks of a line are
# ignored: redis-cli right-aligns "1)" under "10)"); `command ~~> expected`
# compares the lines in any order (a set's members come in hash order, so
# the note's order is one of many). The expected output is the note's where
# the note shows one; lines marked "not in the note" show the output of
# redis-server 7.0.15, and so do the few places where the note is wrong or
# its session had changed the keys off-screen (each one says so).
# Uses databases 0, 2, 3, 4, 5 and 6, which must be empty (or pass --flush).
# Exit status: 0 all outputs matched, 1 a mismatch, 2 no redis-cli / no server
# / databases not empty.

set -u
HOST=127.0.0.1
PORT=6379
FLUSH=0
while [ $# -gt 0 ]; do
    case $1 in
        --host) HOST=$2; shift 2 ;;
        --port) PORT=$2; shift 2 ;;
        --flush) FLUSH=1; shift ;;
        -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

CLI=$(command -v redis-cli) || { echo "redis-cli not found (apt-get install redis-tools)"; exit 2; }
cli() { "$CLI" -h "$HOST" -p "$PORT" "$@"; }

pong=$(cli ping 2>&1)
[ "$pong" = PONG ] || { echo "no server at $HOST:$PORT: $pong"; exit 2; }
for db in 0 2 3 4 5 6; do
    n=$(cli -n $db dbsize)
    if [ "$n" != 0 ]; then
        if [ $FLUSH = 1 ]; then
            cli -n $db flushdb >/dev/null
        else
            echo "database $db on $HOST:$PORT holds $n keys; use a scratch server or pass --flush"
            exit 2
        fi
    fi
done

FAILED=0
MARK=--8\<--next--8\<--
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }

# the lines of one reply (array of lines), trimmed and joined with " | "
join_reply() {
    local out="" line first=1
    for line in "$@"; do
        line=$(trim "$line")
        if [ $first = 1 ]; then out=$line; first=0; else out="$out | $line"; fi
    done
    printf '%s' "$out"
}

# "a | b | c" as sorted lines without their "N) " numbers
unordered() {
    printf '%s\n' "$1" | sed 's/ | /\n/g' | sed -E 's/^ *[0-9]+\) //' | LC_ALL=C sort
}

# session DB TITLE  < lines "command ==> expected" / "command ~~> expected"
session() {
    local db=$1 title=$2 line i
    local -a cmds=() want=() how=()
    while IFS= read -r line; do
        case $line in ''|'#'*) continue ;; esac
        if [[ $line == *' ~~> '* ]]; then
            cmds+=("${line%% ~~> *}"); want+=("${line#* ~~> }"); how+=(unordered)
        else
            cmds+=("${line%% ==> *}"); want+=("${line#* ==> }"); how+=(exact)
        fi
    done
    echo
    echo "== $title"
    local out
    # every command is followed by ECHO <mark>, so that the replies can be
    # told apart however many lines each one takes
    out=$(for i in "${!cmds[@]}"; do printf '%s\nECHO %s\n' "${cmds[$i]}" "$MARK"; done |
          cli -n "$db" --no-raw 2>&1)
    local -a got=() cur=()
    while IFS= read -r line; do
        if [ "$line" = "\"$MARK\"" ]; then
            got+=("$(join_reply "${cur[@]+"${cur[@]}"}")")
            cur=()
        else
            cur+=("$line")
        fi
    done <<<"$out"
    local prompt="$HOST:$PORT"
    [ "$db" != 0 ] && prompt="${prompt}[$db]"
    for i in "${!cmds[@]}"; do
        local g=${got[$i]-<no output>} ok=0
        if [ "${how[$i]}" = exact ]; then
            [ "$g" = "$(trim "${want[$i]}")" ] && ok=1
        else
            [ "$(unordered "$g")" = "$(unordered "$(trim "${want[$i]}")")" ] && ok=1
        fi
        # an unordered reply is shown sorted, so that the output is the same
        # on every run
        [ "${how[$i]}" = unordered ] && g="(any order) $(unordered "$g" | sed ':a;N;$!ba;s/\n/ | /g')"
        if [ $ok = 1 ]; then
            printf '   %s> %-36s %s\n' "$prompt" "${cmds[$i]}" "$g"
        else
            printf '   %s> %-36s %s\n   MISMATCH, expected: %s\n' "$prompt" "${cmds[$i]}" "$g" "${want[$i]}"
            FAILED=1
        fi
    done
    if [ "${#got[@]}" -ne "${#cmds[@]}" ]; then
        echo "   MISMATCH: ${#cmds[@]} commands but ${#got[@]} replies"
        [ -n "${cur[*]-}" ] && echo "   trailing output: ${cur[*]}"
        FAILED=1
    fi
}

session 0 "1.2.2 redis list: RPUSH LRANGE LINDEX LPOP" <<'EOF'
rpush list-key item ==> (integer) 1
rpush list-key item2 ==> (integer) 2
rpush list-key item2 ==> (integer) 3
rpush list-key item ==> (integer) 4
lrange list-key 0 -1 ==> 1) "item" | 2) "item2" | 3) "item2" | 4) "item"
LINDEX list-key 1 ==> "item2"
LINDEX list-key 44 ==> (nil)
LPOP list-key ==> "item"
lrange list-key 0 -1 ==> 1) "item2" | 2) "item2" | 3) "item"
EOF

session 0 "1.2.3 redis set: SADD SMEMBERS SISMEMBER SREM" <<'EOF'
sadd set1 a ==> (integer) 1
sadd set1 b ==> (integer) 1
sadd set1 c ==> (integer) 1
sadd set1 b ==> (integer) 0
SADD set1 1 ==> (integer) 1
SADD set1 "1" ==> (integer) 0
SMEMBERS set1 ~~> 1) "1" | 2) "c" | 3) "b" | 4) "a"
SISMEMBER set1 5 ==> (integer) 0
SISMEMBER set1 1 ==> (integer) 1
srem set1 1 ==> (integer) 1
srem set1 1 ==> (integer) 0
EOF

# A small hash keeps its fields in insertion order (listpack), so HGETALL's
# order is the note's on Redis 7.0 too.
session 0 "1.2.4 redis hash: HSET HGETALL HDEL" <<'EOF'
hset hash1 k1 v1 ==> (integer) 1
hset hash1 k2 v2 ==> (integer) 1
hset hash1 k1 v3 ==> (integer) 0
hset hash1 k3 v3 ==> (integer) 1
HGETALL hash1 ==> 1) "k1" | 2) "v3" | 3) "k2" | 4) "v2" | 5) "k3" | 6) "v3"
HDEL hash1 k1 ==> (integer) 1
HDEL hash1 k2 ==> (integer) 1
HGETALL hash1 ==> 1) "k3" | 2) "v3"
EOF

session 0 "1.2.5 redis ZSET: ZADD ZRANGE ZRANGEBYSCORE ZREM" <<'EOF'
zadd demo 123 k1 ==> (integer) 1
zadd demo 125 k2 ==> (integer) 1
zadd demo 125 k3 ==> (integer) 1
zadd demo 190 k4 ==> (integer) 1
ZRANGE demo 0 -1 ==> 1) "k1" | 2) "k2" | 3) "k3" | 4) "k4"
ZRANGE demo 0 -1 withscores ==> 1) "k1" | 2) "123" | 3) "k2" | 4) "125" | 5) "k3" | 6) "125" | 7) "k4" | 8) "190"
ZRANGEBYSCORE demo  150 190 withscores ==> 1) "k4" | 2) "190"
zrem demo k2 ==> (integer) 1
ZRANGE demo 0 -1 withscores ==> 1) "k1" | 2) "123" | 3) "k3" | 4) "125" | 5) "k4" | 6) "190"
EOF

session 2 "3.2 list commands (db 2)" <<'EOF'
RPOP k1 ==> (nil)
lpush k1 23 32 ==> (integer) 2
rpop k2 aasfd sadfswe wqerqw wqerwqerqw wqer qwer ==> (error) ERR wrong number of arguments for 'rpop' command
rpush k2 aasfd sadfswe wqerqw wqerwqerqw wqer qwer ==> (integer) 6
LRANGE k2 0 -1 ==> 1) "aasfd" | 2) "sadfswe" | 3) "wqerqw" | 4) "wqerwqerqw" | 5) "wqer" | 6) "qwer"
LRANGE k2 0 1 ==> 1) "aasfd" | 2) "sadfswe"
LRANGE k2 0 3 ==> 1) "aasfd" | 2) "sadfswe" | 3) "wqerqw" | 4) "wqerwqerqw"
LRANGE k2 0 2 ==> 1) "aasfd" | 2) "sadfswe" | 3) "wqerqw"
LRANGE k2 1 ==> (error) ERR wrong number of arguments for 'lrange' command
LRANGE k2 1 1 ==> 1) "sadfswe"
LTRIM k2 0 1 ==> OK
LRANGE k2 0 -1 ==> 1) "aasfd" | 2) "sadfswe"
# not in the note: the rest of the table (lpush with several values, rpop, lindex,
# the blocking pops with a 1 s timeout, rpoplpush), outputs of redis-server 7.0.15
lrange k1 0 -1 ==> 1) "32" | 2) "23"
rpop k1 ==> "23"
lindex k2 -1 ==> "sadfswe"
blpop k2 1 ==> 1) "k2" | 2) "aasfd"
brpop empty k1 1 ==> 1) "k1" | 2) "32"
rpush k3 a b c ==> (integer) 3
rpoplpush k3 k4 ==> "c"
brpoplpush k3 k4 1 ==> "b"
lrange k4 0 -1 ==> 1) "b" | 2) "c"
exists k1 ==> (integer) 0
EOF

# The note's session added b, c and d to k2 off-screen between its SMEMBERS k2
# and SDIFF k2 (it shows SDIFF k2 as d b c); "sadd k2 c d" does the same here.
session 3 "3.3 set commands (db 3)" <<'EOF'
sadd k1 a b c d e f  ==> (integer) 6
srem k1 r ==> (integer) 0
srem k1 a ==> (integer) 1
SCARD k1 ==> (integer) 5
SMEMBERS k1 ~~> 1) "f" | 2) "e" | 3) "c" | 4) "b" | 5) "d"
smove k1 k2 a ==> (integer) 0
smove k1 k2 b ==> (integer) 1
SMEMBERS k2 ==> 1) "b"
sadd k2 c d ==> (integer) 2
sdiff k1 ~~> 1) "d" | 2) "e" | 3) "c" | 4) "f"
sdiff k2 ~~> 1) "d" | 2) "b" | 3) "c"
sdiff k1 k2 ~~> 1) "f" | 2) "e"
# not in the note: the rest of the table, outputs of redis-server 7.0.15
sismember k1 c ==> (integer) 1
sinter k1 k2 ~~> 1) "c" | 2) "d"
sunion k1 k2 ~~> 1) "b" | 2) "c" | 3) "d" | 4) "e" | 5) "f"
sdiffstore k3 k1 k2 ==> (integer) 2
smembers k3 ~~> 1) "e" | 2) "f"
srandmember k3 5 ~~> 1) "e" | 2) "f"
srem k1 c d e f ==> (integer) 4
exists k1 ==> (integer) 0
EOF

# The note's HEXISTS k1 a and HKEYS show fields a and c that its session had
# set off-screen; "HMSET k1 a b c d" sets them here.
session 4 "3.4 hash commands (db 4)" <<'EOF'
HMSET k1 k1 v1 k2 v2 k3 v3 ==> OK
hmget k1 k1 k2 ==> 1) "v1" | 2) "v2"
HMSET k1 a b c d ==> OK
HEXISTS k1 a ==> (integer) 1
HEXISTS k1 g ==> (integer) 0
HKEYS k1 ==> 1) "k1" | 2) "k2" | 3) "k3" | 4) "a" | 5) "c"
HVALS k1 ==> 1) "v1" | 2) "v2" | 3) "v3" | 4) "b" | 5) "d"
HGETALL k1 ==> 1) "k1" | 2) "v1" | 3) "k2" | 4) "v2" | 5) "k3" | 6) "v3" | 7) "a" | 8) "b" | 9) "c" | 10) "d"
HSET k1 12 abc ==> (integer) 1
HINCRBY k1 12 12 ==> (error) ERR hash value is not an integer
HSET k1 12 1234 ==> (integer) 0
HINCRBY k1 12 3 ==> (integer) 1237
# not in the note: the rest of the table, outputs of redis-server 7.0.15
hlen k1 ==> (integer) 6
hdel k1 a c nosuch ==> (integer) 2
hincrbyfloat k1 12 0.5 ==> "1237.5"
hincrbyfloat k1 k1 1 ==> (error) ERR hash value is not a float
hget k1 12 ==> "1237.5"
EOF

session 5 "3.5 sorted-set commands (db 5)" <<'EOF'
ZADD k1 10 a 11 b 12 c ==> (integer) 3
ZCARD k1 ==> (integer) 3
ZINCRBY k1 12 a ==> "22"
ZSCORE k1 b ==> "11"
ZRANK k1 a ==> (integer) 2
ZRANK k1 b ==> (integer) 0
ZRANK k1 c ==> (integer) 1
zadd k1 d 0  ==> (error) ERR value is not a valid float
zadd k1 d 0.1 ==> (error) ERR value is not a valid float
zadd k1 0 d ==> (integer) 1
zadd k1 0 hh ==> (integer) 1
ZRANGE k1 0 1 ==> 1) "d" | 2) "hh"
ZREVRANK k1 a ==> (integer) 0
ZREVRANK k1 b ==> (integer) 2
ZREVRANK k1 hh ==> (integer) 3
ZREVRANK k1 ddd ==> (nil)
ZREVRANGE k1 2 5 ==> 1) "b" | 2) "hh" | 3) "d"
ZREVRANGE k1 2 2 ==> 1) "b"
ZRANGEBYSCORE k1 0 100 limit 0 2 ==> 1) "d" | 2) "hh"
ZRANGEBYSCORE k1 0 100 limit 1 2 ==> 1) "hh" | 2) "b"
ZREMRANGEBYRANK k1 0 0 ==> (integer) 1
# not in the note: the table's other commands and the note's
# conn.zinterstore('k3', ['k1', 'k2'], aggregate='sum') /
# conn.zunionstore('k4', ['k1', 'k2'], aggregate='min'), outputs of redis-server 7.0.15
ZRANGE k1 0 -1 withscores ==> 1) "hh" | 2) "0" | 3) "b" | 4) "11" | 5) "c" | 6) "12" | 7) "a" | 8) "22"
zcount k1 10 20 ==> (integer) 2
zrevrangebyscore k1 +inf 11 withscores ==> 1) "a" | 2) "22" | 3) "c" | 4) "12" | 5) "b" | 6) "11"
zadd k2 1 a 2 b 3 x ==> (integer) 3
zinterstore k3 2 k1 k2 aggregate sum ==> (integer) 2
zrange k3 0 -1 withscores ==> 1) "b" | 2) "13" | 3) "a" | 4) "23"
zunionstore k4 2 k1 k2 aggregate min ==> (integer) 5
zrange k4 0 -1 withscores ==> 1) "hh" | 2) "0" | 3) "a" | 4) "1" | 5) "b" | 6) "2" | 7) "x" | 8) "3" | 9) "c" | 10) "12"
zremrangebyscore k4 (0 2 ==> (integer) 2
zrem k1 hh b c a ==> (integer) 4
exists k1 ==> (integer) 0
EOF

# The note stops after the HSETs; in the book the hashes are SORT's weights
# (BY d-*->field, GET d-*->field). The lines after them are not in the note.
session 6 "3.7.1 SORT (db 6)" <<'EOF'
rpush k1 23 45 110 4 8  ==> (integer) 5
sort k1 ==> 1) "4" | 2) "8" | 3) "23" | 4) "45" | 5) "110"
sort k1 ALPHA ==> 1) "110" | 2) "23" | 3) "4" | 4) "45" | 5) "8"
hset k2 f 5 ==> (integer) 1
hset k2 f 1 ==> (integer) 0
hset k2 f 5 ==> (integer) 0
hset k3 f 1 ==> (integer) 1
hset k4 f 9 ==> (integer) 1
hset k5 f 3 ==> (integer) 1
hset d-23 f 9 ==> (integer) 1
hset d-45 f 1 ==> (integer) 1
hset d-110 f 3 ==> (integer) 1
hset d-4 f 5 ==> (integer) 1
hset d-8 f 7 ==> (integer) 1
sort k1 by d-*->f ==> 1) "45" | 2) "110" | 3) "4" | 4) "8" | 5) "23"
sort k1 by d-*->f get # get d-*->f ==> 1) "45" | 2) "1" | 3) "110" | 4) "3" | 5) "4" | 6) "5" | 7) "8" | 8) "7" | 9) "23" | 10) "9"
sort k1 desc limit 0 2 ==> 1) "110" | 2) "45"
sort k1 by nosort ==> 1) "23" | 2) "45" | 3) "110" | 4) "4" | 5) "8"
sort k1 alpha store k6 ==> (integer) 5
lrange k6 0 -1 ==> 1) "110" | 2) "23" | 3) "4" | 4) "45" | 5) "8"
sort k2 ==> (error) WRONGTYPE Operation against a key holding the wrong kind of value
EOF

echo
if [ $FAILED = 0 ]; then
    echo "all outputs match"
    exit 0
fi
echo "FAILED: some outputs differ"
exit 1
