/*
 * sparkline: see sparkline.h.
 */
#include "api/sparkline.h"
#include "api/textbuf.h"

#include <stdbool.h>
#include <string.h>

#define STEPS_PER_ROW 3
static const char fill_chars[STEPS_PER_ROW] = { '_', 'o', '#' };

struct range {
    double min, span;     /* span: max - min, or 1 when that is 0 */
    int rows;
    bool labels;          /* some sample of the whole sequence has a label */
};

/* The column's height in steps, 0 .. rows * 3 - 1. */
static int column_steps(const struct range *r, double value)
{
    int steps = r->rows * STEPS_PER_ROW;
    int step = (int)((double)(int)((value - r->min) * steps) / r->span);
    return step < 0 ? 0 : step >= steps ? steps - 1 : step;
}

/* Line `row` of a chart's column: its character, or '\0' past its end. */
static char cell(const struct range *r, const struct spark_sample *s, int row)
{
    if (row < r->rows) {
        int idx = column_steps(r, s->value) - (r->rows - row - 1) * STEPS_PER_ROW;
        return idx < 0 ? ' ' : idx < STEPS_PER_ROW ? fill_chars[idx] : '|';
    }
    if (r->labels && row == r->rows)   /* the blank line above the labels */
        return ' ';
    size_t at = (size_t)(row - r->rows - 1);
    return s->label && strlen(s->label) > at ? s->label[at] : '\0';
}

/* One chart: rows lines, then (with labels) a blank line and the labels. */
static void render_chunk(struct textbuf *tb, const struct range *r, const struct spark_sample *s, size_t n)
{
    for (int row = 0;; row++) {
        size_t start = tb->len;
        bool any = false;
        for (size_t j = 0; j < n; j++) {
            char ch = cell(r, &s[j], row);
            tb_append(tb, ch ? &ch : " ", 1);
            any = any || ch;
        }
        if (!any) {   /* past the longest label: drop the blank line */
            tb->len = start;
            if (tb->p)
                tb->p[start] = '\0';
            return;
        }
        tb_append(tb, "\n", 1);
    }
}

void sparkline_render(struct textbuf *tb, const struct spark_sample *samples, size_t n, size_t columns, int rows)
{
    struct range r = { 0, 0, rows, false };
    double max = 0;
    for (size_t j = 0; j < n; j++) {
        if (j == 0 || samples[j].value < r.min)
            r.min = samples[j].value;
        if (j == 0 || samples[j].value > max)
            max = samples[j].value;
        if (samples[j].label && samples[j].label[0])
            r.labels = true;
    }
    r.span = max - r.min == 0 ? 1 : max - r.min;
    for (size_t j = 0; j < n; j += columns) {
        if (j)
            tb_append(tb, "\n", 1);
        render_chunk(tb, &r, samples + j, n - j < columns ? n - j : columns);
    }
}
