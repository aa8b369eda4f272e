/*
 * cmd_keyspecs: parses the key-spec and tips notation (see cmd_keyspecs.h)
 * once, writes COMMAND INFO's tips and key specs, and finds keys with the
 * specs the way Redis 7.0's key-spec search does.
 *
 * A parsed entry keeps its tips text as is (the reply splits it at spaces)
 * and an array of struct cmd_keyspec whose keyword and notes point into the
 * static text. Entries are kept sorted by full name for lookups.
 *
 * Reply layout, as Redis 7.0 writes it: tips a set of bulk strings; key
 * specs a set of maps of notes (when present), flags (a set of simple
 * strings), begin_search {type, spec}, find_keys {type, spec}; the spec maps
 * hold index | keyword, startfrom | (nothing) and lastkey, keystep, limit |
 * keynumidx, firstkey, keystep | (nothing).
 */
#include "api/cmd_keyspecs.h"
#include "api/notation.h"
#include "api/command.h"
#include "api/reply.h"
#include "engine/alloc.h"
#include "engine/numfmt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const key_flag_names[] = {
    "RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags",
};
#define NKEY_FLAGS (sizeof(key_flag_names) / sizeof(key_flag_names[0]))

static const char *const tip_names[] = {
    "nondeterministic_output", "nondeterministic_output_order",
    "request_policy:all_nodes", "request_policy:all_shards", "request_policy:multi_shard", "request_policy:special",
    "response_policy:one_succeeded", "response_policy:all_succeeded", "response_policy:agg_logical_and",
    "response_policy:agg_logical_or", "response_policy:agg_min", "response_policy:agg_max",
    "response_policy:agg_sum", "response_policy:special",
};

struct cmd_keyinfo {
    const struct cmd_keyspecs_entry *entry;
    struct cmd_keyspec *specs;
    size_t n;
};

struct cmd_keyspecs {
    struct cmd_keyinfo *entries;   /* sorted by entry->name */
    size_t n;
};

/* ---- the notation parser ------------------------------------------------ */

/* The next word (letters, digits, '_', '-'), after spaces; len 0 if none. */
static size_t scan_word(struct notation *ps, const char **w)
{
    notation_skip_spaces(ps);
    *w = ps->p;
    while (isalnum((unsigned char)*ps->p) || *ps->p == '_' || *ps->p == '-')
        ps->p++;
    return (size_t)(ps->p - *w);
}

static bool word_is(const char *w, size_t len, const char *s) { return strlen(s) == len && !memcmp(w, s, len); }

static bool expect_word(struct notation *ps, const char *s)
{
    const char *w;
    size_t len = scan_word(ps, &w);
    if (word_is(w, len, s))
        return true;
    ps->p = w;
    return notation_fail(ps, s);
}

static bool expect_char(struct notation *ps, char ch, const char *why)
{
    notation_skip_spaces(ps);
    if (*ps->p != ch)
        return notation_fail(ps, why);
    ps->p++;
    return true;
}

static bool scan_int(struct notation *ps, int min, int *out)
{
    const char *w;
    size_t len = scan_word(ps, &w);
    long long v;
    if (!nf_str2ll(w, len, &v) || v < min || v > 255) {
        ps->p = w;
        return notation_fail(ps, "expected a number");
    }
    *out = (int)v;
    return true;
}

/* Space-separated flag names up to ':'. */
static bool parse_flags(struct notation *ps, uint32_t *flags)
{
    const uint32_t access = KEY_RO | KEY_RW | KEY_OW | KEY_RM;
    const char *w;
    size_t len, i;
    *flags = 0;
    while ((len = scan_word(ps, &w)) > 0) {
        for (i = 0; i < NKEY_FLAGS && !word_is(w, len, key_flag_names[i]); i++)
            ;
        if (i == NKEY_FLAGS || (*flags & (1u << i))) {
            ps->p = w;
            return notation_fail(ps, i == NKEY_FLAGS ? "unknown key flag" : "key flag repeated");
        }
        *flags |= 1u << i;
    }
    if ((*flags & access) & ((*flags & access) - 1))
        return notation_fail(ps, "more than one of RO, RW, OW, RM");
    if (!(*flags & access) == !(*flags & KEY_NOT_KEY))
        return notation_fail(ps, "a key spec has one of RO, RW, OW, RM, or not_key");
    return expect_char(ps, ':', "expected ':' after the flags");
}

static bool parse_begin(struct notation *ps, struct cmd_keyspec *s)
{
    const char *w;
    size_t len = scan_word(ps, &w);
    if (word_is(w, len, "index")) {
        s->begin = KS_BEGIN_INDEX;
        return scan_int(ps, 1, &s->pos);
    }
    if (word_is(w, len, "keyword")) {
        s->begin = KS_BEGIN_KEYWORD;
        s->keyword_len = scan_word(ps, &s->keyword);
        if (!s->keyword_len)
            return notation_fail(ps, "expected the keyword");
        if (!expect_word(ps, "from") || !scan_int(ps, -255, &s->pos))
            return false;
        return s->pos != 0 ? true : notation_fail(ps, "the search starts at 1 or from the end");
    }
    if (word_is(w, len, "unknown")) {
        s->begin = KS_BEGIN_UNKNOWN;
        return true;
    }
    ps->p = w;
    return notation_fail(ps, "expected index, keyword or unknown");
}

/* Optional "name N" pairs after a find type, in any order. */
static bool parse_options(struct notation *ps, const char *const *names, int *const *vals, size_t n)
{
    for (;;) {
        const char *save = ps->p, *w;
        size_t len = scan_word(ps, &w), i;
        for (i = 0; i < n && !word_is(w, len, names[i]); i++)
            ;
        if (!len || i == n) {
            ps->p = save;
            return true;
        }
        if (!scan_int(ps, 0, vals[i]))
            return false;
    }
}

static bool parse_find(struct notation *ps, struct cmd_keyspec *s)
{
    const char *w;
    size_t len = scan_word(ps, &w);
    s->keystep = 1;
    if (word_is(w, len, "range")) {
        const char *const names[] = { "step", "limit" };
        int *const vals[] = { &s->keystep, &s->limit };
        s->find = KS_FIND_RANGE;
        if (!scan_int(ps, -255, &s->lastkey) || !parse_options(ps, names, vals, 2))
            return false;
        if (s->limit && s->lastkey != -1)
            return notation_fail(ps, "a limit needs range -1");
    } else if (word_is(w, len, "keynum")) {
        const char *const names[] = { "first", "step" };
        int *const vals[] = { &s->firstkey, &s->keystep };
        s->find = KS_FIND_KEYNUM;
        s->firstkey = 1;
        if (!scan_int(ps, 0, &s->keynumidx) || !parse_options(ps, names, vals, 2))
            return false;
        if (s->firstkey < 1)
            return notation_fail(ps, "the keys come after their count");
    } else if (word_is(w, len, "unknown")) {
        s->find = KS_FIND_UNKNOWN;
    } else {
        ps->p = w;
        return notation_fail(ps, "expected range, keynum or unknown");
    }
    return s->keystep >= 1 ? true : notation_fail(ps, "a step is at least 1");
}

static bool parse_notes(struct notation *ps, struct cmd_keyspec *s)
{
    const char *end;
    notation_skip_spaces(ps);
    if (*ps->p != '"')
        return notation_fail(ps, "expected quoted notes");
    end = strchr(ps->p + 1, '"');
    if (!end || end == ps->p + 1)
        return notation_fail(ps, end ? "empty notes" : "unterminated notes");
    s->notes = ps->p + 1;
    s->notes_len = (size_t)(end - s->notes);
    ps->p = end + 1;
    return true;
}

static bool parse_spec(struct notation *ps, struct cmd_keyspec *s)
{
    *s = (struct cmd_keyspec){ 0 };
    if (!parse_flags(ps, &s->flags) || !parse_begin(ps, s) || !expect_char(ps, ',', "expected ','") ||
        !parse_find(ps, s))
        return false;
    notation_skip_spaces(ps);
    if (*ps->p == ',') {
        ps->p++;
        return parse_notes(ps, s);
    }
    return true;
}

static bool parse_specs(const char *text, struct cmd_keyspec **out, size_t *n, char *err, size_t errlen)
{
    struct notation ps = { text, text, err, errlen };
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    for (;;) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 2;
            *out = kv_xrealloc(*out, cap * sizeof(**out));
        }
        if (!parse_spec(&ps, &(*out)[(*n)++]))
            break;
        notation_skip_spaces(&ps);
        if (*ps.p == '\0')
            return true;
        if (*ps.p != ';') {
            notation_fail(&ps, "expected ';' or the end");
            break;
        }
        ps.p++;
    }
    free(*out);
    *out = NULL;
    *n = 0;
    return false;
}

bool cmd_keyspecs_check_specs(const char *specs, char *err, size_t errlen)
{
    struct cmd_keyspec *s;
    size_t n;
    if (!parse_specs(specs, &s, &n, err, errlen))
        return false;
    free(s);
    return true;
}

bool cmd_keyspecs_check_tips(const char *tips, char *err, size_t errlen)
{
    const char *p = tips;
    if (!*p) {
        snprintf(err, errlen, "empty tips (NULL: none)");
        return false;
    }
    while (*p) {
        size_t len = strcspn(p, " "), i;
        for (i = 0; i < sizeof(tip_names) / sizeof(tip_names[0]) && !word_is(p, len, tip_names[i]); i++)
            ;
        if (i == sizeof(tip_names) / sizeof(tip_names[0])) {
            snprintf(err, errlen, "unknown tip \"%.*s\"", (int)len, p);
            return false;
        }
        p += len;
        if (*p == ' ' && *++p == '\0') {
            snprintf(err, errlen, "trailing space");
            return false;
        }
    }
    return true;
}

/* ---- entries -------------------------------------------------------------- */

static bool load_entry(struct cmd_keyinfo *ki, const struct cmd_keyspecs_entry *e, char *err, size_t errlen)
{
    char why[160];
    const char *bad = NULL;
    *ki = (struct cmd_keyinfo){ .entry = e };
    if (!e->name || !notation_valid_name(e->name))
        bad = "bad name";
    else if (e->tips && !cmd_keyspecs_check_tips(e->tips, why, sizeof(why)))
        bad = why;
    else if (e->specs && !parse_specs(e->specs, &ki->specs, &ki->n, why, sizeof(why)))
        bad = why;
    if (bad)
        snprintf(err, errlen, "%s: %s", e->name ? e->name : "(null)", bad);
    return !bad;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct cmd_keyinfo *)a)->entry->name, ((const struct cmd_keyinfo *)b)->entry->name);
}

struct cmd_keyspecs *cmd_keyspecs_create(const struct cmd_keyspecs_entry *entries, size_t n, char *err,
                                         size_t errlen)
{
    struct cmd_keyspecs *ks = kv_xcalloc(1, sizeof(*ks));
    ks->entries = kv_xcalloc(n ? n : 1, sizeof(*ks->entries));
    for (; ks->n < n; ks->n++)
        if (!load_entry(&ks->entries[ks->n], &entries[ks->n], err, errlen)) {
            cmd_keyspecs_destroy(ks);
            return NULL;
        }
    const struct cmd_keyinfo *dup = notation_sort_unique(ks->entries, ks->n, sizeof(*ks->entries), entry_cmp);
    if (dup) {
        snprintf(err, errlen, "%s: named twice", dup->entry->name);
        cmd_keyspecs_destroy(ks);
        return NULL;
    }
    return ks;
}

void cmd_keyspecs_destroy(struct cmd_keyspecs *ks)
{
    if (!ks)
        return;
    for (size_t i = 0; i < ks->n; i++)
        free(ks->entries[i].specs);
    free(ks->entries);
    free(ks);
}

const struct cmd_keyinfo *cmd_keyspecs_find(const struct cmd_keyspecs *ks, const char *fullname)
{
    struct cmd_keyspecs_entry key = { .name = fullname };
    struct cmd_keyinfo probe = { .entry = &key };
    return ks ? bsearch(&probe, ks->entries, ks->n, sizeof(*ks->entries), entry_cmp) : NULL;
}

const struct cmd_keyspec *cmd_keyinfo_specs(const struct cmd_keyinfo *ki, size_t *n)
{
    *n = ki ? ki->n : 0;
    return ki ? ki->specs : NULL;
}

uint32_t cmd_keyinfo_all_flags(const struct cmd_keyinfo *ki, bool inverted)
{
    uint32_t all = 0;
    for (size_t i = 0; ki && i < ki->n; i++)
        all |= inverted ? ~ki->specs[i].flags : ki->specs[i].flags;
    return all;
}

/* ---- replies ------------------------------------------------------------------ */

void cmd_keyinfo_reply_tips(struct reply *r, const struct cmd_keyinfo *ki)
{
    const char *tips = ki ? ki->entry->tips : NULL;
    long long n = 0;
    for (const char *p = tips; p && *p; p += strcspn(p, " "), p += *p == ' ')
        n++;
    reply_set(r, n);
    for (const char *p = tips; p && *p; p += *p == ' ') {
        size_t len = strcspn(p, " ");
        reply_bulk(r, p, len);
        p += len;
    }
}

void cmd_key_flags_reply(struct reply *r, uint32_t flags)
{
    long long n = 0;
    for (size_t i = 0; i < NKEY_FLAGS; i++)
        n += (flags >> i) & 1;
    reply_set(r, n);
    for (size_t i = 0; i < NKEY_FLAGS; i++)
        if (flags & (1u << i))
            reply_simple(r, key_flag_names[i]);
}

static void reply_kv_int(struct reply *r, const char *key, long long v)
{
    reply_bulk_cstr(r, key);
    reply_int(r, v);
}

/* {type, spec}: the spec map has `nfields` pairs, written by the caller. */
static void reply_search_head(struct reply *r, const char *what, const char *type, long long nfields)
{
    reply_bulk_cstr(r, what);
    reply_map(r, 2);
    reply_bulk_cstr(r, "type");
    reply_bulk_cstr(r, type);
    reply_bulk_cstr(r, "spec");
    reply_map(r, nfields);
}

static void reply_begin(struct reply *r, const struct cmd_keyspec *s)
{
    switch (s->begin) {
    case KS_BEGIN_INDEX:
        reply_search_head(r, "begin_search", "index", 1);
        reply_kv_int(r, "index", s->pos);
        break;
    case KS_BEGIN_KEYWORD:
        reply_search_head(r, "begin_search", "keyword", 2);
        reply_bulk_cstr(r, "keyword");
        reply_bulk(r, s->keyword, s->keyword_len);
        reply_kv_int(r, "startfrom", s->pos);
        break;
    case KS_BEGIN_UNKNOWN:
        reply_search_head(r, "begin_search", "unknown", 0);
        break;
    }
}

static void reply_find(struct reply *r, const struct cmd_keyspec *s)
{
    switch (s->find) {
    case KS_FIND_RANGE:
        reply_search_head(r, "find_keys", "range", 3);
        reply_kv_int(r, "lastkey", s->lastkey);
        reply_kv_int(r, "keystep", s->keystep);
        reply_kv_int(r, "limit", s->limit);
        break;
    case KS_FIND_KEYNUM:
        reply_search_head(r, "find_keys", "keynum", 3);
        reply_kv_int(r, "keynumidx", s->keynumidx);
        reply_kv_int(r, "firstkey", s->firstkey);
        reply_kv_int(r, "keystep", s->keystep);
        break;
    case KS_FIND_UNKNOWN:
        reply_search_head(r, "find_keys", "unknown", 0);
        break;
    }
}

void cmd_keyinfo_reply_specs(struct reply *r, const struct cmd_keyinfo *ki)
{
    reply_set(r, ki ? (long long)ki->n : 0);
    for (size_t i = 0; ki && i < ki->n; i++) {
        const struct cmd_keyspec *s = &ki->specs[i];
        reply_map(r, 3 + !!s->notes);
        if (s->notes) {
            reply_bulk_cstr(r, "notes");
            reply_bulk(r, s->notes, s->notes_len);
        }
        reply_bulk_cstr(r, "flags");
        cmd_key_flags_reply(r, s->flags);
        reply_begin(r, s);
        reply_find(r, s);
    }
}

/* ---- the key search ---------------------------------------------------------------- */

/* An argument equal to `word` up to its first NUL, ignoring case (Redis
 * compares the C string). */
static bool arg_is_word(const struct resp_arg *a, const char *word, size_t len)
{
    const char *nul = a->len ? memchr(a->ptr, '\0', a->len) : NULL;
    size_t alen = nul ? (size_t)(nul - a->ptr) : a->len;
    return alen == len && strncasecmp(a->ptr, word, len) == 0;
}

/* The first key's index: after the keyword, searched from `pos` towards the
 * end (or, pos < 0, from argc+pos towards the start), never at the last
 * argument (resp. argv[1]); 0 when the keyword is not there. */
static int keyword_first(const struct cmd_keyspec *s, int argc, const struct resp_arg *argv)
{
    int start = s->pos > 0 ? s->pos : argc + s->pos, end = s->pos > 0 ? argc - 1 : 1;
    int dir = start <= end ? 1 : -1;
    for (int i = start; i != end && i >= 1 && i < argc; i += dir)
        if (arg_is_word(&argv[i], s->keyword, s->keyword_len))
            return i + 1;
    return 0;
}

/* [*first, *last] of one spec; false when the spec cannot tell. */
static bool spec_range(const struct cmd_keyspec *s, int argc, const struct resp_arg *argv, int first, long long *last)
{
    if (s->find == KS_FIND_RANGE) {
        if (s->lastkey >= 0)
            *last = first + s->lastkey;
        else if (!s->limit)
            *last = argc + s->lastkey;
        else
            *last = first + ((argc - first) / s->limit + s->lastkey);
        return true;
    }
    if (s->find == KS_FIND_KEYNUM) {
        long long numkeys;
        int at = first + s->keynumidx;
        if (at >= argc || !nf_str2ll(argv[at].ptr, argv[at].len, &numkeys) || numkeys < 0)
            return false;
        /* Redis takes the count as an int: 4294967297 is 1 */
        *last = (long long)(first + s->firstkey) + (int)numkeys - 1;
        return true;
    }
    return false;
}

int cmd_keyinfo_find_keys(const struct cmd_keyinfo *ki, int argc, const struct resp_arg *argv, struct cmd_keyref *out,
                          int max)
{
    int n = 0;
    for (size_t j = 0; ki && j < ki->n; j++) {
        const struct cmd_keyspec *s = &ki->specs[j];
        int first = 0;
        long long last;
        if (s->flags & KEY_NOT_KEY)
            continue;
        if (s->begin == KS_BEGIN_INDEX)
            first = s->pos;
        else if (s->begin == KS_BEGIN_KEYWORD) {
            if (!(first = keyword_first(s, argc, argv)))
                continue;                   /* an optional keyword that is not there */
        } else
            return -1;
        if (!spec_range(s, argc, argv, first, &last))
            return -1;
        if (s->find == KS_FIND_KEYNUM)
            first += s->firstkey;
        if (last >= argc || last < first || first >= argc)
            return -1;
        for (int i = first; i <= last && n < max; i += s->keystep)
            out[n++] = (struct cmd_keyref){ i, s->flags };
        if (s->flags & KEY_INCOMPLETE)
            return -1;
    }
    return n;
}
