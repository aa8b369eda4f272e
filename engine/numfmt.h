/*
 * numfmt: numbers to and from text exactly as Redis 7.0 does it.
 *
 * Which Redis reply or parser each function reproduces is noted on it; the
 * facts were checked against redis-server 7.0.15 (tests/unit/engine/
 * check_numfmt.c holds the cases). All parsers are binary-safe: they take
 * (pointer, length), never read past the length, and reject embedded NULs.
 * The server must stay in the "C" numeric locale (no setlocale(LC_NUMERIC)),
 * as Redis does, or strtod would accept ',' as the decimal point.
 *
 * Formatters write a NUL-terminated string and return its length, or return
 * 0 and leave "" (when cap > 0) if it does not fit in cap bytes.
 *
 * Doubles in replies (addReplyDouble): "%.17g" in both protocols; RESP2
 * sends it as a bulk string, RESP3 as ",<text>\r\n". Infinities are "inf"
 * and "-inf" in both. So one formatter serves both (nf_d2str); only the
 * framing differs, and that belongs to api/reply.c.
 */
#ifndef TASKKV_ENGINE_NUMFMT_H
#define TASKKV_ENGINE_NUMFMT_H

#include <stdbool.h>
#include <stddef.h>

/* Buffer sizes (including the NUL) that always suffice. */
#define NF_LL_BUFSIZE 21     /* "-9223372036854775808" */
#define NF_D_BUFSIZE 32      /* "-2.2250738585072014e-308" is 24 */
/* Redis' MAX_LONG_DOUBLE_CHARS: nf_str2ld rejects inputs this long or
 * longer, and nf_ld2str_human never needs more for a finite long double
 * (the largest, ~1.19e4932, prints as 4933 digits). */
#define NF_LD_BUFSIZE 5120

/* Strict integer parse (Redis string2ll): optional '-', then "0" alone or a
 * digit 1-9 followed by digits, nothing else. Rejects "", "+1", " 1", "1 ",
 * "01", "-0", "-" and anything outside [LLONG_MIN, LLONG_MAX]. On success
 * stores the value in *out (out may be NULL); on failure *out is untouched. */
bool nf_str2ll(const char *s, size_t len, long long *out);

/* Decimal text of v. Returns the length (at most 20), or 0 if it does not
 * fit in cap bytes with its NUL. */
int nf_ll2str(char *buf, size_t cap, long long v);

/* The INCRBYFLOAT / HINCRBYFLOAT operand parse (Redis string2ld): the whole
 * of s must be a strtold number. Accepts "+1", "1.", ".5", "00.1", "1e5",
 * hex ("0x10", "0x1p-3"), "inf", "+Infinity" (case-insensitive). Rejects "",
 * any leading or trailing whitespace, NaN in any spelling, overflow (1e5000)
 * and an underflow that rounds to zero; a subnormal result is accepted.
 * Rejects len >= NF_LD_BUFSIZE. Infinity is accepted here: INCRBYFLOAT then
 * fails with "increment would produce NaN or Infinity", HINCRBYFLOAT with
 * "value is NaN or Infinity" — the callers' checks, not this function's. */
bool nf_str2ld(const char *s, size_t len, long double *out);

/* The double parse behind ZADD scores and other float arguments (Redis
 * string2d / getDoubleFromObject): as nf_str2ld but with strtod, so ranges
 * are those of double (1e309 and 1e-400 are rejected, 1e-310 accepted), and
 * with no length limit. Accepts "inf", "+inf", "-inf", "Infinity" in any
 * case; rejects "nan", "", and leading or trailing whitespace. */
bool nf_str2d(const char *s, size_t len, double *out);

/* What INCRBYFLOAT and HINCRBYFLOAT store and reply (Redis ld2string in
 * LD_STR_HUMAN mode): "%.17Lf" (fixed point, never an exponent), then
 * trailing zeros after the '.' are dropped and a bare trailing '.' too; a
 * result of "-0" becomes "0". So 0.1 -> "0.1", 3.0 -> "3", 1e-18 -> "0",
 * -1e-18 -> "0", 1e20 -> "100000000000000000000", 1/3 ->
 * "0.33333333333333333". Infinities are "inf"/"-inf", NaN "nan" (callers
 * reject those before formatting). cap must hold the untrimmed "%.17Lf"
 * text (1.5 needs 20 bytes); NF_LD_BUFSIZE always suffices. */
int nf_ld2str_human(char *buf, size_t cap, long double v);

/* A double as Redis 7.0 replies it (addReplyDouble: ZSCORE, ZINCRBY,
 * ZADD INCR, ZRANGE/ZRANDMEMBER WITHSCORES, ... in RESP2 and RESP3 alike)
 * and as d2string writes it (ZSCAN of a skiplist-encoded zset): "%.17g",
 * e.g. 1.5 -> "1.5", 1.1 -> "1.1000000000000001", 1e17 -> "1e+17",
 * 100 -> "100", -0.0 -> "-0", 1e-5 -> "1.0000000000000001e-05".
 * Infinities are "inf" and "-inf"; any NaN is "nan". */
int nf_d2str(char *buf, size_t cap, double v);

/* A sorted-set score as a listpack-encoded zset stores it, which is what
 * ZSCAN returns for such a zset: an integral value in [-2^62, 2^62] as a
 * plain integer (1e17 -> "100000000000000000", -0.0 -> "0"), anything else
 * as nf_d2str. Note that storing turns -0 into 0, so ZSCORE of a member
 * added with score -0 says "0" while the zset is a listpack and "-0" once
 * it is a skiplist. */
int nf_d2str_listpack(char *buf, size_t cap, double v);

#endif
