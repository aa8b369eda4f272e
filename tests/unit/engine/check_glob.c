/*
 * check_glob: Redis' glob matching (engine/glob.c).
 *
 * The case-sensitive table was produced by asking redis-server 7.0.15:
 * for each row, a database holding only the key `str`, then KEYS `pat`
 * (never the exact pattern "*", which KEYS short-cuts). The nocase rows were
 * checked with CONFIG GET and COMMAND LIST FILTERBY PATTERN, Redis' nocase
 * users. Rows use S("...") so NUL bytes keep their exact length.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/glob.h"

#define S(lit) lit, sizeof(lit) - 1

struct row {
    const char *pat;
    size_t plen;
    const char *str;
    size_t slen;
    bool want;
};

static const struct row exact_rows[] = {
    { S(""), S(""), true },
    { S(""), S("a"), false },
    { S("a"), S(""), false },
    { S("abc"), S("abc"), true },
    { S("abc"), S("abd"), false },
    { S("abc"), S("ab"), false },
    { S("ab"), S("abc"), false },
    { S("**"), S(""), false },
    { S("a*"), S("a"), true },
    { S("a*"), S("abc"), true },
    { S("*c"), S("abc"), true },
    { S("*b*"), S("abc"), true },
    { S("a*b*c"), S("aXbYc"), true },
    { S("a*b*c"), S("aXbY"), false },
    { S("a**b"), S("ab"), true },
    { S("a***"), S("a"), true },
    { S("*a*"), S("bbb"), false },
    { S("h*llo"), S("hello"), true },
    { S("h*llo"), S("hllo"), true },
    { S("h*llo"), S("heeeello"), true },
    { S("?"), S(""), false },
    { S("?"), S("a"), true },
    { S("?"), S("ab"), false },
    { S("h?llo"), S("hallo"), true },
    { S("h?llo"), S("hllo"), false },
    { S("??"), S("ab"), true },
    { S("a?*"), S("a"), false },
    { S("*?"), S("a"), true },
    { S("h[ae]llo"), S("hello"), true },
    { S("h[ae]llo"), S("hillo"), false },
    { S("h[^e]llo"), S("hallo"), true },
    { S("h[^e]llo"), S("hello"), false },
    { S("h[a-b]llo"), S("hbllo"), true },
    { S("h[a-b]llo"), S("hcllo"), false },
    { S("[z-a]"), S("m"), true },
    { S("[z-a]"), S("A"), false },
    { S("[^z-a]"), S("A"), true },
    { S("[abc-]"), S("-"), false },
    { S("[-a]"), S("-"), true },
    { S("[a-]"), S("]"), true },
    { S("[a-]"), S("`"), true },
    { S("[a-]"), S("b"), false },
    { S("[]"), S("]"), false },
    { S("[]]"), S("]"), false },
    { S("[]a]"), S("a"), false },
    { S("[^]"), S("x"), true },
    { S("[^]]"), S("x"), false },
    { S("[!a]"), S("!"), true },
    { S("[!a]"), S("b"), false },
    { S("[*]"), S("*"), true },
    { S("[?]"), S("?"), true },
    { S("[[]"), S("["), true },
    { S("[a-c-e]"), S("d"), false },
    { S("[a-c-e]"), S("-"), true },
    { S("[a-c-e]"), S("e"), true },
    { S("["), S("["), false },
    { S("["), S("a"), false },
    { S("[a"), S("a"), true },
    { S("[ab"), S("b"), true },
    { S("[ab"), S("ab"), false },
    { S("x[^"), S("xy"), true },
    { S("[^"), S("a"), true },
    { S("[^"), S(""), false },
    { S("[^"), S("ab"), false },
    { S("[a-"), S("-"), true },
    { S("[a-"), S("a"), true },
    { S("[a-"), S("b"), false },
    { S("[a-c"), S("b"), true },
    { S("a["), S("a["), false },
    { S("\\*"), S("*"), true },
    { S("\\*"), S("a"), false },
    { S("\\?"), S("?"), true },
    { S("\\?"), S("a"), false },
    { S("\\[a]"), S("[a]"), true },
    { S("\\a"), S("a"), true },
    { S("\\\\"), S("\\"), true },
    { S("\\"), S("\\"), true },
    { S("a\\"), S("a\\"), true },
    { S("a\\"), S("a"), false },
    { S("[\\]]"), S("]"), true },
    { S("[\\^a]"), S("^"), true },
    { S("[\\-]"), S("-"), true },
    { S("[\\"), S("\\"), true },
    { S("[a\\"), S("\\"), true },
    { S("[\\\\-\\]]"), S("\\"), true },
    { S("[\\\\-\\]]"), S("-"), true },
    { S("[\\\\-\\]]"), S("]"), true },
    { S("[\\a-z]"), S("m"), false },
    { S("[\\a-z]"), S("a"), true },
    { S("[\\a-z]"), S("-"), true },
    { S("*\\"), S("x\\"), true },
    { S("*\\*"), S("x*"), true },
    { S("*\\*"), S("x"), false },
    { S("a\000b"), S("a\000b"), true },
    { S("a?b"), S("a\000b"), true },
    { S("[\000]"), S("\000"), true },
    { S("*\000"), S("x\000"), true },
    { S("[a-\377]"), S("\377"), true },
    { S("[a-\377]"), S("\000"), true },
    { S("[a-\377]"), S("b"), false },
    { S("[a-\377]"), S("\200"), false },
    { S("[\377-a]"), S("A"), true },
    { S("[\200-\377]"), S("\220"), true },
    { S("[\200-\377]"), S("a"), false },
    { S("[^\000-\177]"), S("\303"), true },
    { S("\351"), S("\351"), true },
    { S("?"), S("\351"), true },
    { S("??"), S("\303\251"), true },
    { S("abc*"), S("abc"), true },
    { S("abc**"), S("abc"), true },
    { S("abc*?"), S("abc"), false },
    { S("abc*d"), S("abc"), false },
    { S("a*[b]"), S("a"), false },
};

static const struct row nocase_rows[] = {
    { S("ACLFILE"), S("aclfile"), true },
    { S("ACLFIL?"), S("aclfile"), true },
    { S("A*"), S("acl"), true },
    { S("c[A-Z]*"), S("client"), true },
    { S("[A]clfile"), S("aclfile"), true },
    { S("[\\a]clfile"), S("aclfile"), true },
    { S("\\Aclfile*"), S("aclfile"), true },   /* escape outside [...] folds */
    { S("[\\A]clfile"), S("aclfile"), false }, /* escape inside [...] is exact */
    { S("[^A]clfile"), S("aclfile"), false },
    { S("[^a]clfile"), S("aclfile"), false },
    { S("[A-b]clfile"), S("aclfile"), true },
    /* Range ends fold after the swap: Z-a -> 'z'..'a', an empty range. */
    { S("[Z-a]clfile"), S("aclfile"), false },
    { S("[a-Z]clfile"), S("aclfile"), false },
    { S("[Z-a]*"), S("zebra"), false },
    { S("[A-z]"), S("_"), false },             /* 'a'..'z' once folded */
    { S("[a-Z]"), S("\303"), false },
    { S("\303*"), S("\343x"), false },         /* no folding beyond ASCII */
};

static bool run_row(const struct row *r, bool nocase)
{
    return glob_match(r->pat, r->plen, r->str, r->slen, nocase);
}

START_TEST(test_exact_table)
{
    for (size_t i = 0; i < sizeof(exact_rows) / sizeof(exact_rows[0]); i++) {
        const struct row *r = &exact_rows[i];
        ck_assert_msg(run_row(r, false) == r->want, "row %zu: \"%s\" vs \"%s\" want %d",
                      i, r->pat, r->str, r->want);
    }
}
END_TEST

START_TEST(test_nocase_table)
{
    for (size_t i = 0; i < sizeof(nocase_rows) / sizeof(nocase_rows[0]); i++) {
        const struct row *r = &nocase_rows[i];
        ck_assert_msg(run_row(r, true) == r->want, "row %zu: \"%s\" vs \"%s\" want %d",
                      i, r->pat, r->str, r->want);
    }
    /* And the case-sensitive view of the same quirks. */
    ck_assert(glob_match(S("[Z-a]"), S("a"), false));
    ck_assert(glob_match(S("[A-z]"), S("_"), false));
    ck_assert(!glob_match(S("ACLFILE"), S("aclfile"), false));
}
END_TEST

START_TEST(test_nocase_is_superset_on_letters)
{
    /* Without classes, nocase accepts whatever exact matching accepts. */
    for (size_t i = 0; i < sizeof(exact_rows) / sizeof(exact_rows[0]); i++) {
        const struct row *r = &exact_rows[i];
        if (memchr(r->pat, '[', r->plen) || !r->want)
            continue;
        ck_assert_msg(run_row(r, true), "row %zu", i);
    }
}
END_TEST

START_TEST(test_star_and_empty_string)
{
    /* The matcher proper: only the empty pattern matches "". KEYS lists an
     * empty key for "*" by a shortcut outside the matcher. */
    ck_assert(glob_match(S(""), S(""), false));
    ck_assert(!glob_match(S("*"), S(""), false));
    ck_assert(!glob_match(S("**"), S(""), false));
    ck_assert(glob_match(S("*"), S("\0"), false));
}
END_TEST

START_TEST(test_reads_only_given_lengths)
{
    /* Lengths, not NULs, bound both sides. */
    ck_assert(glob_match("ab*", 2, "abXYZ", 2, false));
    ck_assert(!glob_match("ab*", 2, "abXYZ", 3, false));
    ck_assert(glob_match("[a-z]zz", 5, "q", 1, false));  /* "[a-z]" */
    ck_assert(glob_match("[^]", 2, "q", 1, false));      /* "[^"    */
    ck_assert(!glob_match("[", 1, "[", 1, false));
    ck_assert(glob_match("\\\\", 1, "\\", 1, false));    /* lone trailing '\' */
}
END_TEST

/* Builds `unit` repeated n times followed by `tail`; caller frees. */
static char *repeat(const char *unit, int n, const char *tail, size_t *len)
{
    size_t ul = strlen(unit), tl = strlen(tail);
    char *p = malloc(ul * (size_t)n + tl + 1);
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < n; i++)
        memcpy(p + ul * (size_t)i, unit, ul);
    memcpy(p + ul * (size_t)n, tail, tl + 1);
    *len = ul * (size_t)n + tl;
    return p;
}

static bool repeat_matches(const char *unit, int n, const char *tail, const char *s, size_t slen)
{
    size_t plen;
    char *p = repeat(unit, n, tail, &plen);
    bool m = glob_match(p, plen, s, slen, false);
    free(p);
    return m;
}

START_TEST(test_nesting_limit)
{
    /* Server: a key of 1500 'a's; a star may nest 1000 levels deep. */
    size_t n = 1500;
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    memset(s, 'a', n);
    ck_assert(repeat_matches("*a", 1000, "", s, n));
    ck_assert(!repeat_matches("*a", 1001, "", s, n));
    ck_assert(repeat_matches("a*", 1001, "", s, n));    /* last star ends it */
    ck_assert(!repeat_matches("a*", 1002, "", s, n));
    ck_assert(repeat_matches("*a", 1000, "*", s, n));
    ck_assert(!repeat_matches("*a", 1001, "*", s, n));
    ck_assert(repeat_matches("*?", 1000, "", s, n));
    ck_assert(!repeat_matches("*?", 1001, "", s, n));
    /* Consecutive stars collapse and do not nest. */
    ck_assert(repeat_matches("*", 5000, "a", s, n));
    /* Shorter keys than the pattern needs never match. */
    ck_assert(!repeat_matches("*a", 1000, "", s, 999));
    free(s);
}
END_TEST

START_TEST(test_abusive_patterns_are_fast)
{
    /* Exponential for a plain backtracker; each finishes in well under a
     * millisecond here, so the suite's timeout catches a regression. */
    size_t n = 100000;
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    memset(s, 'a', n);
    ck_assert(!repeat_matches("a*", 30, "b", s, 60));
    ck_assert(!repeat_matches("*a", 1000, "b", s, n));
    ck_assert(!repeat_matches("*?", 1000, "b", s, n));
    ck_assert(!repeat_matches("*[a-z]", 999, "b", s, n));
    ck_assert(!repeat_matches("*aa", 500, "*ab", s, n));
    ck_assert(!repeat_matches("*a", 5000, "", s, n));
    ck_assert(repeat_matches("*a", 500, "*", s, n));
    free(s);
}
END_TEST

/* '\' before every byte makes any string its own pattern. */
static size_t escape_all(const char *s, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        out[k++] = '\\';
        out[k++] = s[i];
    }
    return k;
}

START_TEST(test_escaped_string_matches_itself)
{
    uint64_t x = 0x853c49e6748fea9bull;
    char s[24], pat[48];
    for (int round = 0; round < 20000; round++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        size_t n = (x >> 59) % sizeof(s);
        for (size_t i = 0; i < n; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            s[i] = (char)(x >> 56);
        }
        size_t plen = escape_all(s, n, pat);
        if (!glob_match(pat, plen, s, n, false))
            ck_abort_msg("escaped pattern failed (round %d)", round);
        /* Wrapped in stars, its tail is found as a substring. */
        if (n >= 1) {
            char wrapped[sizeof(pat)] = "*";
            memcpy(wrapped + 1, pat + 2, plen - 2);
            wrapped[plen - 1] = '*';
            if (!glob_match(wrapped, plen, s, n, false))
                ck_abort_msg("*tail* failed (round %d)", round);
        }
    }
}
END_TEST

static Suite *glob_suite(void)
{
    Suite *s = suite_create("glob");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_exact_table);
    tcase_add_test(tc, test_nocase_table);
    tcase_add_test(tc, test_nocase_is_superset_on_letters);
    tcase_add_test(tc, test_star_and_empty_string);
    tcase_add_test(tc, test_reads_only_given_lengths);
    tcase_add_test(tc, test_nesting_limit);
    tcase_add_test(tc, test_abusive_patterns_are_fast);
    tcase_add_test(tc, test_escaped_string_matches_itself);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(glob_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
