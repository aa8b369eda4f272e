/* Placeholder until the list type lands (replaced by engine/t_list.c proper). */
#include "engine/obj.h"

#include <stdlib.h>

static void destroy(void *p) { free(p); }
static void *dup(const void *p) { (void)p; return NULL; }
static int encoding(const void *p) { (void)p; return KV_ENC_HASHTABLE; }

const struct kv_type_ops tlist_ops = { destroy, dup, encoding };
