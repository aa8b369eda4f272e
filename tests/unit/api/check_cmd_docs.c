/*
 * check_cmd_docs: the COMMAND DOCS data and its notation.
 *
 * - the docs table (api/cmd_docs_data.c) parses, and is joined exactly to
 *   the command table: every registered command and subcommand has one
 *   entry, every entry names a registered command (or, marked parent_word,
 *   a word of a registered command that is not a container);
 * - the notation parser accepts each construct and rejects malformed text;
 * - replies: BITFIELD_RO byte for byte as Redis 7.0.15 answers it (RESP3),
 *   and a made-up container with a subcommand and a parent word (RESP2);
 * - COMMAND LIST names subcommands as "container|sub", COMMAND COUNT the
 *   top-level commands.
 */
#include "api/client.h"
#include "api/cmd_docs.h"
#include "api/command.h"
#include "api/config.h"
#include "api/reply.h"
#include "api/server.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct cmd_table *table;

static void setup(void) { table = cmd_table_create(); }

static void teardown(void) { cmd_table_destroy(table); }

/* ---- the data and the command table -------------------------------------- */

struct walk {
    const struct cmd_docs *docs;
    char missing[4096];
    size_t commands;
};

static void need_doc(struct walk *w, const char *full)
{
    const struct cmd_doc *doc = cmd_docs_find(w->docs, full);
    size_t n = strlen(w->missing);
    if (!doc)
        snprintf(w->missing + n, sizeof(w->missing) - n, "%s (no docs) ", full);
    else if (doc->parent_word)
        snprintf(w->missing + n, sizeof(w->missing) - n, "%s (registered, marked parent_word) ", full);
}

static void walk_cb(const struct cmd_def *d, void *arg)
{
    struct walk *w = arg;
    char full[128];
    w->commands++;
    need_doc(w, d->name);
    for (const struct cmd_def *s = d->subs; s && s->name; s++) {
        snprintf(full, sizeof(full), "%s|%s", d->name, s->name);
        need_doc(w, full);
    }
}

START_TEST(every_command_has_docs)
{
    struct walk w = { cmd_table_docs(table), "", 0 };
    ck_assert_ptr_nonnull(w.docs);
    cmd_foreach(table, walk_cb, &w);
    ck_assert_msg(w.missing[0] == '\0', "undocumented: %s", w.missing);
    ck_assert_uint_eq(w.commands, cmd_count(table));
}
END_TEST

/* The registered subcommand `sub` of `parent`, or NULL. */
static const struct cmd_def *find_sub(const struct cmd_def *parent, const char *sub)
{
    for (const struct cmd_def *s = parent->subs; s && s->name; s++)
        if (strcmp(s->name, sub) == 0)
            return s;
    return NULL;
}

START_TEST(every_doc_names_a_command)
{
    char bad[4096] = "";
    size_t top = 0;
    for (size_t i = 0; i < cmd_docs_data_len; i++) {
        const struct cmd_doc *doc = &cmd_docs_data[i];
        const char *bar = strchr(doc->name, '|');
        const struct cmd_def *d = cmd_lookup(table, doc->name, bar ? (size_t)(bar - doc->name) : strlen(doc->name));
        size_t n = strlen(bad);
        bool ok;
        if (!bar) {
            ok = d && !doc->parent_word;
            top++;
        } else if (doc->parent_word)
            ok = d && !d->subs && !find_sub(d, bar + 1);
        else
            ok = d && find_sub(d, bar + 1);
        if (!ok)
            snprintf(bad + n, sizeof(bad) - n, "%s ", doc->name);
    }
    ck_assert_msg(bad[0] == '\0', "docs for commands taskkv does not register: %s", bad);
    ck_assert_uint_eq(top, cmd_count(table));
}
END_TEST

START_TEST(docs_data_parses)
{
    char err[256] = "";
    struct cmd_docs *docs = cmd_docs_create(cmd_docs_data, cmd_docs_data_len, err, sizeof(err));
    ck_assert_msg(docs != NULL, "%s", err);
    cmd_docs_destroy(docs);
    for (size_t i = 0; i < cmd_docs_data_len; i++)
        if (cmd_docs_data[i].args)
            ck_assert_msg(cmd_docs_check_args(cmd_docs_data[i].args, err, sizeof(err)), "%s: %s",
                          cmd_docs_data[i].name, err);
}
END_TEST

/* ---- the notation ------------------------------------------------------------ */

static void notation_ok(const char *s)
{
    char err[256] = "";
    ck_assert_msg(cmd_docs_check_args(s, err, sizeof(err)), "\"%s\" refused: %s", s, err);
}

static void notation_bad(const char *s, const char *why)
{
    char err[256] = "";
    ck_assert_msg(!cmd_docs_check_args(s, err, sizeof(err)), "\"%s\" accepted", s);
    ck_assert_msg(strstr(err, why) != NULL, "\"%s\": \"%s\" does not say \"%s\"", s, err, why);
}

START_TEST(notation_constructs)
{
    notation_ok("key#0");
    notation_ok("key#0, value:string");
    notation_ok("key#0, [condition(NX | XX)@2.6.12], [GET@6.2.0]");
    notation_ok("[expiration(EX seconds:integer@2.6.12 | PX milliseconds:integer | KEEPTTL@6.0.0)]");
    notation_ok("key#0, [BY pattern:pattern#1], [GET pattern:pattern#1...*], [ALPHA sorting]");
    notation_ok("[LIMIT offset_count(offset:integer, count:integer)]");
    notation_ok("[ip:port:string!2.8.12]");
    notation_ok("[trim(strategy(MAXLEN | MINID), [operator(= equal | ~ approximately)], threshold:string)]");
    notation_ok("id(* auto_id | id:string)");
    notation_ok("[\"\" empty_string]");
    notation_ok("parameter(parameter:string)...");
    notation_ok("attr(\"lib-name\" libname:string | \"lib-ver\" libver:string)");
    notation_ok("[ key#1...@2.4.0 ]");
}
END_TEST

START_TEST(notation_errors)
{
    notation_bad("", "expected a name");
    notation_bad("key", "a value needs ':type'");
    notation_bad("value:str", "unknown value type");
    notation_bad("value:key", "unknown value type");
    notation_bad("key#x", "key spec index");
    notation_bad("[key#0", "expected ']'");
    notation_bad("a(NX | XX", "expected ','");
    notation_bad("a(NX | XX, YY)", "mixed separators");
    notation_bad("NX | XX", "mixed separators");
    notation_bad("key#0 value:string", "expected ','");
    notation_bad("Key#0", "lower case");
    notation_bad("NX XX", "lower case");
    notation_bad("[GET@x]", "expected a version");
    notation_bad("\"open", "unterminated");
    notation_bad("EX \"seconds\"", "cannot be quoted");
    notation_bad("key#0,", "expected a name");
    notation_bad("key#0, seconds:integer value:string", "a token is upper case");
    notation_bad("key#0, seconds value:string", "a token is upper case");
    notation_bad("attr(lib-name libname:string)", "a token is upper case");
}
END_TEST

START_TEST(entry_errors)
{
    char err[256];
    const struct cmd_doc bad_group[] = { { .name = "x", .group = "strings", .since = "1.0.0", .summary = "s" } };
    const struct cmd_doc bad_flag[] = { { .name = "x", .group = "string", .since = "1.0.0", .summary = "s",
                                          .doc_flags = "deprecated bogus" } };
    const struct cmd_doc odd_history[] = { { .name = "x", .group = "string", .since = "1.0.0", .summary = "s",
                                             .history = DOC_HISTORY("1.0.0") } };
    const struct cmd_doc twice[] = { { .name = "x", .group = "string", .since = "1", .summary = "s" },
                                     { .name = "x", .group = "string", .since = "1", .summary = "s" } };
    const struct cmd_doc bad_args[] = { { .name = "x", .group = "string", .since = "1", .summary = "s",
                                          .args = "key" } };
    const struct cmd_doc upper[] = { { .name = "Get", .group = "string", .since = "1", .summary = "s" } };
    const struct cmd_doc lone_word[] = { { .name = "x", .group = "string", .since = "1", .summary = "s",
                                           .parent_word = true } };
    ck_assert_ptr_null(cmd_docs_create(bad_group, 1, err, sizeof(err)));
    ck_assert_str_eq(err, "x: unknown group");
    ck_assert_ptr_null(cmd_docs_create(bad_flag, 1, err, sizeof(err)));
    ck_assert_str_eq(err, "x: unknown doc flag");
    ck_assert_ptr_null(cmd_docs_create(odd_history, 1, err, sizeof(err)));
    ck_assert_ptr_null(cmd_docs_create(twice, 2, err, sizeof(err)));
    ck_assert_str_eq(err, "x: documented twice");
    ck_assert_ptr_null(cmd_docs_create(bad_args, 1, err, sizeof(err)));
    ck_assert_msg(strstr(err, "x: a bare word is a token") == err, "%s", err);
    ck_assert_ptr_null(cmd_docs_create(upper, 1, err, sizeof(err)));
    ck_assert_ptr_null(cmd_docs_create(lone_word, 1, err, sizeof(err)));
}
END_TEST

/* ---- replies -------------------------------------------------------------------- */

static char *reply_of(const struct cmd_docs *docs, const struct cmd_def *d, int proto)
{
    struct reply *r = malloc(sizeof(*r));
    size_t len;
    char *bytes;
    reply_init(r);
    r->proto = proto;
    cmd_docs_reply(r, docs, d, NULL);
    bytes = reply_detach(r, &len);
    reply_deinit(r);
    free(r);
    return bytes;
}

/* Redis 7.0.15: HELLO 3, COMMAND DOCS bitfield_ro (without the outer %1). */
static const char bitfield_ro_resp3[] =
    "$11\r\nbitfield_ro\r\n%5\r\n$7\r\nsummary\r\n"
    "$87\r\nPerform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD\r\n"
    "$5\r\nsince\r\n$5\r\n6.0.0\r\n$5\r\ngroup\r\n$6\r\nbitmap\r\n$10\r\ncomplexity\r\n"
    "$34\r\nO(1) for each subcommand specified\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n"
    "$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n%5\r\n$4\r\nname\r\n"
    "$15\r\nencoding_offset\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\ntoken\r\n$3\r\nGET\r\n$5\r\nflags\r\n"
    "~3\r\n+optional\r\n+multiple\r\n+multiple_token\r\n$9\r\narguments\r\n*2\r\n%2\r\n$4\r\nname\r\n"
    "$8\r\nencoding\r\n$4\r\ntype\r\n$6\r\nstring\r\n%2\r\n$4\r\nname\r\n$6\r\noffset\r\n$4\r\ntype\r\n"
    "$7\r\ninteger\r\n";

START_TEST(reply_as_redis)
{
    const struct cmd_def *d = cmd_lookup(table, "bitfield_ro", 11);
    char *got;
    ck_assert_ptr_nonnull(d);
    got = reply_of(cmd_table_docs(table), d, 3);
    ck_assert_str_eq(got, bitfield_ro_resp3);
    free(got);
}
END_TEST

static const struct cmd_def box_subs[] = {
    { "get", NULL, 3, 0, 0, 2, 2, 1, "table summary of box|get", NULL },
    { "new", NULL, 2, 0, 0, 0, 0, 0, "box|new has no docs", NULL },
    { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL },
};
static const struct cmd_def box = { "box", NULL, -2, 0, 0, 0, 0, 0, "", box_subs };

static const struct cmd_doc box_docs[] = {
    { .name = "box|word", .group = "server", .since = "0.1.0", .summary = "w", .doc_flags = "syscmd",
      .args = "mode(ON | OFF)", .parent_word = true },
    { .name = "box", .group = "generic", .since = "1.0.0", .summary = "A box", .doc_flags = "deprecated syscmd",
      .deprecated_since = "2.0.0", .replaced_by = "`CRATE`" },
    { .name = "box|get", .group = "generic", .since = "1.1.0", .summary = "Get",
      .history = DOC_HISTORY("1.2.0", "Added `CH`."),
      .args = "key#0..., [CH change@1.2.0!1.3.0]" },
};

START_TEST(reply_container_resp2)
{
    char err[256] = "";
    struct cmd_docs *docs = cmd_docs_create(box_docs, 3, err, sizeof(err));
    char *got;
    ck_assert_msg(docs != NULL, "%s", err);
    got = reply_of(docs, &box, 2);
    ck_assert_str_eq(got,
                     "$3\r\nbox\r\n*14\r\n"
                     "$7\r\nsummary\r\n$5\r\nA box\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n"
                     "$9\r\ndoc_flags\r\n*2\r\n+deprecated\r\n+syscmd\r\n"
                     "$16\r\ndeprecated_since\r\n$5\r\n2.0.0\r\n$11\r\nreplaced_by\r\n$7\r\n`CRATE`\r\n"
                     "$11\r\nsubcommands\r\n*6\r\n"
                     /* box|get: registered, documented */
                     "$7\r\nbox|get\r\n*10\r\n"
                     "$7\r\nsummary\r\n$3\r\nGet\r\n$5\r\nsince\r\n$5\r\n1.1.0\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n"
                     "$7\r\nhistory\r\n*1\r\n*2\r\n$5\r\n1.2.0\r\n$11\r\nAdded `CH`.\r\n"
                     "$9\r\narguments\r\n*2\r\n"
                     "*8\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n"
                     "$5\r\nflags\r\n*1\r\n+multiple\r\n"
                     "*12\r\n$4\r\nname\r\n$6\r\nchange\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nCH\r\n"
                     "$5\r\nsince\r\n$5\r\n1.2.0\r\n$16\r\ndeprecated_since\r\n$5\r\n1.3.0\r\n"
                     "$5\r\nflags\r\n*1\r\n+optional\r\n"
                     /* box|new: registered, undocumented: the table's summary */
                     "$7\r\nbox|new\r\n*2\r\n$7\r\nsummary\r\n$19\r\nbox|new has no docs\r\n"
                     /* box|word: a parent word */
                     "$8\r\nbox|word\r\n*10\r\n"
                     "$7\r\nsummary\r\n$1\r\nw\r\n$5\r\nsince\r\n$5\r\n0.1.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n"
                     "$9\r\ndoc_flags\r\n*1\r\n+syscmd\r\n$9\r\narguments\r\n*1\r\n"
                     "*6\r\n$4\r\nname\r\n$4\r\nmode\r\n$4\r\ntype\r\n$5\r\noneof\r\n$9\r\narguments\r\n*2\r\n"
                     "*6\r\n$4\r\nname\r\n$2\r\non\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nON\r\n"
                     "*6\r\n$4\r\nname\r\n$3\r\noff\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nOFF\r\n");
    free(got);
    cmd_docs_destroy(docs);
}
END_TEST

/* ---- COMMAND LIST / COUNT / DOCS through the dispatcher ------------------------------ */

static char *run(struct client *c, int argc, const char *const *words)
{
    struct resp_arg argv[8];
    size_t len;
    for (int i = 0; i < argc; i++)
        argv[i] = (struct resp_arg){ words[i], strlen(words[i]) };
    client_exec_argv(c, argc, argv);
    return reply_detach(&c->out, &len);
}

START_TEST(command_list_and_count)
{
    struct server *srv = server_create(config_create());
    struct client *c = client_create_fake(srv);
    const char *list[] = { "COMMAND", "LIST" }, *count[] = { "COMMAND", "COUNT" };
    const char *docs[] = { "COMMAND", "DOCS", "Config|GET", "nosuch", "get|x" };
    char *got = run(c, 2, list), expect[32];
    ck_assert_ptr_nonnull(strstr(got, "\r\n$10\r\nconfig|get\r\n"));
    ck_assert_ptr_nonnull(strstr(got, "\r\n$6\r\nconfig\r\n"));
    ck_assert_ptr_null(strstr(got, "\r\n$10\r\ndisk-fault\r\n"));
    free(got);
    got = run(c, 2, count);
    snprintf(expect, sizeof(expect), ":%zu\r\n", cmd_count(srv->cmds));
    ck_assert_str_eq(got, expect);
    free(got);
    got = run(c, 5, docs);
    ck_assert_msg(strncmp(got, "*2\r\n$10\r\nconfig|get\r\n*12\r\n", 26) == 0, "%.60s", got);
    free(got);
    client_free(c);
    server_destroy(srv);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("cmd_docs");
    TCase *tc = tcase_create("docs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_command_has_docs);
    tcase_add_test(tc, every_doc_names_a_command);
    tcase_add_test(tc, docs_data_parses);
    tcase_add_test(tc, notation_constructs);
    tcase_add_test(tc, notation_errors);
    tcase_add_test(tc, entry_errors);
    tcase_add_test(tc, reply_as_redis);
    tcase_add_test(tc, reply_container_resp2);
    tcase_add_test(tc, command_list_and_count);
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
