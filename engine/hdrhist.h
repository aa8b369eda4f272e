/*
 * hdrhist: a high-dynamic-range histogram of durations in nanoseconds, as
 * Redis keeps one per command (latency-tracking): values 1 ns .. 1 s with 2
 * significant digits. Each power of two above 256 ns is cut into 128 equal
 * sub-buckets (the values below 256 ns are exact), so a recorded value is
 * known to within 1/128 of itself: 3072 counters, 24 KiB, allocated only for
 * commands that ran.
 *
 * A percentile is read as HdrHistogram reads it: the smallest sub-bucket
 * whose cumulative count reaches round(p% of the total) (at least 1), and
 * the highest value that sub-bucket holds (its lowest for p = 0), so
 * INFO latencystats prints the same figures as Redis for the same calls.
 */
#ifndef TASKKV_ENGINE_HDRHIST_H
#define TASKKV_ENGINE_HDRHIST_H

#include <stdint.h>

#define HDRHIST_MIN_NS 1ULL
#define HDRHIST_MAX_NS 1000000000ULL

struct hdrhist;

struct hdrhist *hdrhist_new(void);
void hdrhist_free(struct hdrhist *h);

/* Counts one value, clamped to HDRHIST_MIN_NS .. HDRHIST_MAX_NS. */
void hdrhist_record(struct hdrhist *h, uint64_t ns);
uint64_t hdrhist_total(const struct hdrhist *h);

/* p in 0..100 (above 100 reads as 100); 0 for an empty histogram. */
uint64_t hdrhist_percentile(const struct hdrhist *h, double p);

/* The range of values equivalent to ns (the sub-bucket holding it). */
uint64_t hdrhist_lowest_equivalent(uint64_t ns);
uint64_t hdrhist_highest_equivalent(uint64_t ns);

/* Calls fn for each sub-bucket that counted something, lowest first, with
 * the lowest value it holds and its count. */
typedef void (*hdrhist_fn)(void *arg, uint64_t lowest_ns, uint64_t count);
void hdrhist_foreach(const struct hdrhist *h, hdrhist_fn fn, void *arg);

#endif
