/* notify: see notify.h. The flag letters and their order are Redis'. */
#include "pubsub/notify.h"
#include "engine/event.h"

#include <stdio.h>
#include <string.h>

/* 'A' stands for every class that is not opt-in (m, n and d are not in A). */
#define NOTIFY_ALL (NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET | \
                    NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE)

static const struct {
    char letter;
    int cls;
} letters[] = {
    { 'g', NOTIFY_GENERIC }, { '$', NOTIFY_STRING }, { 'l', NOTIFY_LIST },    { 's', NOTIFY_SET },
    { 'h', NOTIFY_HASH },    { 'z', NOTIFY_ZSET },   { 'x', NOTIFY_EXPIRED }, { 'e', NOTIFY_EVICTED },
    { 't', NOTIFY_STREAM },  { 'd', NOTIFY_MODULE }, { 'K', NOTIFY_KEYSPACE }, { 'E', NOTIFY_KEYEVENT },
    { 'm', NOTIFY_KEY_MISS }, { 'n', NOTIFY_NEW },
};

bool ps_notify_parse(const char *s, size_t len, int *flags)
{
    int f = 0;
    for (size_t i = 0; i < len; i++) {
        size_t j;
        if (s[i] == 'A') {
            f |= NOTIFY_ALL;
            continue;
        }
        for (j = 0; j < sizeof(letters) / sizeof(letters[0]); j++)
            if (letters[j].letter == s[i])
                break;
        if (j == sizeof(letters) / sizeof(letters[0]))
            return false;
        f |= letters[j].cls;
    }
    *flags = f;
    return true;
}

size_t ps_notify_format(int flags, char *buf)
{
    size_t n = 0;
    bool all = (flags & NOTIFY_ALL) == NOTIFY_ALL;
    if (all)
        buf[n++] = 'A';
    for (size_t j = 0; j < sizeof(letters) / sizeof(letters[0]); j++) {
        if (all && (letters[j].cls & NOTIFY_ALL))
            continue;
        if (flags & letters[j].cls)
            buf[n++] = letters[j].letter;
    }
    buf[n] = '\0';
    return n;
}

size_t ps_notify_display(int flags, char *buf)
{
    static const char classes[] = "g$lshzxetdn";
    static const int bits[] = { NOTIFY_GENERIC, NOTIFY_STRING, NOTIFY_LIST,   NOTIFY_SET,
                                NOTIFY_HASH,    NOTIFY_ZSET,   NOTIFY_EXPIRED, NOTIFY_EVICTED,
                                NOTIFY_STREAM,  NOTIFY_MODULE, NOTIFY_NEW };
    size_t n = 0;
    if ((flags & NOTIFY_ALL) == NOTIFY_ALL)
        buf[n++] = 'A';
    else
        for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
            if (flags & bits[i])
                buf[n++] = classes[i];
    if (flags & NOTIFY_KEYSPACE)
        buf[n++] = 'K';
    if (flags & NOTIFY_KEYEVENT)
        buf[n++] = 'E';
    if (flags & NOTIFY_KEY_MISS)
        buf[n++] = 'm';
    buf[n] = '\0';
    return n;
}

bool ps_notify_wanted(int flags, int cls)
{
    return (flags & cls) && (flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT));
}

size_t ps_notify_channel(char *buf, size_t cap, bool keyspace, int db, const char *name, size_t len)
{
    int n = snprintf(buf, cap, "__key%s@%d__:", keyspace ? "space" : "event", db);
    if (n < 0 || (size_t)n + len > cap)
        return 0;
    memcpy(buf + n, name, len);
    return (size_t)n + len;
}
