/* crc64: see crc64.h. */
#include "engine/crc64.h"

/* The reflected polynomial 0xC96C5795D7870F42 applied to each 4-bit value. */
static const uint64_t nibble[16] = {
    0x0000000000000000ULL, 0x7d9ba13851336649ULL, 0xfb374270a266cc92ULL, 0x86ace348f355aadbULL,
    0x64b62bcaebc387a1ULL, 0x192d8af2baf0e1e8ULL, 0x9f8169ba49a54b33ULL, 0xe21ac88218962d7aULL,
    0xc96c5795d7870f42ULL, 0xb4f7f6ad86b4690bULL, 0x325b15e575e1c3d0ULL, 0x4fc0b4dd24d2a599ULL,
    0xadda7c5f3c4488e3ULL, 0xd041dd676d77eeaaULL, 0x56ed3e2f9e224471ULL, 0x2b769f17cf112238ULL,
};

uint64_t crc64(uint64_t crc, const void *p, size_t len)
{
    const unsigned char *s = p;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= s[i];
        crc = (crc >> 4) ^ nibble[crc & 15];
        crc = (crc >> 4) ^ nibble[crc & 15];
    }
    return ~crc;
}
