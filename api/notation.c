/*
 * notation: the pieces the docs and key-spec notations share (see the header).
 */
#include "api/notation.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool notation_fail(struct notation *ps, const char *why)
{
    snprintf(ps->err, ps->errlen, "%s at %d: \"%.24s\"", why, (int)(ps->p - ps->start), ps->p);
    return false;
}

void notation_skip_spaces(struct notation *ps)
{
    while (*ps->p == ' ')
        ps->p++;
}

bool notation_valid_name(const char *name)
{
    const char *bar = strchr(name, '|');
    if (!*name || strlen(name) >= 64 || name[0] == '|' || (bar && (!bar[1] || strchr(bar + 1, '|'))))
        return false;
    for (const char *p = name; *p; p++)
        if (isupper((unsigned char)*p) || isspace((unsigned char)*p))
            return false;
    return true;
}

void *notation_sort_unique(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    char *b = base;
    qsort(base, n, size, cmp);
    for (size_t i = 1; i < n; i++)
        if (cmp(b + (i - 1) * size, b + i * size) == 0)
            return b + i * size;
    return NULL;
}
