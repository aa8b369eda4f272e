#!/usr/bin/python3
"""The database layout of a real app (seed 000), restricted to strings.

    db 0  celery-task-meta-<uuid>  Celery task results, JSON strings (SETEX, 1 day)
    db 1  member_<id>              member info cache, JSON strings
          mark_<good_id>           claim sets (SADD/SMEMBERS): types milestone, skipped
    db 2  <item_id>                item status for compare-and-set: "1" once claimed
    db 3  (scratch)                emptied with FLUSHDB
    db 4  <lost_id>                "Bq03A15,Dd08A02": the matched found items
          Dd08A02 ...              hashes (HVALS): types milestone, skipped

Walks through it the way the note's redis-cli session does: KEYS *, GET,
SELECT, FLUSHDB; plus INFO keyspace and a race of threads claiming one item.

    /usr/bin/python3 examples/db_layout.py --port 6380
"""

import json
import threading
import uuid

from _common import connect, expect, check, error_of, is_taskkv, parse_args, prepare, run, say, step

TASK_RESULT_TTL = 86400          # Celery's default result_expires: one day


def celery_results(args):
    step("db 0: Celery task results (celery-task-meta-<task id> -> JSON)")
    r = connect(args, 0, decode_responses=True)
    ids = [str(uuid.uuid4()) for _ in range(6)]
    for i, tid in enumerate(ids):
        meta = {"status": "SUCCESS", "result": "can i be used by other celery task?", "traceback": None,
                "children": [], "date_done": "2020-04-14T17:22:42.207089",
                "parent_id": ids[i - 1] if i else None, "task_id": tid}
        # what Celery's redis result backend does: SETEX key result_expires json
        expect(r.setex("celery-task-meta-" + tid, TASK_RESULT_TTL, json.dumps(meta)), True,
               "SETEX celery-task-meta-%s.." % tid[:8])
    keys = r.keys("*")
    expect(sorted(keys), sorted("celery-task-meta-" + t for t in ids), "KEYS * (6 task results)")
    raw = r.get("celery-task-meta-" + ids[1])
    meta = json.loads(raw)
    expect((meta["status"], meta["task_id"], meta["parent_id"]), ("SUCCESS", ids[1], ids[0]),
           "GET one result: status, task_id, parent_id")
    ttl = r.ttl("celery-task-meta-" + ids[1])
    check(TASK_RESULT_TTL - 5 <= ttl <= TASK_RESULT_TTL, "TTL of a result", "%d s" % ttl)
    expect(r.get("celery-task-meta-" + str(uuid.uuid4())), None, "GET an unknown task id")
    r.close()
    return ids


MEMBER = {"id": 100001, "user_id": 0, "nickname": "\u7ba1\u7406\u5458", "salt": "", "credits": 265,
          "balance": 4.73, "mobile": "bPk3u33u+sqUiuxJ/+ubfQ==", "name": "\u674e\u4f69\u7487", "location": "",
          "sex": 2, "avatar": "https://wx.qlogo.cn/mmopen/vi_32/7jCR4QflwchksTBcyakicSepWVQdfbHIQL2glRrk"
          "Y7ic52iaXqfuBb2tlQ8ELlaGWZDXFgKM4zAMeQZSiaaJtibI3gQ/132",
          "qr_code": "20200316/687bee77-e5bf-44b8-b341-d63f1abdc853.jpg", "left_notify_times": 0,
          "openid": "opLxO5fubMUl7GdPFgZOUaDHUik8", "status": 1, "updated_time": "2020-04-14 04:02:04",
          "created_time": "2020-03-08 09:31:56"}


def member_cache(args):
    step("db 1: member info cache (member_<id> -> JSON)")
    r = connect(args, 1, decode_responses=True)
    for mid in (100001, 100002):
        expect(r.set("member_%d" % mid, json.dumps(dict(MEMBER, id=mid))), True, "SET member_%d" % mid)
    expect(sorted(r.keys("member_*")), ["member_100001", "member_100002"], "KEYS member_*")
    raw = r.get("member_100001")
    # json.dumps escapes non-ASCII as \uXXXX, exactly as the note's GET shows
    check('"nickname": "\\u7ba1\\u7406\\u5458"' in raw, "JSON kept byte for byte (\\u escapes)")
    expect(json.loads(raw), MEMBER, "GET member_100001, parsed")
    expect(r.strlen("member_100001"), len(raw.encode()), "STRLEN member_100001")
    # the cached JSON in full, as raw bytes too
    b = connect(args, 1)
    expect(b.get("member_100002"), json.dumps(dict(MEMBER, id=100002)).encode(), "GET member_100002 (bytes)")
    b.close()
    say("   (mark_<good_id> claim sets: SADD/SMEMBERS arrive with the types milestone)")
    r.close()


def item_status_cas(args):
    step("db 2: item status compare-and-set (<item id> -> \"1\" once claimed)")
    r = connect(args, 2, decode_responses=True)
    # claim = create the status key only if absent: SET NX is an atomic test-and-set
    for item in ("29", "30", "3", "8", "31", "12"):
        expect(r.set(item, "1", nx=True), True, "SET %s 1 NX (claim)" % item)
    expect(r.set("30", "1", nx=True), None, "SET 30 1 NX again (already claimed)")
    expect(r.get("30"), "1", "GET 30")
    expect(r.get("12"), "1", "GET 12")
    expect(sorted(r.keys("*"), key=int), ["3", "8", "12", "29", "30", "31"], "KEYS *")

    # eight clients race for item 99: exactly one wins
    winners = []
    lock = threading.Lock()

    def claimant(n):
        c = connect(args, 2)
        if c.set("99", "1", nx=True):
            with lock:
                winners.append(n)
        c.close()
    threads = [threading.Thread(target=claimant, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expect(len(winners), 1, "8 concurrent SET 99 1 NX: winners")

    # a status transition (1 claimed -> 2 returned) only from the expected state
    if is_taskkv(r):
        expect(r.execute_command("SET", "99", "2", "IFEQ", "1"), True, "SET 99 2 IFEQ 1 (taskkv)")
        expect(r.execute_command("SET", "99", "3", "IFEQ", "1"), None, "SET 99 3 IFEQ 1 (stale)")
        expect(r.get("99"), "2", "GET 99")
    else:
        e = error_of(r.execute_command, "SET", "99", "2", "IFEQ", "1")
        say("   SET ... IFEQ is a taskkv/Valkey 8.1 extension; this server says %r" % e)
    say("   (Redis 7.0 does a general CAS with WATCH/MULTI/EXEC: transactions milestone)")
    r.delete("99")
    r.close()


def lost_and_found(args):
    step("db 3 and 4: lost and found matches; FLUSHDB empties only the selected db")
    r4 = connect(args, 4, decode_responses=True)
    expect(r4.set("1", "Bq03A15,Dd08A02"), True, "db4 SET 1 Bq03A15,Dd08A02")
    expect(r4.get("1").split(","), ["Bq03A15", "Dd08A02"], "db4 GET 1, split")
    say("   (HVALS Dd08A02, the found items as hashes: types milestone)")
    r3 = connect(args, 3)
    expect(r3.mset({"lost:1": "x", "lost:2": "y"}), True, "db3 MSET lost:1 lost:2")
    expect(r3.flushdb(), True, "db3 FLUSHDB")
    expect(r3.keys("*"), [], "db3 KEYS *")
    expect(r4.dbsize(), 1, "db4 DBSIZE (untouched)")
    r3.close()
    r4.close()


def one_connection_select(args, ids):
    step("one connection moving between databases with SELECT, like redis-cli")
    r = connect(args, 0, decode_responses=True, single_connection_client=True)
    expect(r.dbsize(), 6, "db0 DBSIZE")
    expect(r.execute_command("SELECT", 2), True, "SELECT 2")
    expect(r.get("12"), "1", "GET 12")
    expect(r.get("celery-task-meta-" + ids[0]) is None, True, "db0's keys are not visible in db2")
    expect(r.execute_command("SELECT", 1), True, "SELECT 1")
    expect(len(r.keys("member_*")), 2, "KEYS member_* count")
    e = error_of(r.execute_command, "SELECT", 16)
    expect(e, "DB index is out of range", "SELECT 16 (16 databases)")
    r.close()
    info = connect(args, 0).info("keyspace")
    expect({db: v["keys"] for db, v in info.items()}, {"db0": 6, "db1": 2, "db2": 6, "db4": 1},
           "INFO keyspace: keys per db")
    expect(info["db0"]["expires"], 6, "INFO keyspace: db0 keys with a TTL")


def main(args):
    prepare(args, range(5))
    ids = celery_results(args)
    member_cache(args)
    item_status_cas(args)
    lost_and_found(args)
    one_connection_select(args, ids)


if __name__ == "__main__":
    run(main, parse_args(__doc__))
