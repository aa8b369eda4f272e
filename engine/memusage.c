/* memusage: see memusage.h. */
#include "engine/memusage.h"
#include "engine/alloc.h"
#include "engine/kv.h"
#include "engine/t_hash.h"
#include "engine/t_list.h"
#include "engine/t_set.h"
#include "engine/t_stream.h"
#include "engine/t_zset.h"

size_t kv_obj_mem_estimate(const struct kv_obj *o, size_t samples)
{
    switch (o->type) {
    case KV_STRING:
        return o->enc == KV_ENC_RAW ? kv_alloc_size(o->v.ptr) : 0;
    case KV_LIST:
        return tlist_mem_estimate(o->v.ptr, samples);
    case KV_SET:
        return tset_mem_estimate(o->v.ptr, samples);
    case KV_ZSET:
        return tzset_mem_estimate(o->v.ptr, samples);
    case KV_HASH:
        return thash_mem_estimate(o->v.ptr, samples);
    case KV_STREAM:
        return tstream_mem_estimate(o->v.ptr, samples);
    default:
        return 0;
    }
}

size_t kv_entry_mem_estimate(const struct kv_entry *e, size_t samples)
{
    /* one bucket pointer per key: the tables grow at a load factor of 1 */
    return kv_alloc_size(e) + kv_alloc_size(e->ttl) + sizeof(void *) +
           kv_obj_mem_estimate(kv_entry_val(e), samples);
}
