/*
 * textbuf: see textbuf.h.
 */
#include "api/textbuf.h"
#include "engine/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(struct textbuf *tb, size_t more)
{
    if (tb->len + more + 1 <= tb->cap)
        return;
    tb->cap = (tb->len + more + 1) * 2;
    if (tb->cap < 256)
        tb->cap = 256;
    tb->p = kv_xrealloc(tb->p, tb->cap);
}

void tb_append(struct textbuf *tb, const char *s, size_t len)
{
    reserve(tb, len);
    memcpy(tb->p + tb->len, s, len);
    tb->len += len;
    tb->p[tb->len] = '\0';
}

void tb_puts(struct textbuf *tb, const char *s) { tb_append(tb, s, strlen(s)); }

void tb_printf(struct textbuf *tb, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    reserve(tb, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(tb->p + tb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    tb->len += (size_t)n;
}

void tb_free(struct textbuf *tb)
{
    free(tb->p);
    tb->p = NULL;
    tb->len = tb->cap = 0;
}
