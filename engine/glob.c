/*
 * glob: Redis 7.0's stringmatchlen semantics (see engine/glob.h).
 *
 * Shape
 *   A backtracking matcher: the pattern is walked left to right, and only
 *   '*' branches, by recursing on "rest of the pattern" at each candidate
 *   start in the string. Two things keep that from exploding:
 *   - skip_longer: when the rest after some '*' fails at every start, no
 *     enclosing '*' can succeed by swallowing more (that would only start
 *     the same rest later), so the whole match fails at once. Without this,
 *     "a*a*a*a*...b" against "aaaa...a" is exponential.
 *   - a nesting limit of MAX_NESTING star levels, which is also observable
 *     behaviour (Redis returns "no match" beyond it) and bounds the stack.
 *
 * Cursors
 *   (p, pn) and (s, sn) are pointer + remaining length. Redis reads one byte
 *   past a pattern's end in places (its strings carry a NUL terminator);
 *   every such read is a length test here, with the same outcome.
 */
#include "engine/glob.h"

#define MAX_NESTING 1000

struct matcher {
    bool nocase;
    bool skip_longer;
};

/* ASCII-only case fold on a (possibly negative) char value. */
static int fold(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool same_byte(char a, char b, bool nocase)
{
    return nocase ? fold(a) == fold(b) : a == b;
}

/* Range a-b against c, all as signed chars; swapped if reversed, folded
 * after the swap when nocase (so "[A-z]" nocase is 'a'..'z'). */
static bool in_range(char a, char b, char c, bool nocase)
{
    int lo = (signed char)a, hi = (signed char)b, x = (signed char)c;
    if (lo > hi) {
        int t = lo;
        lo = hi;
        hi = t;
    }
    if (nocase) {
        lo = fold(lo);
        hi = fold(hi);
        x = fold(x);
    }
    return x >= lo && x <= hi;
}

/* Matches byte c against the class starting just after '['. Leaves the
 * cursor on the class's last byte (its ']' or, when unterminated, the last
 * byte of the pattern) for the caller's usual one-byte step. */
static bool match_class(const char **pp, size_t *pn, char c, bool nocase)
{
    const char *p = *pp;
    size_t n = *pn;
    bool negate = n > 0 && p[0] == '^';
    bool hit = false;
    if (negate) {
        p++;
        n--;
    }
    for (;;) {
        if (n >= 2 && p[0] == '\\') {
            p++;
            n--;
            hit |= p[0] == c;
        } else if (n >= 1 && p[0] == ']') {
            break;
        } else if (n == 0) {
            p--;   /* unterminated: back onto the last byte */
            n++;
            break;
        } else if (n >= 3 && p[1] == '-') {
            hit |= in_range(p[0], p[2], c, nocase);
            p += 2;
            n -= 2;
        } else {
            hit |= same_byte(p[0], c, nocase);
        }
        p++;
        n--;
    }
    *pp = p;
    *pn = n;
    return hit != negate;
}

/* '*' at p: tries the rest of the pattern at every start in s. */
static bool match_star(struct matcher *m, const char *p, size_t pn,
                       const char *s, size_t sn, int nesting);

static bool match_from(struct matcher *m, const char *p, size_t pn,
                       const char *s, size_t sn, int nesting)
{
    if (nesting > MAX_NESTING)
        return false;
    while (pn && sn) {
        switch (p[0]) {
        case '*':
            return match_star(m, p, pn, s, sn, nesting);
        case '?':
            break;
        case '[':
            p++;
            pn--;
            if (!match_class(&p, &pn, s[0], m->nocase))
                return false;
            break;
        case '\\':
            if (pn >= 2) {
                p++;
                pn--;
            }
            /* fall through */
        default:
            if (!same_byte(p[0], s[0], m->nocase))
                return false;
            break;
        }
        p++;
        pn--;
        s++;
        sn--;
        if (sn == 0) {
            /* Just used up the string: trailing stars match the empty
             * rest. (Not when it was empty on entry: "*" misses "".) */
            while (pn && p[0] == '*') {
                p++;
                pn--;
            }
        }
    }
    return pn == 0 && sn == 0;
}

static bool match_star(struct matcher *m, const char *p, size_t pn,
                       const char *s, size_t sn, int nesting)
{
    while (pn >= 2 && p[1] == '*') {
        p++;
        pn--;
    }
    if (pn == 1)
        return true;
    for (; sn; s++, sn--) {
        if (match_from(m, p + 1, pn - 1, s, sn, nesting + 1))
            return true;
        if (m->skip_longer)
            return false;
    }
    m->skip_longer = true;
    return false;
}

bool glob_match(const char *pat, size_t plen, const char *str, size_t slen, bool nocase)
{
    struct matcher m = { nocase, false };
    return match_from(&m, pat, plen, str, slen, 0);
}
