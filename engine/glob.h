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
 *            Range ends compare as signed chars, as Redis does on x86-64 /
 *            ARM Linux with gcc: bytes 0x80-0xff sort below 0x00.
 *   \x       the byte x literally, outside and inside [...]. A pattern's
 *            last byte '\' stands for itself.
 * Quirks kept on purpose (clients can observe them):
 *   - An unterminated class runs to the end of the pattern: "[ab" matches
 *     "a"; "[^" matches any single byte; "[" matches nothing; "[]" and
 *     "[]]" match nothing; "[a-]" is the range ']'..'a'.
 *   - The empty string is matched only by the empty pattern, so "*" does
 *     not match "" here. (Redis' KEYS special-cases the exact pattern "*"
 *     and so lists an empty key; that shortcut belongs to the caller.)
 *   - A pattern needing more than 1000 nested '*' levels (1001 or more
 *     separate stars, each followed by more pattern) never matches: Redis'
 *     guard against abusive patterns. With it, matching uses bounded stack,
 *     and time about O(pattern length x string length) thanks to the
 *     "skip longer matches" cut-off Redis also uses.
 * Case folding (nocase) is ASCII only (Redis runs in the C ctype locale);
 * escaped bytes inside [...] always compare exactly.
 */
#ifndef TASKKV_ENGINE_GLOB_H
#define TASKKV_ENGINE_GLOB_H

#include <stdbool.h>
#include <stddef.h>

/* True if the whole of str matches the whole of pat. Both are binary-safe
 * (pointer + length; NUL is an ordinary byte) and only borrowed. */
bool glob_match(const char *pat, size_t plen, const char *str, size_t slen, bool nocase);

#endif
