/*
 * notation: what the command-table data notations share (COMMAND DOCS'
 * argument trees, api/cmd_docs.c; COMMAND INFO's key specs,
 * api/cmd_keyspecs.c): a cursor over one entry's text with an error that
 * says where parsing stopped, the full-name rule ("cmd" or
 * "container|sub", lower case), and sorting a loaded table by name with
 * duplicates refused, so lookups can bsearch.
 */
#ifndef TASKKV_API_NOTATION_H
#define TASKKV_API_NOTATION_H

#include <stdbool.h>
#include <stddef.h>

struct notation {
    const char *start, *p;
    char *err;
    size_t errlen;
};

/* Writes "<why> at <offset>: "<text there>"" into the error; returns false. */
bool notation_fail(struct notation *ps, const char *why);
void notation_skip_spaces(struct notation *ps);

/* A command's full name as the data names it: "cmd" or "container|sub",
 * lower case, no spaces, shorter than 64 bytes. */
bool notation_valid_name(const char *name);

/* Sorts `n` entries of `size` bytes with `cmp` (by name); returns the
 * second of two equal entries, or NULL when all names differ. */
void *notation_sort_unique(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

#endif
