#!/usr/bin/python3
"""Article voting, Redis in Action 1.3 (seed 001:200-306).

    article:<id>   hash   title, link, poster, time, votes
    time:          zset   article:<id> -> posting time
    score:         zset   article:<id> -> posting time + 432 per vote
    voted:<id>     set    user:<id> who voted (expires a week after posting)
    group:<name>   set    article:<id> in the group
    score:<name>   zset   ZINTERSTORE of group:<name> and score: (cached 60 s)

The functions are the note's, written for redis-py >= 3.0 (the note uses
2.x argument orders: `zadd(key, member, score)`, `zincrby(key, member,
amount)`; 3.0 takes `zadd(key, {member: score})`, `zincrby(key, amount,
member)`) and with HSET mapping= instead of the deprecated HMSET. They take
the clock as an argument (time.time by default) so that the printed scores
are the same on every run; the posting times are a few minutes apart, the
last one 8 days ago (too old to vote for).

    /usr/bin/python3 examples/article_voting.py --port 6380
"""

import time

from _common import check, connect, expect, parse_args, prepare, run, step

ONE_WEEK_IN_SECONDS = 7 * 86400
VOTE_SCORE = 432            # 86400 / 200: a day's worth of score per 200 votes
ARTICLES_PER_PAGE = 25


def article_vote(conn, user, article, now=time.time):
    cutoff = now() - ONE_WEEK_IN_SECONDS
    if conn.zscore("time:", article) < cutoff:
        return False
    article_id = article.partition(":")[-1]
    if conn.sadd("voted:" + article_id, user):
        conn.zincrby("score:", VOTE_SCORE, article)
        conn.hincrby(article, "votes", 1)
        return True
    return False


def post_article(conn, user, title, link, now=time.time):
    article_id = str(conn.incr("article:"))
    voted = "voted:" + article_id
    # the poster counts as a voter; the voters list lives one week
    conn.sadd(voted, user)
    conn.expire(voted, ONE_WEEK_IN_SECONDS)
    t = now()
    article = "article:" + article_id
    conn.hset(article, mapping={"title": title, "link": link, "poster": user, "time": t, "votes": 1})
    conn.zadd("score:", {article: t + VOTE_SCORE})
    conn.zadd("time:", {article: t})
    return article_id


def get_articles(conn, page, order="score:"):
    start = (page - 1) * ARTICLES_PER_PAGE
    end = start + ARTICLES_PER_PAGE - 1
    ids = conn.zrevrange(order, start, end)
    articles = []
    for id in ids:
        article_data = conn.hgetall(id)
        article_data["id"] = id
        articles.append(article_data)
    return articles


def add_remove_groups(conn, article_id, to_add=(), to_remove=()):
    article = "article:" + article_id
    for group in to_add:
        conn.sadd("group:" + group, article)
    for group in to_remove:
        conn.srem("group:" + group, article)


def get_group_articles(conn, group, page, order="score:"):
    key = order + group
    if not conn.exists(key):
        conn.zinterstore(key, ["group:" + group, order], aggregate="max")
        conn.expire(key, 60)
    return get_articles(conn, page, key)


def main(args):
    prepare(args, [0])
    conn = connect(args, decode_responses=True)
    base = float(int(time.time()))     # whole seconds: the score arithmetic below is exact
    clock = {"now": base - 8 * 86400}

    def now():
        return clock["now"]

    step("post_article(): INCR article:, SADD + EXPIRE voted:<id>, HSET article:<id>, ZADD score: and time:")
    posts = [("user:9", "Old news", "http://example.com/old", -8 * 86400),
             ("user:1", "Redis in Action", "http://redisinaction.com", -600),
             ("user:2", "Sorted sets explained", "http://example.com/zsets", -300),
             ("user:3", "Lists as queues", "http://example.com/lists", -60)]
    ids = []
    for user, title, link, ago in posts:
        clock["now"] = base + ago
        ids.append(post_article(conn, user, title, link, now))
    expect(ids, ["1", "2", "3", "4"], "article ids from INCR article:")
    clock["now"] = base
    data = conn.hgetall("article:2")
    posted = float(data.pop("time"))
    expect(data, {"title": "Redis in Action", "link": "http://redisinaction.com", "poster": "user:1", "votes": "1"},
           "hgetall article:2 (but time)")
    check(posted == base - 600, "hget article:2 time: the posting time")
    expect(conn.smembers("voted:2"), {"user:1"}, "smembers voted:2 (the poster)")
    ttl = conn.ttl("voted:2")
    check(ONE_WEEK_IN_SECONDS - 5 <= ttl <= ONE_WEEK_IN_SECONDS, "ttl voted:2 is about a week")
    expect(conn.zscore("score:", "article:2") - base, -600.0 + VOTE_SCORE, "zscore score: article:2 (- now)")
    expect(conn.zrange("time:", 0, -1), ["article:1", "article:2", "article:3", "article:4"],
           "zrange time: 0 -1 (oldest first)")

    step("article_vote(): SADD voted:<id>, then ZINCRBY score: 432 and HINCRBY votes 1")
    votes = [("user:5", "article:2"), ("user:6", "article:2"), ("user:7", "article:2"),
             ("user:5", "article:3"), ("user:5", "article:2"),        # a second vote: ignored
             ("user:1", "article:2"),                                 # the poster: ignored
             ("user:8", "article:1")]                                 # older than a week: ignored
    expect([article_vote(conn, u, a, now) for u, a in votes], [True, True, True, True, False, False, False],
           "7 votes: counted or not")
    expect(conn.hget("article:2", "votes"), "4", "hget article:2 votes")
    expect(conn.scard("voted:2"), 4, "scard voted:2")
    expect(conn.zscore("score:", "article:2") - base, -600.0 + 4 * VOTE_SCORE, "zscore score: article:2 (- now)")
    expect(conn.hget("article:1", "votes"), "1", "hget article:1 votes (too old)")

    step("get_articles(): ZREVRANGE score: then HGETALL each")
    page = get_articles(conn, 1)
    expect([(a["id"], a["title"], a["votes"]) for a in page],
           [("article:2", "Redis in Action", "4"), ("article:3", "Sorted sets explained", "2"),
            ("article:4", "Lists as queues", "1"), ("article:1", "Old news", "1")], "page 1 by score")
    expect([a["id"] for a in get_articles(conn, 1, "time:")],
           ["article:4", "article:3", "article:2", "article:1"], "page 1 by time (newest first)")
    expect(get_articles(conn, 2), [], "page 2 (empty)")

    step("groups: SADD/SREM group:<name>, ZINTERSTORE ... AGGREGATE MAX cached 60 s")
    add_remove_groups(conn, "2", to_add=["redis", "programming"])
    add_remove_groups(conn, "3", to_add=["redis"])
    add_remove_groups(conn, "4", to_add=["programming"])
    add_remove_groups(conn, "4", to_remove=["programming"], to_add=["redis"])
    expect(sorted(conn.smembers("group:redis")), ["article:2", "article:3", "article:4"], "smembers group:redis")
    expect(sorted(conn.smembers("group:programming")), ["article:2"], "smembers group:programming")
    expect([a["id"] for a in get_group_articles(conn, "redis", 1)], ["article:2", "article:3", "article:4"],
           "get_group_articles redis 1")
    # (a set member's score is 1; MAX keeps the article's score)
    expect(conn.zscore("score:redis", "article:3") - base, -300.0 + 2 * VOTE_SCORE,
           "zscore score:redis article:3 (- now)")
    check(55 <= conn.ttl("score:redis") <= 60, "ttl score:redis is about 60 s")
    # the cache: a new vote does not show in the group ranking until it expires
    expect(article_vote(conn, "user:6", "article:4", now), True, "article_vote user:6 article:4")
    expect(conn.zscore("score:redis", "article:4") - base, -60.0 + VOTE_SCORE,
           "zscore score:redis article:4 (cached: old score)")
    expect(conn.delete("score:redis"), 1, "del score:redis (as if 60 s had passed)")
    expect(conn.zscore("score:", "article:4") - base, -60.0 + 2 * VOTE_SCORE,
           "zscore score: article:4 (- now)")
    expect([a["id"] for a in get_group_articles(conn, "redis", 1)], ["article:2", "article:4", "article:3"],
           "get_group_articles redis 1 (recomputed: 4 moved up)")
    expect(conn.zscore("score:redis", "article:4") - base, -60.0 + 2 * VOTE_SCORE,
           "zscore score:redis article:4 (new score)")
    conn.close()


if __name__ == "__main__":
    run(main, parse_args(__doc__))
