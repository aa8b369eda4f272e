/*
 * memusage: MEMORY USAGE's estimate of what one key costs - the bytes the
 * allocator handed out for it, size classes included: the keyspace entry
 * (which holds the key, the value header and a short string), the TTL
 * record, a share of the table's buckets, and what the value owns outside
 * the entry (a RAW string's buffer, a collection's structures, sampled as
 * Redis does: `samples` elements, SIZE_MAX for all, their average scaled
 * to the whole). Each type estimates its own structures (t_<type>.c).
 */
#ifndef TASKKV_ENGINE_MEMUSAGE_H
#define TASKKV_ENGINE_MEMUSAGE_H

#include <stddef.h>

struct kv_obj;
struct kv_entry;

/* What the value owns outside the object itself. */
size_t kv_obj_mem_estimate(const struct kv_obj *o, size_t samples);
/* The whole key: entry, TTL record, bucket share and value. */
size_t kv_entry_mem_estimate(const struct kv_entry *e, size_t samples);

#endif
