/*
 * crc64: CRC-64/XZ (the ECMA-182 polynomial, reflected, initial value and
 * final xor all ones; the check value of "123456789" is 0x995DC9BBDF1939FA),
 * as xz and Go's crc64.ECMA compute it. Used to frame DUMP payloads
 * (engine/dump.h). A nibble table: 16 constants, two lookups per byte.
 */
#ifndef TASKKV_ENGINE_CRC64_H
#define TASKKV_ENGINE_CRC64_H

#include <stddef.h>
#include <stdint.h>

/* The CRC of len bytes at p, continuing from `crc` (0 to start; pass the
 * previous result to checksum data fed in pieces). */
uint64_t crc64(uint64_t crc, const void *p, size_t len);

#endif
