/*
 * textbuf: a growable text buffer for replies built from many formatted
 * pieces (LATENCY DOCTOR and GRAPH). Zero-initialise; tb_free releases it.
 * Writers never fail (allocation failure aborts, as kv_x* do). The text is
 * always NUL-terminated once anything was written.
 */
#ifndef TASKKV_API_TEXTBUF_H
#define TASKKV_API_TEXTBUF_H

#include <stddef.h>

struct textbuf {
    char *p;
    size_t len, cap;
};

void tb_append(struct textbuf *tb, const char *s, size_t len);
void tb_puts(struct textbuf *tb, const char *s);
void tb_printf(struct textbuf *tb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tb_free(struct textbuf *tb);

#endif
