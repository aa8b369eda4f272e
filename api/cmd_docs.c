/*
 * cmd_docs: parses the docs table's argument notation (see cmd_docs.h) once
 * into trees, and writes COMMAND DOCS replies from them.
 *
 * A parsed argument keeps slices of its notation string (static data, so
 * nothing is copied): name, token, since, deprecated-since. Entries are kept
 * sorted by full name for lookups; a container's subcommand entries are then
 * one contiguous run after "<name>|".
 *
 * Reply layout, as Redis 7.0 writes it: per command a map of summary, since,
 * group, complexity, doc_flags (set), deprecated_since, replaced_by, history
 * (set of [version, change] pairs), arguments, subcommands (map) — each only
 * when present; per argument a map of name, type, key_spec_index, token,
 * since, deprecated_since, flags (set), arguments.
 */
#include "api/cmd_docs.h"
#include "api/notation.h"
#include "api/command.h"
#include "api/reply.h"
#include "engine/alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum darg_type { DT_STRING, DT_INTEGER, DT_DOUBLE, DT_KEY, DT_PATTERN, DT_UNIX_TIME, DT_PURE_TOKEN, DT_ONEOF, DT_BLOCK };

static const char *const type_names[] = {
    "string", "integer", "double", "key", "pattern", "unix-time", "pure-token", "oneof", "block",
};

enum { DF_OPTIONAL = 1, DF_MULTIPLE = 2, DF_MULTIPLE_TOKEN = 4 };

static const char *const arg_flag_names[] = { "optional", "multiple", "multiple_token" };

static const char *const doc_flag_names[] = { "deprecated", "syscmd" };

static const char *const group_names[] = {
    "generic", "string", "list", "set", "sorted-set", "hash", "pubsub", "transactions", "connection",
    "server", "scripting", "hyperloglog", "cluster", "sentinel", "geo", "stream", "bitmap",
};

struct slice {
    const char *p;
    size_t len;
};

struct darg {
    struct slice name, token, since, deprecated;
    bool name_is_token;        /* a bare TOKEN: its name is the token in lower case */
    unsigned char type, flags;
    int key_spec;              /* -1: none */
    struct darg *args;         /* oneof / block members */
    size_t nargs;
};

struct dentry {
    const struct cmd_doc *doc;
    unsigned doc_flags;
    size_t nhistory;
    struct darg *args;
    size_t nargs;
};

struct cmd_docs {
    struct dentry *entries;    /* sorted by doc->name */
    size_t n;
};

/* ---- the notation parser ------------------------------------------------ */

static bool ends_item(char ch) { return ch == '\0' || ch == ',' || ch == '|' || ch == ']' || ch == ')'; }

static bool at_ellipsis(const char *p) { return p[0] == '.' && p[1] == '.' && p[2] == '.'; }

/* A word: a quoted token, or the run up to a delimiter (':' belongs to the
 * word: "ip:port:string"). */
static bool scan_word(struct notation *ps, struct slice *w, bool *quoted)
{
    *quoted = *ps->p == '"';
    if (*quoted) {
        const char *end = strchr(ps->p + 1, '"');
        if (!end)
            return notation_fail(ps, "unterminated quoted token");
        *w = (struct slice){ ps->p + 1, (size_t)(end - ps->p - 1) };
        ps->p = end + 1;
        return true;
    }
    w->p = ps->p;
    while (*ps->p && !strchr(" ,|[]()#@!\"", *ps->p) && !at_ellipsis(ps->p))
        ps->p++;
    w->len = (size_t)(ps->p - w->p);
    return w->len ? true : notation_fail(ps, "expected a name or token");
}

static bool scan_version(struct notation *ps, struct slice *v)
{
    v->p = ++ps->p;
    while (isdigit((unsigned char)*ps->p) || (*ps->p == '.' && !at_ellipsis(ps->p)))
        ps->p++;
    v->len = (size_t)(ps->p - v->p);
    return v->len && isdigit((unsigned char)v->p[0]) ? true : notation_fail(ps, "expected a version");
}

static bool slice_is(struct slice s, const char *word) { return s.len == strlen(word) && !memcmp(s.p, word, s.len); }

static bool has_lower(struct slice s)
{
    for (size_t i = 0; i < s.len; i++)
        if (islower((unsigned char)s.p[i]))
            return true;
    return false;
}

static bool has_upper(struct slice s)
{
    for (size_t i = 0; i < s.len; i++)
        if (isupper((unsigned char)s.p[i]))
            return true;
    return false;
}

static bool parse_list(struct notation *ps, char close, bool top, struct darg **out, size_t *n, char *sep);

/* "name:type" (split at the last ':'), then an optional "#N". */
static bool parse_value(struct notation *ps, struct darg *a, struct slice w)
{
    const char *colon = memchr(w.p, ':', w.len);
    for (const char *q = colon; q; q = memchr(q + 1, ':', (size_t)(w.p + w.len - q - 1)))
        colon = q;
    a->type = DT_KEY;
    a->name = w;
    if (colon) {
        struct slice t = { colon + 1, (size_t)(w.p + w.len - colon - 1) };
        size_t i;
        for (i = 0; i < DT_PURE_TOKEN && !slice_is(t, type_names[i]); i++)
            ;
        if (i == DT_PURE_TOKEN || i == DT_KEY)
            return notation_fail(ps, "unknown value type");
        a->type = (unsigned char)i;
        a->name.len = (size_t)(colon - w.p);
    }
    if (*ps->p == '#') {
        char *end;
        long v = strtol(ps->p + 1, &end, 10);
        if (end == ps->p + 1 || v < 0 || v > 255)
            return notation_fail(ps, "expected a key spec index");
        a->key_spec = (int)v;
        ps->p = end;
    } else if (!colon)
        return notation_fail(ps, "a key needs '#N'");
    return a->name.len ? true : notation_fail(ps, "empty name");
}

/* What follows the token (if any): a value, a group or a pure token's name. */
static bool parse_what(struct notation *ps, struct darg *a, struct slice w, bool quoted, bool tokened)
{
    if (!quoted && *ps->p == '(') {
        char sep = ',';
        a->name = w;
        ps->p++;
        if (!parse_list(ps, ')', false, &a->args, &a->nargs, &sep))
            return false;
        ps->p++;
        a->type = sep == '|' ? DT_ONEOF : DT_BLOCK;
        return true;
    }
    if (!quoted && (memchr(w.p, ':', w.len) || *ps->p == '#'))
        return parse_value(ps, a, w);
    a->type = DT_PURE_TOKEN;
    if (tokened) {
        a->name = w;
        return quoted ? notation_fail(ps, "a name cannot be quoted") : true;
    }
    if (!quoted && has_lower(w))
        return notation_fail(ps, "a bare word is a token: a value needs ':type'");
    a->token = w;
    a->name_is_token = true;
    return true;
}

static bool parse_suffixes(struct notation *ps, struct darg *a)
{
    for (;;) {
        if (at_ellipsis(ps->p)) {
            ps->p += 3;
            a->flags |= DF_MULTIPLE;
            if (*ps->p == '*') {
                ps->p++;
                a->flags |= DF_MULTIPLE_TOKEN;
            }
        } else if (*ps->p == '@') {
            if (!scan_version(ps, &a->since))
                return false;
        } else if (*ps->p == '!') {
            if (!scan_version(ps, &a->deprecated))
                return false;
        } else
            return true;
    }
}

/* [ '[' ] [TOKEN ' '] what suffixes [ ']' ] */
static bool parse_item(struct notation *ps, struct darg *a)
{
    struct slice w;
    bool quoted, optional = *ps->p == '[';
    *a = (struct darg){ .key_spec = -1 };
    if (optional) {
        ps->p++;
        notation_skip_spaces(ps);
    }
    if (!scan_word(ps, &w, &quoted))
        return false;
    if (*ps->p == ' ') {
        notation_skip_spaces(ps);
        if (!ends_item(*ps->p)) {
            if (!quoted && (has_lower(w) || memchr(w.p, ':', w.len)))
                return notation_fail(ps, "a token is upper case: quote it, or is a ',' missing?");
            a->token = w;
            if (!scan_word(ps, &w, &quoted) || !parse_what(ps, a, w, quoted, true))
                return false;
        } else if (!parse_what(ps, a, w, quoted, false))
            return false;
    } else if (!parse_what(ps, a, w, quoted, false))
        return false;
    if (!a->name_is_token && has_upper(a->name))
        return notation_fail(ps, "names are lower case (a missing ','?)");
    if (!parse_suffixes(ps, a))
        return false;
    if (optional) {
        notation_skip_spaces(ps);
        if (*ps->p != ']')
            return notation_fail(ps, "expected ']'");
        ps->p++;
        a->flags |= DF_OPTIONAL;
    }
    return true;
}

/* Items up to `close` ('\0' at the top, ')' in a group), separated by one
 * kind of separator: ',' (the only one allowed at the top) or '|'. */
static bool parse_list(struct notation *ps, char close, bool top, struct darg **out, size_t *n, char *sep)
{
    size_t cap = 0;
    char used = 0;
    *out = NULL;
    *n = 0;
    for (;;) {
        notation_skip_spaces(ps);
        if (*n == cap) {
            cap = cap ? cap * 2 : 4;
            *out = kv_xrealloc(*out, cap * sizeof(**out));
        }
        if (!parse_item(ps, &(*out)[(*n)++]))
            return false;
        notation_skip_spaces(ps);
        if (*ps->p == close)
            break;
        if (*ps->p != ',' && *ps->p != '|')
            return notation_fail(ps, close ? "expected ',', '|' or ')'" : "expected ','");
        if ((used && *ps->p != used) || (top && *ps->p == '|'))
            return notation_fail(ps, "mixed separators (nest a group)");
        used = *ps->p++;
    }
    *sep = used ? used : ',';
    return true;
}

static void free_args(struct darg *args, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free_args(args[i].args, args[i].nargs);
    free(args);
}

static bool parse_args(const char *notation, struct darg **out, size_t *n, char *err, size_t errlen)
{
    struct notation ps = { notation, notation, err, errlen };
    char sep;
    if (!parse_list(&ps, '\0', true, out, n, &sep)) {
        free_args(*out, *n);
        *out = NULL;
        *n = 0;
        return false;
    }
    return true;
}

bool cmd_docs_check_args(const char *notation, char *err, size_t errlen)
{
    struct darg *args;
    size_t n;
    if (!parse_args(notation, &args, &n, err, errlen))
        return false;
    free_args(args, n);
    return true;
}

/* ---- entries -------------------------------------------------------------- */

static bool in_list(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return true;
    return false;
}

static bool parse_doc_flags(const char *s, unsigned *out)
{
    *out = 0;
    while (s && *s) {
        size_t len = strcspn(s, " "), i;
        for (i = 0; i < 2 && !(strlen(doc_flag_names[i]) == len && !strncmp(s, doc_flag_names[i], len)); i++)
            ;
        if (i == 2)
            return false;
        *out |= 1u << i;
        s += len + strspn(s + len, " ");
    }
    return true;
}

static bool load_entry(struct dentry *e, const struct cmd_doc *doc, char *err, size_t errlen)
{
    char why[160];
    const char *bad = NULL;
    *e = (struct dentry){ .doc = doc };
    for (const char *const *h = doc->history; h && *h; h++)
        e->nhistory++;
    if (!doc->name || !notation_valid_name(doc->name))
        bad = "bad name";
    else if (!doc->group || !in_list(doc->group, group_names, sizeof(group_names) / sizeof(group_names[0])))
        bad = "unknown group";
    else if (!doc->since || !*doc->since || !doc->summary || !*doc->summary)
        bad = "since and summary are required";
    else if (!parse_doc_flags(doc->doc_flags, &e->doc_flags))
        bad = "unknown doc flag";
    else if (e->nhistory % 2)
        bad = "history holds (version, change) pairs";
    else if (doc->parent_word && !strchr(doc->name, '|'))
        bad = "a parent word names its parent: \"parent|word\"";
    else if (doc->args && !parse_args(doc->args, &e->args, &e->nargs, why, sizeof(why)))
        bad = why;
    if (bad)
        snprintf(err, errlen, "%s: %s", doc->name ? doc->name : "(null)", bad);
    e->nhistory /= 2;
    return !bad;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct dentry *)a)->doc->name, ((const struct dentry *)b)->doc->name);
}

struct cmd_docs *cmd_docs_create(const struct cmd_doc *entries, size_t n, char *err, size_t errlen)
{
    struct cmd_docs *docs = kv_xcalloc(1, sizeof(*docs));
    docs->entries = kv_xcalloc(n ? n : 1, sizeof(*docs->entries));
    for (; docs->n < n; docs->n++)
        if (!load_entry(&docs->entries[docs->n], &entries[docs->n], err, errlen)) {
            cmd_docs_destroy(docs);
            return NULL;
        }
    const struct dentry *dup = notation_sort_unique(docs->entries, docs->n, sizeof(*docs->entries), entry_cmp);
    if (dup) {
        snprintf(err, errlen, "%s: documented twice", dup->doc->name);
        cmd_docs_destroy(docs);
        return NULL;
    }
    return docs;
}

void cmd_docs_destroy(struct cmd_docs *docs)
{
    if (!docs)
        return;
    for (size_t i = 0; i < docs->n; i++)
        free_args(docs->entries[i].args, docs->entries[i].nargs);
    free(docs->entries);
    free(docs);
}

static const struct dentry *find_entry(const struct cmd_docs *docs, const char *fullname)
{
    struct cmd_doc key = { .name = fullname };
    struct dentry probe = { .doc = &key };
    return docs ? bsearch(&probe, docs->entries, docs->n, sizeof(*docs->entries), entry_cmp) : NULL;
}

const struct cmd_doc *cmd_docs_find(const struct cmd_docs *docs, const char *fullname)
{
    const struct dentry *e = find_entry(docs, fullname);
    return e ? e->doc : NULL;
}

/* The parent words of `name` ("debug|disk-fault" for "debug"): *first and
 * the count. The subcommand entries follow "<name>|" in sorted order. */
static size_t parent_words(const struct cmd_docs *docs, const char *name, const struct dentry **first)
{
    size_t len = strlen(name), lo = 0, hi, n = 0;
    *first = NULL;
    if (!docs)
        return 0;
    hi = docs->n;
    while (lo < hi) {                       /* first entry >= "<name>|" */
        size_t mid = (lo + hi) / 2;
        int c = strncmp(docs->entries[mid].doc->name, name, len);
        if (c < 0 || (c == 0 && docs->entries[mid].doc->name[len] < '|'))
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = docs->entries + lo;
    for (size_t i = lo; i < docs->n; i++) {
        const char *en = docs->entries[i].doc->name;
        if (strncmp(en, name, len) != 0 || en[len] != '|')
            break;
        n += docs->entries[i].doc->parent_word;
    }
    return n;
}

/* ---- replies ------------------------------------------------------------------ */

static void reply_slice(struct reply *r, struct slice s) { reply_bulk(r, s.p, s.len); }

static void reply_lower(struct reply *r, struct slice s)
{
    char buf[64];
    size_t n = s.len < sizeof(buf) ? s.len : sizeof(buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)s.p[i]);
    reply_bulk(r, buf, n);
}

static void reply_flag_set(struct reply *r, unsigned bits, const char *const *names, size_t n)
{
    long long count = 0;
    for (size_t i = 0; i < n; i++)
        count += (bits >> i) & 1;
    reply_set(r, count);
    for (size_t i = 0; i < n; i++)
        if (bits & (1u << i))
            reply_simple(r, names[i]);
}

static void reply_kv(struct reply *r, const char *key, const char *value)
{
    reply_bulk_cstr(r, key);
    reply_bulk_cstr(r, value);
}

static void reply_args(struct reply *r, const struct darg *args, size_t n);

static void reply_arg(struct reply *r, const struct darg *a)
{
    bool group = a->type == DT_ONEOF || a->type == DT_BLOCK;
    reply_map(r, 2 + (a->key_spec >= 0) + !!a->token.p + !!a->since.p + !!a->deprecated.p + !!a->flags + group);
    reply_bulk_cstr(r, "name");
    if (a->name_is_token)
        reply_lower(r, a->token);
    else
        reply_slice(r, a->name);
    reply_kv(r, "type", type_names[a->type]);
    if (a->key_spec >= 0) {
        reply_bulk_cstr(r, "key_spec_index");
        reply_int(r, a->key_spec);
    }
    if (a->token.p) {
        reply_bulk_cstr(r, "token");
        reply_slice(r, a->token);
    }
    if (a->since.p) {
        reply_bulk_cstr(r, "since");
        reply_slice(r, a->since);
    }
    if (a->deprecated.p) {
        reply_bulk_cstr(r, "deprecated_since");
        reply_slice(r, a->deprecated);
    }
    if (a->flags) {
        reply_bulk_cstr(r, "flags");
        reply_flag_set(r, a->flags, arg_flag_names, 3);
    }
    if (group) {
        reply_bulk_cstr(r, "arguments");
        reply_args(r, a->args, a->nargs);
    }
}

static void reply_args(struct reply *r, const struct darg *args, size_t n)
{
    reply_array(r, (long long)n);
    for (size_t i = 0; i < n; i++)
        reply_arg(r, &args[i]);
}

static void reply_history(struct reply *r, const struct dentry *e)
{
    reply_bulk_cstr(r, "history");
    reply_set(r, (long long)e->nhistory);
    for (size_t i = 0; i < e->nhistory; i++) {
        reply_array(r, 2);
        reply_bulk_cstr(r, e->doc->history[2 * i]);
        reply_bulk_cstr(r, e->doc->history[2 * i + 1]);
    }
}

static void reply_subcommands(struct reply *r, const struct cmd_docs *docs, const struct cmd_def *d,
                              const struct dentry *words, size_t nwords);

/* The map of one entry; subcommands of `d` (NULL for a parent word). */
static void reply_entry(struct reply *r, const struct cmd_docs *docs, const struct dentry *e, const struct cmd_def *d)
{
    const struct cmd_doc *doc = e->doc;
    const struct dentry *words = NULL;
    size_t nwords = d ? parent_words(docs, doc->name, &words) : 0;
    bool subs = nwords || (d && d->subs && d->subs->name);
    reply_map(r, 3 + !!doc->complexity + !!e->doc_flags + !!doc->deprecated_since + !!doc->replaced_by +
                     !!e->nhistory + !!doc->args + subs);
    reply_kv(r, "summary", doc->summary);
    reply_kv(r, "since", doc->since);
    reply_kv(r, "group", doc->group);
    if (doc->complexity)
        reply_kv(r, "complexity", doc->complexity);
    if (e->doc_flags) {
        reply_bulk_cstr(r, "doc_flags");
        reply_flag_set(r, e->doc_flags, doc_flag_names, 2);
    }
    if (doc->deprecated_since)
        reply_kv(r, "deprecated_since", doc->deprecated_since);
    if (doc->replaced_by)
        reply_kv(r, "replaced_by", doc->replaced_by);
    if (e->nhistory)
        reply_history(r, e);
    if (doc->args) {
        reply_bulk_cstr(r, "arguments");
        reply_args(r, e->args, e->nargs);
    }
    if (subs)
        reply_subcommands(r, docs, d, words, nwords);
}

static void reply_subcommands(struct reply *r, const struct cmd_docs *docs, const struct cmd_def *d,
                              const struct dentry *words, size_t nwords)
{
    long long n = (long long)nwords;
    for (const struct cmd_def *s = d->subs; s && s->name; s++)
        n++;
    reply_bulk_cstr(r, "subcommands");
    reply_map(r, n);
    for (const struct cmd_def *s = d->subs; s && s->name; s++)
        cmd_docs_reply(r, docs, s, d);
    for (; nwords; words++)
        if (words->doc->parent_word) {
            reply_bulk_cstr(r, words->doc->name);
            reply_entry(r, docs, words, NULL);
            nwords--;
        }
}

void cmd_docs_reply(struct reply *r, const struct cmd_docs *docs, const struct cmd_def *d,
                    const struct cmd_def *parent)
{
    char full[128];
    const struct dentry *e;
    snprintf(full, sizeof(full), "%s%s%s", parent ? parent->name : "", parent ? "|" : "", d->name);
    reply_bulk_cstr(r, full);
    e = find_entry(docs, full);
    if (e) {
        reply_entry(r, docs, e, d);
        return;
    }
    reply_map(r, 1);
    reply_kv(r, "summary", d->summary ? d->summary : "");
}
