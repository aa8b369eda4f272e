#!/usr/bin/python3
"""Sorted sets (seed 002 section 1.4, the `achievements` leaderboard): ZADD
ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGE ZREVRANGE ZCARD ZSCORE ZRANK ZREVRANK
ZCOUNT ZINCRBY ZREM ZPOPMIN ZPOPMAX, then what a leaderboard does with them:
pages with LIMIT, ties ordered by name, ZADD GT for "best score", the top 3
kept with ZRANGESTORE, two weeks merged with ZUNIONSTORE, BZPOPMIN.

The note's session had changed the board off-screen: xiaobai scores 93 (it
was added with 83: "1.4.7 zincrby key score member" +10 does that) and a
xiaolv with 60 shows up in ZCOUNT and ZPOPMIN; the example adds both
explicitly, after which every reply is the note's.

    /usr/bin/python3 examples/zset_achievements.py --port 6380
"""

from _common import connect, error_of, expect, parse_args, prepare, run, say, step

BOARD = "achievements"


def walkthrough(r):
    step("1.4.1 ZADD")
    expect(r.zadd(BOARD, {"xiaoming": 61, "xiaohong": 62, "xiaobai": 83, "xiaohei": 78, "xiaohui": 87,
                          "xiaolan": 99}), 6,
           "zadd achievements 61 xiaoming 62 xiaohong 83 xiaobai 78 xiaohei 87 xiaohui 99 xiaolan")
    expect(r.zadd(BOARD, {"xiaohuang": 85}), 1, "zadd achievements 85 xiaohuang")
    expect(r.zadd(BOARD, {"xiaoqing": 54}), 1, "zadd achievements 54 xiaoqing")
    expect(error_of(r.execute_command, "ZADD", BOARD, "abc", "xiaozi"), "value is not a valid float",
           "zadd achievements abc xiaozi (the score must be a number)")

    step("1.4.2 ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGE ZREVRANGE")
    expect(r.zrangebyscore(BOARD, 80, 90), [b"xiaobai", b"xiaohuang", b"xiaohui"], "zrangebyscore achievements 80 90")
    expect(r.zrevrangebyscore(BOARD, 90, 80), [b"xiaohui", b"xiaohuang", b"xiaobai"],
           "zrevrangebyscore achievements 90 80")
    expect(r.zrangebyscore(BOARD, "(83", "+inf", withscores=True),
           [(b"xiaohuang", 85.0), (b"xiaohui", 87.0), (b"xiaolan", 99.0)],
           "zrangebyscore achievements (83 +inf withscores")
    expect(r.zrange(BOARD, 0, 2), [b"xiaoqing", b"xiaoming", b"xiaohong"], "zrange achievements 0 2")
    expect(r.zrevrange(BOARD, 0, 2), [b"xiaolan", b"xiaohui", b"xiaohuang"], "zrevrange achievements 0 2")

    step("1.4.3-1.4.7 ZCARD ZSCORE ZRANK ZREVRANK ZCOUNT ZINCRBY")
    expect(r.zcard(BOARD), 8, "zcard achievements")
    say("   (the note's xiaobai has 93, its session had added 10:)")
    expect(r.zincrby(BOARD, 10, "xiaobai"), 93.0, "zincrby achievements 10 xiaobai")
    expect(r.zscore(BOARD, "xiaobai"), 93.0, "zscore achievements xiaobai")
    expect(r.zscore(BOARD, "xiaohong"), 62.0, "zscore achievements xiaohong")
    expect(r.zscore(BOARD, "xiaoming"), 61.0, "zscore achievements xiaoming")
    expect(r.zscore(BOARD, "nobody"), None, "zscore achievements nobody")
    expect(r.zrank(BOARD, "xiaoqing"), 0, "zrank achievements xiaoqing (lowest first)")
    expect(r.zrevrank(BOARD, "xiaohei"), 4, "zrevrank achievements xiaohei")
    say("   (the note's board also has xiaolv with 60:)")
    expect(r.zadd(BOARD, {"xiaolv": 60}), 1, "zadd achievements 60 xiaolv")
    expect(r.zcount(BOARD, 0, 60), 2, "zcount achievements 0 60")
    expect(r.zcount(BOARD, 54, 60), 2, "zcount achievements 54 60")
    expect(r.zcount(BOARD, "(54", 60), 1, "zcount achievements (54 60")

    step("1.4.8 / 1.4.9 ZREM ZPOPMIN ZPOPMAX")
    expect(r.zrem(BOARD, "xiaoming"), 1, "zrem achievements xiaoming")
    expect(r.zrem(BOARD, "xiaoming"), 0, "zrem achievements xiaoming (gone)")
    expect(r.zpopmin(BOARD, 2), [(b"xiaoqing", 54.0), (b"xiaolv", 60.0)], "zpopmin achievements 2")
    expect(r.zpopmax(BOARD, 2), [(b"xiaolan", 99.0), (b"xiaobai", 93.0)], "zpopmax achievements 2")
    expect(r.zrange(BOARD, 0, -1, withscores=True),
           [(b"xiaohong", 62.0), (b"xiaohei", 78.0), (b"xiaohuang", 85.0), (b"xiaohui", 87.0)],
           "zrange achievements 0 -1 withscores (what is left)")


def leaderboard(args, r):
    step("a leaderboard: pages, ties, best scores, the top 3, two weeks merged")
    r.delete("week:1", "week:2")
    scores = {"ann": 310, "bob": 250, "cat": 310, "dan": 120, "eve": 480, "fay": 250, "gus": 90}
    expect(r.zadd("week:1", scores), 7, "zadd week:1 (7 players)")
    # equal scores are ordered by member (backwards in a REV range): a well defined order
    expect(r.zrevrange("week:1", 0, 2, withscores=True), [(b"eve", 480.0), (b"cat", 310.0), (b"ann", 310.0)],
           "zrevrange week:1 0 2 withscores (page 1)")
    expect(r.zrevrange("week:1", 3, 5), [b"fay", b"bob", b"dan"], "zrevrange week:1 3 5 (page 2)")
    expect(r.zrevrangebyscore("week:1", "+inf", 200, start=1, num=2), [b"cat", b"ann"],
           "zrevrangebyscore week:1 +inf 200 limit 1 2")
    expect(r.zrange("week:1", 300, 100, byscore=True, desc=True), [b"fay", b"bob", b"dan"],
           "zrange week:1 300 100 byscore rev")
    expect(r.zmscore("week:1", ["eve", "nobody", "gus"]), [480.0, None, 90.0], "zmscore week:1 eve nobody gus")
    expect(r.zadd("week:1", {"gus": 150, "eve": 400}, gt=True), 0, "zadd week:1 gt 150 gus 400 eve (best only)")
    expect(r.zmscore("week:1", ["gus", "eve"]), [150.0, 480.0], "zmscore week:1 gus eve")
    expect(r.zadd("week:1", {"hal": 10}, xx=True), 0, "zadd week:1 xx 10 hal (xx: no new players)")
    expect(r.zadd("week:1", {"dan": 130}, ch=True), 1, "zadd week:1 ch 130 dan (changed: 1)")
    expect(r.zrangestore("top3", "week:1", 0, 2, desc=True), 3, "zrangestore top3 week:1 0 2 rev")
    expect(r.zrange("top3", 0, -1), [b"ann", b"cat", b"eve"], "zrange top3 0 -1")
    expect(r.zadd("week:2", {"ann": 100, "eve": 20, "zoe": 500}), 3, "zadd week:2 100 ann 20 eve 500 zoe")
    expect(r.zunionstore("total", ["week:1", "week:2"]), 8, "zunionstore total 2 week:1 week:2")
    expect(r.zrevrange("total", 0, 2, withscores=True), [(b"zoe", 500.0), (b"eve", 500.0), (b"ann", 410.0)],
           "zrevrange total 0 2 withscores")
    expect(r.zinterstore("both", {"week:1": 1, "week:2": 2}, aggregate="MAX"), 2,
           "zinterstore both 2 week:1 week:2 weights 1 2 aggregate max")
    expect(r.zrange("both", 0, -1, withscores=True), [(b"ann", 310.0), (b"eve", 480.0)],
           "zrange both 0 -1 withscores")
    expect(sorted(r.zrandmember("week:1", 20)), [b"ann", b"bob", b"cat", b"dan", b"eve", b"fay", b"gus"],
           "zrandmember week:1 20 (all seven, in a random order; sorted)")
    say()
    say("   BZPOPMIN: a judge waits for the next (lowest) entry of a review queue")
    r.zadd("review", {"entry:7": 3, "entry:2": 1})
    expect(r.bzpopmin(["review"], timeout=1), (b"review", b"entry:2", 1.0), "bzpopmin review 1")
    expect(r.bzpopmax(["review"], timeout=1), (b"review", b"entry:7", 3.0), "bzpopmax review 1")
    expect(r.bzpopmin(["review"], timeout=0.1), None, "bzpopmin review 0.1 (empty: nil)")


def main(args):
    prepare(args, [0])
    r = connect(args)
    walkthrough(r)
    leaderboard(args, r)
    r.close()


if __name__ == "__main__":
    run(main, parse_args(__doc__))
