/*
 * scan: the argument parsing shared by SCAN, SSCAN, HSCAN and ZSCAN
 * (see scan.h).
 */
#include "api/scan.h"
#include "api/client.h"
#include "api/command.h"
#include "api/reply.h"
#include "engine/alloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static size_t cstr_len(const struct resp_arg *a)
{
    const char *nul = memchr(a->ptr, '\0', a->len);
    return nul ? (size_t)(nul - a->ptr) : a->len;
}

/* Redis parses the cursor with strtoul: an empty string is 0, a sign is
 * allowed ("-1" is 2^64-1), leading space, trailing bytes and overflow are
 * not. */
bool scan_cursor_or_reply(struct client *c, const struct resp_arg *a, uint64_t *out)
{
    char *s = kv_xstrndup(a->ptr, cstr_len(a)), *end;
    bool ok;
    errno = 0;
    *out = strtoull(s, &end, 10);
    ok = !isspace((unsigned char)s[0]) && *end == '\0' && errno != ERANGE;
    free(s);
    if (!ok)
        reply_error(&c->out, "ERR invalid cursor");
    return ok;
}

bool scan_opts_or_reply(struct client *c, int i, bool allow_type, struct scan_opts *o)
{
    o->count = 10;
    o->pat = NULL;
    o->type = NULL;
    for (; i < c->argc; i += 2) {
        const struct resp_arg *opt = &c->argv[i], *val;
        if (i + 1 >= c->argc) {   /* every option takes a value */
            reply_err(&c->out, RE_SYNTAX);
            return false;
        }
        val = &c->argv[i + 1];
        if (arg_opt_is(opt, "count")) {
            if (!arg_ll_or_reply(c, val, &o->count))
                return false;
            if (o->count < 1) {
                reply_err(&c->out, RE_SYNTAX);
                return false;
            }
        } else if (arg_opt_is(opt, "match")) {
            o->pat = val->len == 1 && val->ptr[0] == '*' ? NULL : val;
        } else if (allow_type && arg_opt_is(opt, "type")) {
            o->type = val->ptr;
            o->type_len = cstr_len(val);
        } else {
            reply_err(&c->out, RE_SYNTAX);
            return false;
        }
    }
    return true;
}

