/*
 * check_cmd_keyspecs: the key-spec and tips data, its notation, COMMAND INFO
 * and the key search.
 *
 * - the data (api/cmd_keyspecs_data.c) parses, and every command and
 *   subcommand taskkv registers has its entry; each registered command's
 *   table agrees with its specs: first / last / step and movablekeys are
 *   what Redis derives from the specs, and its docs' key_spec_index values
 *   name its specs (every spec that is a key is named);
 * - the notation parser accepts each construct and rejects malformed text;
 * - replies: COMMAND INFO of SORT (RESP3), XREAD (RESP2) and KEYS (RESP3)
 *   byte for byte as Redis 7.0.15 answers them;
 * - the key search: index, keyword (both directions), range (step, limit,
 *   from the end), keynum (Redis' int conversion), not_key, unknown and
 *   incomplete specs; and cmd_get_keys' fall back to the command's finder.
 */
#include "api/client.h"
#include "api/cmd_docs.h"
#include "api/cmd_keyspecs.h"
#include "api/command.h"
#include "api/config.h"
#include "api/reply.h"
#include "api/server.h"

#include <check.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct cmd_table *table;

static void setup(void) { table = cmd_table_create(); }

static void teardown(void) { cmd_table_destroy(table); }

/* ---- the data and the command table ------------------------------------- */

typedef void (*check_fn)(const struct cmd_def *d, const char *full, char *bad, size_t badlen);

struct walk {
    check_fn fn;
    char bad[8192];
};

static void walk_cb(const struct cmd_def *d, void *arg)
{
    struct walk *w = arg;
    char full[128];
    w->fn(d, d->name, w->bad, sizeof(w->bad));
    for (const struct cmd_def *s = d->subs; s && s->name; s++) {
        snprintf(full, sizeof(full), "%s|%s", d->name, s->name);
        w->fn(s, full, w->bad, sizeof(w->bad));
    }
}

static void walk_all(check_fn fn, const char *what)
{
    struct walk w = { fn, "" };
    cmd_foreach(table, walk_cb, &w);
    ck_assert_msg(w.bad[0] == '\0', "%s: %s", what, w.bad);
}

static void add_bad(char *bad, size_t badlen, const char *fmt, const char *full, const char *detail)
{
    size_t n = strlen(bad);
    snprintf(bad + n, badlen - n, fmt, full, detail);
}

static void need_entry(const struct cmd_def *d, const char *full, char *bad, size_t badlen)
{
    (void)d;
    if (!cmd_keyspecs_find(cmd_table_keyspecs(table), full))
        add_bad(bad, badlen, "%s%s ", full, "");
}

START_TEST(every_command_has_keyspecs)
{
    ck_assert_ptr_nonnull(cmd_table_keyspecs(table));
    walk_all(need_entry, "registered commands without key specs");
}
END_TEST

START_TEST(keyspecs_data_parses)
{
    char err[256] = "";
    struct cmd_keyspecs *ks = cmd_keyspecs_create(cmd_keyspecs_data, cmd_keyspecs_data_len, err, sizeof(err));
    ck_assert_msg(ks != NULL, "%s", err);
    cmd_keyspecs_destroy(ks);
    for (size_t i = 0; i < cmd_keyspecs_data_len; i++) {
        const struct cmd_keyspecs_entry *e = &cmd_keyspecs_data[i];
        if (e->specs)
            ck_assert_msg(cmd_keyspecs_check_specs(e->specs, err, sizeof(err)), "%s: %s", e->name, err);
        if (e->tips)
            ck_assert_msg(cmd_keyspecs_check_tips(e->tips, err, sizeof(err)), "%s: %s", e->name, err);
    }
}
END_TEST

/* Redis' legacy (first, last, step) and movablekeys, derived from the specs:
 * one index+range spec is the range; otherwise the consecutive plain ranges
 * merge, and any other spec (or a gap, a step, incomplete) makes the keys
 * movable. */
static void legacy_range(const struct cmd_keyspec *s, size_t n, int *first, int *last, int *step, bool *movable)
{
    int lo = INT_MAX;
    unsigned hi = 0;
    int prev = 0;
    *first = *last = *step = 0;
    *movable = false;
    if (n == 1 && s[0].begin == KS_BEGIN_INDEX && s[0].find == KS_FIND_RANGE) {
        *first = s[0].pos;
        *last = s[0].lastkey < 0 ? s[0].lastkey : s[0].pos + s[0].lastkey;
        *step = s[0].keystep;
        *movable = (s[0].flags & KEY_INCOMPLETE) != 0;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int abs;
        if (s[i].begin != KS_BEGIN_INDEX || s[i].find != KS_FIND_RANGE || s[i].keystep != 1 ||
            (prev && prev != s[i].pos - 1)) {
            *movable = true;
            continue;
        }
        *movable |= (s[i].flags & KEY_INCOMPLETE) != 0;
        lo = s[i].pos < lo ? s[i].pos : lo;
        abs = s[i].lastkey >= 0 ? s[i].lastkey + s[i].pos : s[i].lastkey;
        hi = (unsigned)abs > hi ? (unsigned)abs : hi;
        prev = (int)hi;
    }
    if (lo == INT_MAX) {
        *movable = n > 0;
        return;
    }
    *first = lo;
    *last = (int)hi;
    *step = 1;
}

static void check_range(const struct cmd_def *d, const char *full, char *bad, size_t badlen)
{
    size_t n;
    const struct cmd_keyspec *s = cmd_keyinfo_specs(cmd_keyspecs_find(cmd_table_keyspecs(table), full), &n);
    int first, last, step;
    bool movable;
    char detail[96];
    legacy_range(s, n, &first, &last, &step, &movable);
    if (first != d->first_key || last != d->last_key || step != d->key_step ||
        movable != ((d->flags & CMD_MOVABLE_KEYS) != 0)) {
        snprintf(detail, sizeof(detail), "(specs: %d %d %d%s) ", first, last, step, movable ? " movablekeys" : "");
        add_bad(bad, badlen, "%s %s", full, detail);
    }
}

START_TEST(table_agrees_with_specs)
{
    walk_all(check_range, "first/last/step or movablekeys differ from the key specs");
}
END_TEST

/* The key_spec_index values ('#N') of a docs argument notation, as a bit
 * set; quoted tokens skipped. */
static unsigned docs_key_indexes(const char *args)
{
    unsigned set = 0;
    for (const char *p = args; p && *p; p++) {
        if (*p == '"') {
            const char *end = strchr(p + 1, '"');
            p = end ? end : p + strlen(p) - 1;
        } else if (*p == '#' && isdigit((unsigned char)p[1]))
            set |= 1u << atoi(p + 1);
    }
    return set;
}

static void check_docs_indexes(const struct cmd_def *d, const char *full, char *bad, size_t badlen)
{
    const struct cmd_doc *doc = cmd_docs_find(cmd_table_docs(table), full);
    size_t n;
    const struct cmd_keyspec *s = cmd_keyinfo_specs(cmd_keyspecs_find(cmd_table_keyspecs(table), full), &n);
    unsigned named = docs_key_indexes(doc ? doc->args : NULL), keys = 0;
    (void)d;
    for (size_t i = 0; i < n; i++)
        if (!(s[i].flags & KEY_NOT_KEY))
            keys |= 1u << i;
    if (named >> n)
        add_bad(bad, badlen, "%s %s", full, "(names a spec it does not have) ");
    else if (keys & ~named)
        add_bad(bad, badlen, "%s %s", full, "(a key spec no argument names) ");
}

START_TEST(docs_name_the_specs)
{
    walk_all(check_docs_indexes, "docs key_spec_index values and key specs disagree");
}
END_TEST

/* ---- the notation ------------------------------------------------------------ */

static void specs_ok(const char *s)
{
    char err[256] = "";
    ck_assert_msg(cmd_keyspecs_check_specs(s, err, sizeof(err)), "\"%s\" refused: %s", s, err);
}

static void specs_bad(const char *s, const char *why)
{
    char err[256] = "";
    ck_assert_msg(!cmd_keyspecs_check_specs(s, err, sizeof(err)), "\"%s\" accepted", s);
    ck_assert_msg(strstr(err, why) != NULL, "\"%s\": \"%s\" does not say \"%s\"", s, err, why);
}

START_TEST(notation_constructs)
{
    specs_ok("RO: index 1, range 0");
    specs_ok("RW access update variable_flags: index 1, range 0, \"a note, with; punctuation\"");
    specs_ok("OW update: index 1, range -1 step 2");
    specs_ok("RO access: keyword STREAMS from 1, range -1 limit 2");
    specs_ok("RW access delete incomplete: keyword KEYS from -2, range -1");
    specs_ok("OW update: index 1, range 0; RO access: index 2, keynum 0");
    specs_ok("RO: index 2, keynum 1 first 3 step 2");
    specs_ok("RO access: unknown, unknown");
    specs_ok("not_key: index 1, range -1");
    specs_ok("  RO :index 1,range 0 ;RW: index 2, range 0  ");
}
END_TEST

START_TEST(notation_errors)
{
    specs_bad("", "a key spec has one of");
    specs_bad("RO index 1, range 0", "unknown key flag");
    specs_bad("ro: index 1, range 0", "unknown key flag");
    specs_bad("RO RO: index 1, range 0", "repeated");
    specs_bad("RO RW: index 1, range 0", "more than one");
    specs_bad("access: index 1, range 0", "a key spec has one of");
    specs_bad("RO not_key: index 1, range 0", "a key spec has one of");
    specs_bad("RO index 1, range 0", "unknown key flag");
    specs_bad("RO: index 0, range 0", "expected a number");
    specs_bad("RO: index x, range 0", "expected a number");
    specs_bad("RO: keyword STREAMS 1, range 0", "from");
    specs_bad("RO: keyword from 1, range 0", "from");
    specs_bad("RO: keyword STREAMS from 0, range 0", "the search starts");
    specs_bad("RO: index 1 range 0", "expected ','");
    specs_bad("RO: index 1, range", "expected a number");
    specs_bad("RO: index 1, range 0 step 0", "a step is at least 1");
    specs_bad("RO: index 1, range 0 limit 2", "a limit needs range -1");
    specs_bad("RO: index 1, keynum 0 first 0", "the keys come after their count");
    specs_bad("RO: index 1, ranges 0", "expected range, keynum or unknown");
    specs_bad("RO: indexes 1, range 0", "expected index, keyword or unknown");
    specs_bad("RO: index 1, range 0, note", "expected quoted notes");
    specs_bad("RO: index 1, range 0, \"open", "unterminated notes");
    specs_bad("RO: index 1, range 0, \"\"", "empty notes");
    specs_bad("RO: index 1, range 0 RW: index 2, range 0", "expected ';' or the end");
    specs_bad("RO: index 1, range 0;", "a key spec has one of");
}
END_TEST

START_TEST(tips_and_entries)
{
    char err[256];
    const struct cmd_keyspecs_entry twice[] = { { "x", NULL, NULL }, { "x", NULL, NULL } };
    const struct cmd_keyspecs_entry upper[] = { { "Get", NULL, NULL } };
    const struct cmd_keyspecs_entry bad_tip[] = { { "x", "nondeterministic_output bogus", NULL } };
    const struct cmd_keyspecs_entry bad_spec[] = { { "x", NULL, "RO: index 1" } };
    ck_assert(cmd_keyspecs_check_tips("request_policy:all_shards nondeterministic_output_order", err, sizeof(err)));
    ck_assert(!cmd_keyspecs_check_tips("", err, sizeof(err)));
    ck_assert(!cmd_keyspecs_check_tips("nondeterministic_output ", err, sizeof(err)));
    ck_assert(!cmd_keyspecs_check_tips("request_policy:all", err, sizeof(err)));
    ck_assert_ptr_null(cmd_keyspecs_create(twice, 2, err, sizeof(err)));
    ck_assert_str_eq(err, "x: named twice");
    ck_assert_ptr_null(cmd_keyspecs_create(upper, 1, err, sizeof(err)));
    ck_assert_str_eq(err, "Get: bad name");
    ck_assert_ptr_null(cmd_keyspecs_create(bad_tip, 1, err, sizeof(err)));
    ck_assert_str_eq(err, "x: unknown tip \"bogus\"");
    ck_assert_ptr_null(cmd_keyspecs_create(bad_spec, 1, err, sizeof(err)));
    ck_assert_msg(strstr(err, "x: expected ','") == err, "%s", err);
}
END_TEST

/* ---- COMMAND INFO through the dispatcher --------------------------------------------- */

static char *run(struct client *c, int argc, const char *const *words)
{
    struct resp_arg argv[8];
    size_t len;
    for (int i = 0; i < argc; i++)
        argv[i] = (struct resp_arg){ words[i], strlen(words[i]) };
    client_exec_argv(c, argc, argv);
    return reply_detach(&c->out, &len);
}

/* Redis 7.0.15: HELLO 3, COMMAND INFO sort. */
static const char sort_resp3[] =
    "*1\r\n*10\r\n$4\r\nsort\r\n:-2\r\n~3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n:1\r\n:1\r\n:1\r\n"
    "~6\r\n+@write\r\n+@set\r\n+@sortedset\r\n+@list\r\n+@slow\r\n+@dangerous\r\n~0\r\n~3\r\n"
    "%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n"
    "$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n"
    "%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n"
    "%4\r\n$5\r\nnotes\r\n$120\r\nFor the optional BY/GET keyword. It is marked 'unknown' because the key names "
    "derive from the content of the key we sort\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n"
    "%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\nspec\r\n%0\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n"
    "$4\r\nspec\r\n%0\r\n"
    "%4\r\n$5\r\nnotes\r\n$116\r\nFor the optional STORE keyword. It is marked 'unknown' because the keyword can "
    "appear anywhere in the argument array\r\n$5\r\nflags\r\n~2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n"
    "%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\nspec\r\n%0\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n"
    "$4\r\nspec\r\n%0\r\n~0\r\n";

/* Redis 7.0.15: COMMAND INFO xread (RESP2). */
static const char xread_resp2[] =
    "*1\r\n*10\r\n$5\r\nxread\r\n:-4\r\n*3\r\n+readonly\r\n+blocking\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n"
    "*4\r\n+@read\r\n+@stream\r\n+@slow\r\n+@blocking\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n"
    "$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n$4\r\nspec\r\n*4\r\n$7\r\nkeyword\r\n$7\r\nSTREAMS\r\n"
    "$9\r\nstartfrom\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n"
    "$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:2\r\n*0\r\n";

/* Redis 7.0.15: HELLO 3, COMMAND INFO keys. */
static const char keys_resp3[] =
    "*1\r\n*10\r\n$4\r\nkeys\r\n:2\r\n~1\r\n+readonly\r\n:0\r\n:0\r\n:0\r\n"
    "~4\r\n+@keyspace\r\n+@read\r\n+@slow\r\n+@dangerous\r\n"
    "~2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nnondeterministic_output_order\r\n~0\r\n~0\r\n";

START_TEST(info_as_redis)
{
    struct server *srv = server_create(config_create());
    struct client *c = client_create_fake(srv);
    const char *sort[] = { "COMMAND", "INFO", "sort" }, *xread[] = { "COMMAND", "INFO", "xread" };
    const char *keys[] = { "COMMAND", "INFO", "keys" };
    char *got;
    c->out.proto = 3;
    got = run(c, 3, sort);
    ck_assert_str_eq(got, sort_resp3);
    free(got);
    got = run(c, 3, keys);
    ck_assert_str_eq(got, keys_resp3);
    free(got);
    c->out.proto = 2;
    got = run(c, 3, xread);
    ck_assert_str_eq(got, xread_resp2);
    free(got);
    client_free(c);
    server_destroy(srv);
}
END_TEST

/* ---- the key search ----------------------------------------------------------------- */

static const struct cmd_keyspecs_entry search_entries[] = {
    { "box", NULL, "OW update: index 1, range 0; RO access: index 2, keynum 0" },
    { "each", NULL, "RW: index 2, range -2 step 2" },
    { "half", NULL, "RO: keyword STREAMS from 1, range -1 limit 2" },
    { "back", NULL, "RM: keyword KEYS from -2, range -1" },
    { "half_kw", NULL, "not_key: index 1, range 0; RO: keyword TO from 2, range 0" },
    { "incomplete", NULL, "RW: index 1, range 0; RO incomplete: keyword KEYS from -2, range -1" },
    { "unknown", NULL, "RO: index 1, range 0; RO: unknown, unknown" },
};

/* The keys found in `words` as "pos:flags pos:flags ...", or "-1". */
static void search(const char *name, const char *words, char *out, size_t outlen)
{
    char err[256] = "", buf[256], *save = NULL;
    struct cmd_keyspecs *ks = cmd_keyspecs_create(search_entries, sizeof(search_entries) / sizeof(search_entries[0]),
                                                  err, sizeof(err));
    struct resp_arg argv[16];
    struct cmd_keyref keys[16];
    int argc = 0, n;
    ck_assert_msg(ks != NULL, "%s", err);
    snprintf(buf, sizeof(buf), "%s", words);
    for (char *w = strtok_r(buf, " ", &save); w && argc < 16; w = strtok_r(NULL, " ", &save))
        argv[argc++] = (struct resp_arg){ w, strlen(w) };
    n = cmd_keyinfo_find_keys(cmd_keyspecs_find(ks, name), argc, argv, keys, 16);
    out[0] = '\0';
    if (n < 0)
        snprintf(out, outlen, "-1");
    for (int i = 0; i < n; i++) {
        size_t used = strlen(out);
        snprintf(out + used, outlen - used, "%s%d:%x", i ? " " : "", keys[i].pos, (unsigned)keys[i].flags);
    }
    cmd_keyspecs_destroy(ks);
}

#define ASSERT_SEARCH(name, words, expect)                                                                        \
    do {                                                                                                          \
        char got_[128];                                                                                           \
        search(name, words, got_, sizeof(got_));                                                                  \
        ck_assert_msg(strcmp(got_, expect) == 0, "%s [%s]: got \"%s\", expected \"%s\"", name, words, got_,     \
                      expect);                                                                                    \
    } while (0)

START_TEST(search_specs)
{
    /* OW|update = 0x24, RO|access = 0x11, RW = 0x2, RO = 0x1, RM = 0x8 */
    ASSERT_SEARCH("box", "box d 2 a b", "1:24 3:11 4:11");
    ASSERT_SEARCH("box", "box d 1 a b", "1:24 3:11");
    ASSERT_SEARCH("box", "box d 0 a", "-1");
    ASSERT_SEARCH("box", "box d 3 a b", "-1");
    ASSERT_SEARCH("box", "box d -1 a", "-1");
    ASSERT_SEARCH("box", "box d +1 a", "-1");
    ASSERT_SEARCH("box", "box d 4294967297 a b", "1:24 3:11");          /* an int: 1 */
    ASSERT_SEARCH("box", "box d 2147483648 a", "-1");
    ASSERT_SEARCH("each", "each x k1 v1 k2 v2 end", "2:2 4:2");
    ASSERT_SEARCH("half", "half COUNT 1 STREAMS a b 0 0", "4:1 5:1");
    ASSERT_SEARCH("half", "half STREAMS a b 0", "2:1");
    ASSERT_SEARCH("half", "half streams streams a 0", "2:1");            /* the first one */
    ASSERT_SEARCH("half", "half a b", "");                               /* no keyword: no keys */
    ASSERT_SEARCH("half", "half a STREAMS", "");                         /* never the last argument */
    ASSERT_SEARCH("half", "half a STREAMS b", "-1");
    ASSERT_SEARCH("back", "back x KEYS a b", "3:8 4:8");
    ASSERT_SEARCH("back", "back KEYS x KEYS a", "4:8");                  /* the last one, from the end */
    ASSERT_SEARCH("back", "back KEYS a", "");                            /* never argv[1] */
    ASSERT_SEARCH("half_kw", "half_kw ch TO k", "3:1");                  /* not_key skipped */
    ASSERT_SEARCH("half_kw", "half_kw ch x", "");
    ASSERT_SEARCH("incomplete", "incomplete k x KEYS a", "-1");
    ASSERT_SEARCH("incomplete", "incomplete k x", "1:2");                /* the keyword is not there */
    ASSERT_SEARCH("unknown", "unknown k", "-1");
    ASSERT_SEARCH("nosuch", "nosuch k", "");
}
END_TEST

static int get_keys(const char *words, char *out, size_t outlen)
{
    char buf[256], *save = NULL;
    struct resp_arg argv[16];
    struct cmd_keyref keys[16];
    const struct cmd_def *d, *parent = NULL;
    int argc = 0, n;
    snprintf(buf, sizeof(buf), "%s", words);
    for (char *w = strtok_r(buf, " ", &save); w && argc < 16; w = strtok_r(NULL, " ", &save))
        argv[argc++] = (struct resp_arg){ w, strlen(w) };
    d = cmd_lookup(table, argv[0].ptr, argv[0].len);
    ck_assert_ptr_nonnull(d);
    n = cmd_get_keys(table, d, parent, argc, argv, keys, 16);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t used = strlen(out);
        snprintf(out + used, outlen - used, "%s%s:%x", i ? " " : "", argv[keys[i].pos].ptr, (unsigned)keys[i].flags);
    }
    return n;
}

#define ASSERT_GET_KEYS(words, expect)                                                                            \
    do {                                                                                                          \
        char got_[128];                                                                                           \
        get_keys(words, got_, sizeof(got_));                                                                      \
        ck_assert_msg(strcmp(got_, expect) == 0, "[%s]: got \"%s\", expected \"%s\"", words, got_, expect);       \
    } while (0)

START_TEST(get_keys_falls_back)
{
    ASSERT_GET_KEYS("zunionstore d 2 a b", "d:24 a:11 b:11");
    ASSERT_GET_KEYS("zunionstore d +2 a b", "a:0 b:0 d:0");           /* the command's finder: atoi, no flags */
    ASSERT_GET_KEYS("zunionstore d 2x a b", "a:0 b:0 d:0");
    ASSERT_GET_KEYS("zunionstore d 3 a b", "");
    ASSERT_GET_KEYS("lmpop 99999999999999999999 a LEFT", "");          /* atoi: -1 */
    ASSERT_GET_KEYS("eval s 0", "");
    ASSERT_GET_KEYS("set k v", "k:24");                                 /* variable flags: SET's own */
    ASSERT_GET_KEYS("set k v GET", "k:32");                             /* RW access update */
    ASSERT_GET_KEYS("bitfield k GET u8 0", "k:11");
    ASSERT_GET_KEYS("bitfield k GET u8", "k:32");
    ASSERT_GET_KEYS("sort k BY x STORE d", "k:11 d:24");               /* unknown specs */
    ASSERT_GET_KEYS("sort_ro k", "k:11");
    ASSERT_GET_KEYS("mset a 1 b", "a:24 b:24");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("cmd_keyspecs");
    TCase *tc = tcase_create("keyspecs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_command_has_keyspecs);
    tcase_add_test(tc, keyspecs_data_parses);
    tcase_add_test(tc, table_agrees_with_specs);
    tcase_add_test(tc, docs_name_the_specs);
    tcase_add_test(tc, notation_constructs);
    tcase_add_test(tc, notation_errors);
    tcase_add_test(tc, tips_and_entries);
    tcase_add_test(tc, info_as_redis);
    tcase_add_test(tc, search_specs);
    tcase_add_test(tc, get_keys_falls_back);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    int failed;
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
