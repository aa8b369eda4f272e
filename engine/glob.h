/*
 * glob: Redis' glob-style pattern matching (KEYS, SCAN MATCH, PSUBSCRIBE,
 * PUBSUB CHANNELS, CONFIG GET, ...), byte for byte as Redis 7.0.15 decides
 * it, quirks included (tests/unit/engine/check_glob.c lists them; each was
 * checked with KEYS against a real server).
 *
 * Syntax
 *   *        any run of bytes (consecutive stars count as one)
 *   ?        exactly one byte
 *   [abc]    one byte from the set; [^abc] one byte not in it
 *   [a-z]    a range, inclusive; reversed ranges ([z-a]) are swapped.
 *            Range ends compare as signed chars, as Redis on x86-64 does
 *            (plain char is signed there): bytes 0x80-0xff sort below 0x00,
 *            so [a-\xff] holds 0x00-'a' and 0xff. This holds on every
 *            platform here; Redis built where char is unsigned (ARM) differs.
 *   \x       the byte x literally, outside and inside [...]. A pattern's
 *            last byte '\' stands for itself.
 * Quirks kept on purpose (clients can observe them):
 *   - An unterminated class runs to the end of the pattern: "[ab" matches
 *     "a"; "[^" matches any single byte; "[" matches nothing; "[]" and
 *     "[]]" match nothing; a '-' just before the closing ']' makes a range
 *     ending in ']' that swallows it: "[a-]" is ']'..'a' and unterminated,
 *     "[abc-]" does not match "-".
 *   - The empty string is matched only by the empty pattern, so "*" does
 *     not match "" here. (Redis' KEYS special-cases the exact pattern "*"
 *     and so lists an empty key; that shortcut belongs to the caller.)
 *   - A pattern needing more than 1000 nested '*' levels (1001 or more
 *     separate stars, each followed by more pattern) never matches: Redis'
 *     guard against abusive patterns. With it, matching uses bounded stack,
 *     and the "skip longer matches" cut-off Redis also uses keeps time
 *     near (pattern length x string length) for many-star patterns.
 * Case folding (nocase) is ASCII only (Redis runs in the C ctype locale);
 * range ends are folded after the swap, so nocase "[Z-a]" ('z'..'a') is
 * empty and "[A-z]" misses '_'; escaped bytes inside [...] compare exactly.
 */
#ifndef TASKKV_ENGINE_GLOB_H
#define TASKKV_ENGINE_GLOB_H

#include <stdbool.h>
#include <stddef.h>

/* True if the whole of str matches the whole of pat. Both are binary-safe
 * (pointer + length; NUL is an ordinary byte) and only borrowed. */
bool glob_match(const char *pat, size_t plen, const char *str, size_t slen, bool nocase);

#endif
