/*
 * maxmemory: eviction driven by the limit, the OOM refusals and the memory
 * figures (see maxmemory.h).
 *
 * State (struct maxmem, owned by the server): the engine's evictor with its
 * pool; the eviction timer, armed while an eviction that ran out of time is
 * unfinished and when CONFIG SET gives a limit (Redis' eviction time proc: it
 * calls maxmem_evict() again in every loop iteration until that answers "not
 * running"; never inside a busy script); the out-of-memory
 * answer the dispatcher gave when the current script started; when used
 * memory last went over the limit and the time spent over it before; the
 * allocator's count at start-up; and the definitions of the commands the
 * refusal rules name (looked up once, compared by pointer).
 */
#include "api/maxmemory.h"
#include "api/pause.h"
#include "api/block.h"
#include "api/client.h"
#include "api/command.h"
#include "api/config.h"
#include "api/log.h"
#include "api/multi.h"
#include "api/ops.h"
#include "api/persist.h"
#include "api/reply.h"
#include "api/script.h"
#include "api/server.h"
#include "engine/alloc.h"
#include "engine/evict.h"
#include "engine/journal.h"
#include "engine/kv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KEYS_PER_TIME_CHECK 16   /* Redis looks at the clock every 16 evictions */
#define NSCRIPT_CMDS 4

struct maxmem {
    struct kv_evictor *ev;
    ev_timer proc;
    bool proc_running;
    bool script_oom;
    int64_t over_since_us;       /* 0 while under the limit */
    uint64_t exceeded_total_us;
    size_t startup;
    const struct cmd_def *exec, *discard, *quit, *reset;
    const struct cmd_def *scripts[NSCRIPT_CMDS];
};

static void proc_cb(struct ev_loop *loop, ev_timer *w, int revents);

static const struct cmd_def *lookup(struct server *srv, const char *name)
{
    return cmd_lookup(srv->cmds, name, strlen(name));
}

void maxmem_create(struct server *srv)
{
    static const char *const scripts[NSCRIPT_CMDS] = { "eval", "evalsha", "eval_ro", "evalsha_ro" };
    struct maxmem *m = kv_xcalloc(1, sizeof(*m));
    m->ev = kv_evictor_create(server_random(srv));
    ev_timer_init(&m->proc, proc_cb, 0, 0);
    m->proc.data = srv;
    m->startup = kv_alloc_used();
    m->exec = lookup(srv, "exec");
    m->discard = lookup(srv, "discard");
    m->quit = lookup(srv, "quit");
    m->reset = lookup(srv, "reset");
    for (int i = 0; i < NSCRIPT_CMDS; i++)
        m->scripts[i] = lookup(srv, scripts[i]);
    srv->maxmem = m;
    srv->maxmemory = config_values(srv->cfg)->maxmemory;
    if (srv->maxmemory > 0 && srv->maxmemory < 1024 * 1024)
        log_at(srv, LOG_WARNING, "WARNING: You specified a maxmemory value that is less than 1MB (current value is "
               "%llu bytes). Are you sure this is what you really want?", srv->maxmemory);
}

void maxmem_destroy(struct server *srv)
{
    struct maxmem *m = srv->maxmem;
    if (!m)
        return;
    ev_timer_stop(srv->loop, &m->proc);
    kv_evictor_destroy(m->ev);
    free(m);
    srv->maxmem = NULL;
}

/* ---- measuring ---------------------------------------------------------------- */

size_t maxmem_not_counted(const struct server *srv)
{
    return journal_sqlite_memory();
}

/* Used memory as the limit sees it (cheap: before every command). */
static size_t counted_used(const struct server *srv)
{
    size_t used = kv_alloc_used_fast(), skip = maxmem_not_counted(srv);
    return used > skip ? used - skip : 0;
}

size_t maxmem_used_now(struct server *srv)
{
    size_t used = kv_alloc_used();
    if (used > srv->stats_peak_memory)
        srv->stats_peak_memory = used;
    return used;
}

void maxmem_note_peak(struct server *srv)
{
    if (kv_alloc_fast_is_cheap()) {
        size_t used = kv_alloc_used_fast();
        if (used > srv->stats_peak_memory)
            srv->stats_peak_memory = used;
    }
}

size_t maxmem_startup(const struct server *srv) { return srv->maxmem->startup; }

size_t maxmem_clients_normal(const struct server *srv)
{
    size_t n = 0;
    for (const struct client *c = srv->clients; c; c = c->next)
        n += sizeof(*c) + c->qcap + c->out.list_bytes;
    return n;
}

/* ---- evicting ------------------------------------------------------------------ */

static enum kv_evict_policy policy_of(int p)
{
    switch (p) {
    case CONFIG_MAXMEMORY_VOLATILE_LRU: return KV_EVICT_VOLATILE_LRU;
    case CONFIG_MAXMEMORY_VOLATILE_LFU: return KV_EVICT_VOLATILE_LFU;
    case CONFIG_MAXMEMORY_VOLATILE_RANDOM: return KV_EVICT_VOLATILE_RANDOM;
    case CONFIG_MAXMEMORY_VOLATILE_TTL: return KV_EVICT_VOLATILE_TTL;
    case CONFIG_MAXMEMORY_ALLKEYS_LRU: return KV_EVICT_ALLKEYS_LRU;
    case CONFIG_MAXMEMORY_ALLKEYS_LFU: return KV_EVICT_ALLKEYS_LFU;
    case CONFIG_MAXMEMORY_ALLKEYS_RANDOM: return KV_EVICT_ALLKEYS_RANDOM;
    default: return KV_EVICT_NOEVICTION;
    }
}

/* Redis' evictionTimeLimitUs: 0..500 us up to tenacity 10, then 15% more
 * per step, no limit at 100. */
static int64_t time_limit_us(int tenacity)
{
    if (tenacity <= 10)
        return 50LL * tenacity;
    if (tenacity < 100)
        return (int64_t)(500.0 * pow(1.15, tenacity - 10.0));
    return INT64_MAX;
}

/* Not while loading, inside a busy script, or during CLIENT PAUSE (the
 * dataset stays as it is; Redis then neither evicts nor refuses). */
static bool safe_to_evict(const struct server *srv)
{
    return !persist_load_running(srv) && !script_timed_out(srv) && !pause_active(srv);
}

/* total_eviction_exceeded_time / current_eviction_exceeded_time */
static void track_exceeded(struct maxmem *m, enum maxmem_state st)
{
    if (st != MAXMEM_OK) {
        if (!m->over_since_us)
            m->over_since_us = server_clock_us();
    } else if (m->over_since_us) {
        m->exceeded_total_us += (uint64_t)(server_clock_us() - m->over_since_us);
        m->over_since_us = 0;
    }
}

static void start_proc(struct server *srv)
{
    struct maxmem *m = srv->maxmem;
    if (m->proc_running)
        return;
    m->proc_running = true;
    ev_timer_set(&m->proc, 0, 0);
    ev_timer_start(srv->loop, &m->proc);
}

static void proc_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct server *srv = w->data;
    struct maxmem *m = srv->maxmem;
    enum maxmem_state st;
    if (script_timed_out(srv)) {   /* the loop runs inside a script: its writes are not done */
        m->proc_running = false;   /* the next command or the cron evicts again */
        return;
    }
    st = maxmem_evict(srv);
    block_serve_ready(srv->block);   /* waiters on evicted keys look again */
    if (st == MAXMEM_RUNNING) {
        ev_timer_set(w, 0, 0);
        ev_timer_start(loop, w);
        return;
    }
    m->proc_running = false;
}

/* Evicts until `tofree` bytes are freed or time is up. */
static enum maxmem_state evict_bytes(struct server *srv, size_t tofree)
{
    struct maxmem *m = srv->maxmem;
    const struct config_values *cv = config_values(srv->cfg);
    enum kv_evict_policy policy = policy_of(cv->maxmemory_policy);
    int64_t start = server_clock_us(), limit = time_limit_us(cv->maxmemory_eviction_tenacity);
    size_t freed = 0, keys = 0;
    enum maxmem_state st = MAXMEM_FAIL;
    if (policy == KV_EVICT_NOEVICTION)
        return MAXMEM_FAIL;
    if (srv->call_depth == 0)   /* LRU / LFU scores against the current time */
        kv_set_clock(srv->ks, start / 1000);
    for (;;) {
        enum kv_evict_status s = kv_evict(m->ev, srv->ks, policy, cv->maxmemory_samples, tofree,
                                          KEYS_PER_TIME_CHECK, &freed, &keys);
        if (s == KV_EVICT_FREED) {
            st = m->proc_running ? MAXMEM_RUNNING : MAXMEM_OK;
            break;
        }
        if (s == KV_EVICT_NONE)
            break;
        if (server_clock_us() - start > limit) {
            start_proc(srv);
            st = MAXMEM_RUNNING;
            break;
        }
    }
    if (keys)
        latency_add_sample(srv, "eviction-cycle", (server_clock_us() - start) / 1000);
    return st;
}

enum maxmem_state maxmem_evict(struct server *srv)
{
    size_t used;
    enum maxmem_state st = MAXMEM_OK;
    if (!safe_to_evict(srv))
        return MAXMEM_OK;
    used = srv->maxmemory ? counted_used(srv) : 0;
    if (used > srv->maxmemory)
        st = evict_bytes(srv, used - srv->maxmemory);
    track_exceeded(srv->maxmem, st);
    return st;
}

/* ---- refusing ------------------------------------------------------------------ */

static bool is_script_cmd(const struct maxmem *m, const struct cmd_def *d)
{
    for (int i = 0; i < NSCRIPT_CMDS; i++)
        if (d == m->scripts[i])
            return true;
    return false;
}

struct queued_flags {
    struct server *srv;
    uint32_t flags;
};

static void add_queued_flags(void *arg, const struct cmd_def *d, int argc, const struct resp_arg *argv)
{
    struct queued_flags *q = arg;
    q->flags |= is_script_cmd(q->srv->maxmem, d) ? script_command_flags(q->srv, d, argc, argv) : d->flags;
}

/* Redis' getCommandFlags: a script's own, EXEC's joined with its queue's. */
static uint32_t flags_of(struct client *c, const struct cmd_def *d)
{
    struct maxmem *m = c->srv->maxmem;
    if (is_script_cmd(m, d))
        return script_command_flags(c->srv, d, c->argc, c->argv);
    if (d == m->exec) {
        struct queued_flags q = { c->srv, d->flags };
        multi_foreach_queued(c, add_queued_flags, &q);
        return q.flags;
    }
    return d->flags;
}

bool maxmem_allowed_or_reply(struct client *c, const struct cmd_def *d)
{
    struct maxmem *m = c->srv->maxmem;
    bool oom, refused;
    /* a blocked command served now is not a new command (Redis serves it
     * without these checks) */
    if (!safe_to_evict(c->srv) || block_retrying(c))
        return true;
    oom = maxmem_evict(c->srv) == MAXMEM_FAIL;
    /* what a script (or EXEC, which may hold scripts) starts with */
    if (d == m->exec || is_script_cmd(m, d))
        m->script_oom = oom;
    if (!oom)
        return true;
    /* queueing in MULTI could grow memory without end */
    refused = (flags_of(c, d) & CMD_DENYOOM) ||
              ((c->flags & CF_MULTI) && d != m->exec && d != m->discard && d != m->quit && d != m->reset);
    if (!refused)
        return true;
    if (d == m->exec)
        multi_exec_abort(c, MAXMEM_OOM_ERR);
    else
        reply_error(&c->out, MAXMEM_OOM_ERR);
    return false;
}

bool maxmem_script_oom(const struct server *srv) { return srv->maxmem->script_oom; }

bool maxmem_shares_integers(const struct server *srv)
{
    const struct config_values *cv = config_values(srv->cfg);
    switch (cv->maxmemory_policy) {
    case CONFIG_MAXMEMORY_VOLATILE_LRU:
    case CONFIG_MAXMEMORY_VOLATILE_LFU:
    case CONFIG_MAXMEMORY_ALLKEYS_LRU:
    case CONFIG_MAXMEMORY_ALLKEYS_LFU: return cv->maxmemory == 0;
    default: return true;
    }
}

/* ---- cron, configuration, statistics ------------------------------------------ */

void maxmem_cron(struct server *srv)
{
    maxmem_used_now(srv);   /* re-bases kv_alloc_used_fast and raises the peak */
    if (srv->maxmemory) {
        maxmem_evict(srv);
        block_serve_ready(srv->block);
    }
}

void maxmem_config_changed(struct server *srv, bool limit_changed, bool policy_changed)
{
    struct maxmem *m = srv->maxmem;
    if (policy_changed)
        kv_evictor_reset(m->ev);
    if (!limit_changed)
        return;
    srv->maxmemory = config_values(srv->cfg)->maxmemory;
    if (srv->maxmemory) {
        size_t used = counted_used(srv);
        if (srv->maxmemory < used)
            log_at(srv, LOG_WARNING, "WARNING: the new maxmemory value set via CONFIG SET (%llu) is smaller than the "
                   "current memory usage (%zu). This will result in key eviction and/or the inability to accept new "
                   "write commands depending on the maxmemory-policy.", srv->maxmemory, used);
        /* as Redis: the eviction timer, not now (CONFIG SET in a MULTI lets
         * the rest of its EXEC see the keys) */
        start_proc(srv);
    }
}

void maxmem_reset_stats(struct server *srv)
{
    struct maxmem *m = srv->maxmem;
    m->exceeded_total_us = 0;
    if (m->over_since_us)
        m->over_since_us = server_clock_us();
}

uint64_t maxmem_exceeded_current_ms(const struct server *srv)
{
    const struct maxmem *m = srv->maxmem;
    return m->over_since_us ? (uint64_t)(server_clock_us() - m->over_since_us) / 1000 : 0;
}

uint64_t maxmem_exceeded_total_ms(const struct server *srv)
{
    return srv->maxmem->exceeded_total_us / 1000 + maxmem_exceeded_current_ms(srv);
}
