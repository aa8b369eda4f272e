#!/usr/bin/python3
"""Pub/sub basics: seed 002 case 4 "发布订阅" (a chat on channel fm104.5)
and the command table of seed 001 3.6 "发布与订阅".

The chat: a listener does

    pub = r.pubsub(); pub.subscribe("fm104.5")
    pub.parse_response()        # the subscription's own reply ("订阅本身就有一个响应")
    while 1: msg = pub.parse_response()

and a sender r.publish("fm104.5", msg). The note reads stdin; here three
fixed lines are sent and the listener stops at "bye".

The table: SUBSCRIBE (one or more channels), UNSUBSCRIBE (without
arguments: all channels), PUBLISH channel message, PSUBSCRIBE (glob
patterns), PUNSUBSCRIBE; every reply is shown raw, as parse_response()
returns it: the confirmations carry the connection's subscription count, a
pattern match arrives as `pmessage`, PUBLISH answers how many received the
message, and a subscribed connection (RESP2) accepts only the subscribe
commands, PING, QUIT and RESET.

    /usr/bin/python3 examples/pubsub_chat.py --port 6380
"""

import threading
import time

import redis

from _common import Failed, check, connect, error_of, expect, parse_args, prepare, run, step


def wait_numsub(r, channel, n):
    deadline = time.time() + 10
    while time.time() < deadline:
        if dict(r.pubsub_numsub(channel)).get(channel) == n:
            return
        time.sleep(0.01)
    raise Failed("PUBSUB NUMSUB %s never reached %d" % (channel, n))


def chat(args, r):
    step("seed 002 case 4: a chat on fm104.5")
    got = []

    def recv_msg(pub):
        while True:
            msg = pub.parse_response()
            got.append(msg)
            if msg[2] == "bye":
                break

    pub = connect(args, decode_responses=True).pubsub()
    pub.subscribe("fm104.5")
    expect(pub.parse_response(), ["subscribe", "fm104.5", 1], "parse_response() after subscribe")
    listener = threading.Thread(target=recv_msg, args=(pub,), daemon=True)
    listener.start()
    wait_numsub(r, "fm104.5", 1)
    for line in ("hello", "你好, fm104.5", "bye"):
        expect(r.publish("fm104.5", line), 1, "PUBLISH fm104.5 %r" % line)
    listener.join(10)
    check(not listener.is_alive(), "the listener stopped at bye")
    expect(got, [["message", "fm104.5", "hello"], ["message", "fm104.5", "你好, fm104.5"],
                 ["message", "fm104.5", "bye"]], "what the listener's parse_response() returned")
    pub.close()
    wait_numsub(r, "fm104.5", 0)
    expect(r.publish("fm104.5", "anyone?"), 0, "PUBLISH fm104.5 after the listener left")


def table(args, r):
    step("seed 001 3.6: SUBSCRIBE UNSUBSCRIBE PUBLISH PSUBSCRIBE PUNSUBSCRIBE")
    p = connect(args, decode_responses=True).pubsub()
    read = p.parse_response
    p.subscribe("news", "sports")
    expect(read(), ["subscribe", "news", 1], "SUBSCRIBE news sports: first confirmation")
    expect(read(), ["subscribe", "sports", 2], "SUBSCRIBE news sports: second confirmation")
    p.psubscribe("news.*")
    expect(read(), ["psubscribe", "news.*", 3], "PSUBSCRIBE news.*")
    p.subscribe("news")
    expect(read(), ["subscribe", "news", 3], "SUBSCRIBE news again (the count stays)")
    expect(sorted(r.pubsub_channels()), ["news", "sports"], "PUBSUB CHANNELS (sorted)")
    expect(r.pubsub_numpat(), 1, "PUBSUB NUMPAT")

    expect(r.publish("news", "n1"), 1, "PUBLISH news n1")
    expect(read(), ["message", "news", "n1"], "the subscriber reads")
    expect(r.publish("news.tech", "t1"), 1, "PUBLISH news.tech t1 (matches news.*)")
    expect(read(), ["pmessage", "news.*", "news.tech", "t1"], "the subscriber reads")
    expect(r.publish("weather", "w1"), 0, "PUBLISH weather w1 (nobody)")
    p.subscribe("news.tech")
    expect(read(), ["subscribe", "news.tech", 4], "SUBSCRIBE news.tech")
    expect(r.publish("news.tech", "t2"), 2, "PUBLISH news.tech t2 (by name and by pattern: 2)")
    expect([read(), read()], [["message", "news.tech", "t2"], ["pmessage", "news.*", "news.tech", "t2"]],
           "the subscriber reads it twice, the channel first")
    expect(r.publish("news.", "t3"), 1, "PUBLISH news. t3 (* matches nothing too)")
    expect(read(), ["pmessage", "news.*", "news.", "t3"], "the subscriber reads")
    expect(r.publish("NEWS", "t4"), 0, "PUBLISH NEWS t4 (names are case-sensitive)")

    step("a subscribed connection: PING answers [pong, msg]; other commands are refused")
    p.ping()
    expect(read(), ["pong", ""], "PING")
    p.ping("hi")
    expect(read(), ["pong", "hi"], "PING hi")
    p.execute_command("GET", "news")
    expect(error_of(read), "Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
           "are allowed in this context", "GET news")

    step("UNSUBSCRIBE")
    p.unsubscribe("weather")
    expect(read(), ["unsubscribe", "weather", 4], "UNSUBSCRIBE weather (never subscribed: the count stays)")
    p.unsubscribe("sports")
    expect(read(), ["unsubscribe", "sports", 3], "UNSUBSCRIBE sports")
    p.unsubscribe()
    left = [read(), read()]
    expect(sorted(x[1] for x in left), ["news", "news.tech"], "UNSUBSCRIBE (all): one confirmation per channel")
    expect([x[2] for x in left], [2, 1], "their counts (the pattern remains)")
    expect(r.publish("news", "n2"), 0, "PUBLISH news n2")
    expect(r.publish("news.x", "x1"), 1, "PUBLISH news.x x1 (the pattern still matches)")
    expect(read(), ["pmessage", "news.*", "news.x", "x1"], "the subscriber reads")
    p.punsubscribe()
    expect(read(), ["punsubscribe", "news.*", 0], "PUNSUBSCRIBE (all)")
    p.unsubscribe()
    expect(read(), ["unsubscribe", None, 0], "UNSUBSCRIBE with nothing left: a nil name, count 0")
    p.close()
    expect(r.pubsub_channels(), [], "PUBSUB CHANNELS")
    expect(r.pubsub_numpat(), 0, "PUBSUB NUMPAT")


def main(args):
    prepare(args, [0])
    r = connect(args, decode_responses=True)
    chat(args, r)
    table(args, r)
    try:
        r.ping()
    except redis.RedisError as e:
        raise Failed("the server stopped answering: %s" % e)
    r.close()


if __name__ == "__main__":
    run(main, parse_args(__doc__))
