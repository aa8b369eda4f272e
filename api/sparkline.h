/*
 * sparkline: the ASCII charts of LATENCY GRAPH, drawn the way Redis draws
 * them (byte for byte), so tools that show them get the same picture.
 *
 * A chart is `rows` text lines high. Each sample is one column; its height
 * is (value - min) scaled to rows * 3 steps over (max - min) (1 when all
 * values are equal), the step truncated as Redis' integer arithmetic does.
 * Every row holds 3 steps: the top of a column is drawn with '_', 'o' or '#'
 * and the part below it filled with '|'. When any sample has a label, one
 * blank line follows the chart and then the labels, written vertically one
 * character per line. More samples than `columns` are drawn as several
 * charts separated by an empty line.
 */
#ifndef TASKKV_API_SPARKLINE_H
#define TASKKV_API_SPARKLINE_H

#include <stddef.h>

struct textbuf;

struct spark_sample {
    double value;
    const char *label;   /* NULL or "" for none */
};

/* Appends the chart of samples[0..n) to tb (nothing when n is 0). */
void sparkline_render(struct textbuf *tb, const struct spark_sample *samples, size_t n, size_t columns, int rows);

#endif
